// casedesk's group of the properties panel: every property casedesk reads that the standard BPMN
// groups (name, documentation, timers, messages, signals, multi-instance) do not cover. It writes what
// SpiffWorkflow's conventions write: <spiffworkflow:property name value> in <spiffworkflow:properties>,
// <spiffworkflow:serviceTaskOperator>, bpmn:script, bpmn:conditionExpression and calledElement.
import { jsx, jsxs } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { Group, SelectEntry, TextAreaEntry, TextFieldEntry, isSelectEntryEdited, isTextAreaEntryEdited,
  isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';
import { collaborationOf, keysText, messagesText, propertiesText, setKeys, setMessages,
  setProperties } from './collaboration-messages';
import { CasedeskNames, nameEntries } from './names';

const SPIFF = 'spiffworkflow:';

// ---- reading and writing the model --------------------------------------------------------------

function extension(bo, type) {
  const values = (bo.extensionElements && bo.extensionElements.get('values')) || [];
  return values.find((value) => value.$instanceOf(type));
}

export function spiffProperty(element, name) {
  const list = extension(element.businessObject, SPIFF + 'properties');
  const found = list && list.get('properties').find((property) => property.name === name);
  return found ? found.value || '' : '';
}

function ensureExtension(element, type, attrs, injector) {
  const bo = element.businessObject;
  const bpmnFactory = injector.get('bpmnFactory');
  const modeling = injector.get('modeling');
  let extensionElements = bo.extensionElements;
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: extensionElements });
  }
  let found = extension(bo, type);
  if (!found) {
    found = bpmnFactory.create(type, attrs || {});
    found.$parent = extensionElements;
    modeling.updateModdleProperties(element, extensionElements,
      { values: extensionElements.get('values').concat([found]) });
  }
  return found;
}

function removeExtension(element, found, injector) {
  const extensionElements = element.businessObject.extensionElements;
  injector.get('modeling').updateModdleProperties(element, extensionElements,
    { values: extensionElements.get('values').filter((value) => value !== found) });
}

export function setSpiffProperty(element, name, value, injector) {
  const text = (value || '').trim();
  const existing = extension(element.businessObject, SPIFF + 'properties');
  if (!text && !existing) { return; }
  const modeling = injector.get('modeling');
  const list = existing || ensureExtension(element, SPIFF + 'properties', {}, injector);
  const properties = list.get('properties');
  const found = properties.find((property) => property.name === name);
  if (found && text) {
    modeling.updateModdleProperties(element, found, { value: text });
  } else if (found) {
    const rest = properties.filter((property) => property !== found);
    if (rest.length) {
      modeling.updateModdleProperties(element, list, { properties: rest });
    } else {
      removeExtension(element, list, injector);
    }
  } else if (text) {
    const created = injector.get('bpmnFactory').create(SPIFF + 'property', { name: name, value: text });
    created.$parent = list;
    modeling.updateModdleProperties(element, list, { properties: properties.concat([created]) });
  }
}

function operatorOf(element) {
  return extension(element.businessObject, SPIFF + 'serviceTaskOperator');
}

function operatorParameters(operator) {
  const list = operator && operator.get('parameterList');
  return list ? list.get('parameters') : [];
}

function setOperator(element, name, catalog, injector) {
  const current = operatorOf(element);
  if (!name) {
    if (current) { removeExtension(element, current, injector); }
    return;
  }
  const bpmnFactory = injector.get('bpmnFactory');
  const known = catalog.find((operator) => operator.name === name);
  const old = {};
  operatorParameters(current).forEach((parameter) => { old[parameter.id] = parameter.value; });
  // The new operator's parameters, keeping the expressions already written for parameters of the same name.
  const parameters = (known ? known.parameters : []).map((parameter) => bpmnFactory.create(SPIFF + 'parameter',
    { id: parameter.name, type: 'any', value: old[parameter.name] || '' }));
  const list = bpmnFactory.create(SPIFF + 'parameters', { parameters: parameters });
  parameters.forEach((parameter) => { parameter.$parent = list; });
  if (current) {
    list.$parent = current;
    injector.get('modeling').updateModdleProperties(element, current, { id: name, parameterList: list });
  } else {
    const created = ensureExtension(element, SPIFF + 'serviceTaskOperator', { id: name }, injector);
    list.$parent = created;
    injector.get('modeling').updateModdleProperties(element, created, { parameterList: list });
  }
}

function setParameter(element, parameterName, value, injector) {
  const operator = operatorOf(element);
  if (!operator) { return; }
  const parameter = operatorParameters(operator).find((p) => p.id === parameterName);
  if (parameter) {
    injector.get('modeling').updateModdleProperties(element, parameter, { value: value || '' });
  }
}

function setCondition(element, value, injector) {
  const text = (value || '').trim();
  const expression = text ? injector.get('bpmnFactory').create('bpmn:FormalExpression', { body: value }) : undefined;
  injector.get('modeling').updateProperties(element, { conditionExpression: expression });
}

// <spiffworkflow:calledDecisionId>: the decision a business rule task evaluates (SpiffWorkflow's DMN convention).
function calledDecision(element) {
  const found = extension(element.businessObject, SPIFF + 'calledDecisionId');
  return found ? found.value || '' : '';
}

function setCalledDecision(element, value, injector) {
  const text = (value || '').trim();
  const found = extension(element.businessObject, SPIFF + 'calledDecisionId');
  if (found && text) {
    injector.get('modeling').updateModdleProperties(element, found, { value: text });
  } else if (found) {
    removeExtension(element, found, injector);
  } else if (text) {
    ensureExtension(element, SPIFF + 'calledDecisionId', { value: text }, injector);
  }
}

// ---- multi-instance and messages ----------------------------------------------------------------

function loopOf(element) {
  const loop = element.businessObject.loopCharacteristics;
  return loop && loop.$instanceOf('bpmn:MultiInstanceLoopCharacteristics') ? loop : null;
}

function setLoopVariable(element, property, value, injector) {
  const loop = loopOf(element);
  if (loop) { injector.get('modeling').updateModdleProperties(element, loop, { [property]: (value || '').trim() || undefined }); }
}

// inputDataItem / outputDataItem: SpiffWorkflow names the element variable by the item's id.
function setLoopItem(element, property, type, value, injector) {
  const loop = loopOf(element);
  if (!loop) { return; }
  const text = (value || '').trim();
  const item = text ? injector.get('bpmnFactory').create(type, { id: text }) : undefined;
  if (item) { item.$parent = loop; }
  injector.get('modeling').updateModdleProperties(element, loop, { [property]: item });
}

function messageDefinition(element) {
  const definitions = element.businessObject.eventDefinitions || [];
  return definitions.find((definition) => definition.$instanceOf('bpmn:MessageEventDefinition'));
}

function messageExtension(element, type) {
  const definition = messageDefinition(element);
  const found = definition && extension(definition, SPIFF + type);
  return found ? found.value || '' : '';
}

// <spiffworkflow:messagePayload> / <spiffworkflow:messageVariable> in the message event definition's extensions.
function setMessageExtension(element, type, value, injector) {
  const definition = messageDefinition(element);
  if (!definition) { return; }
  const text = (value || '').trim();
  const modeling = injector.get('modeling');
  const bpmnFactory = injector.get('bpmnFactory');
  const found = extension(definition, SPIFF + type);
  if (found && text) {
    modeling.updateModdleProperties(element, found, { value: text });
    return;
  }
  let extensionElements = definition.extensionElements;
  if (found) {
    modeling.updateModdleProperties(element, extensionElements,
      { values: extensionElements.get('values').filter((v) => v !== found) });
    return;
  }
  if (!text) { return; }
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = definition;
    modeling.updateModdleProperties(element, definition, { extensionElements: extensionElements });
  }
  const created = bpmnFactory.create(SPIFF + type, { value: text });
  created.$parent = extensionElements;
  modeling.updateModdleProperties(element, extensionElements, { values: extensionElements.get('values').concat([created]) });
}

// Correlation of a message event as text, one `key = expression` a line, from and to
// <spiffworkflow:processVariableCorrelation><spiffworkflow:propertyId/><spiffworkflow:expression/>.
function correlationText(element) {
  const definition = messageDefinition(element);
  const values = (definition && definition.extensionElements && definition.extensionElements.get('values')) || [];
  return values.filter((v) => v.$instanceOf(SPIFF + 'processVariableCorrelation')).map((v) =>
    ((v.propertyId && v.propertyId.value) || '') + ' = ' + ((v.expression && v.expression.value) || '')).join('\n');
}

function setCorrelation(element, text, injector) {
  const definition = messageDefinition(element);
  if (!definition) { return; }
  const bpmnFactory = injector.get('bpmnFactory');
  const modeling = injector.get('modeling');
  const wanted = (text || '').split('\n').map((line) => line.trim()).filter((line) => line.indexOf('=') > 0)
    .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()])
    .filter((pair) => pair[0] && pair[1]);
  let extensionElements = definition.extensionElements;
  if (!extensionElements && !wanted.length) { return; }
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = definition;
    modeling.updateModdleProperties(element, definition, { extensionElements: extensionElements });
  }
  const kept = extensionElements.get('values').filter((v) => !v.$instanceOf(SPIFF + 'processVariableCorrelation'));
  const created = wanted.map((pair) => {
    const correlation = bpmnFactory.create(SPIFF + 'processVariableCorrelation');
    correlation.propertyId = bpmnFactory.create(SPIFF + 'propertyId', { value: pair[0] });
    correlation.expression = bpmnFactory.create(SPIFF + 'expression', { value: pair[1] });
    correlation.propertyId.$parent = correlation;
    correlation.expression.$parent = correlation;
    correlation.$parent = extensionElements;
    return correlation;
  });
  modeling.updateModdleProperties(element, extensionElements, { values: kept.concat(created) });
}

// ---- the live sandbox check ---------------------------------------------------------------------

const verdicts = new Map();

function checkCode(config, source, kind) {
  const key = kind + '\u0000' + source;
  if (!verdicts.has(key)) {
    verdicts.set(key, fetch(config.checkUrl, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': config.csrfToken },
      body: JSON.stringify({ source: source, kind: kind })
    }).then((response) => {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).catch((error) => { verdicts.delete(key); return { failed: String(error) }; }));
  }
  return verdicts.get(key);
}

function CodeEntry(props) {
  const { element, id, label, kind, getValue, setValue, rows } = props;
  const config = useService('config.casedesk');
  const debounce = useService('debounceInput');
  const translate = useService('translate');  // its pop-up button's title, as the panel's own fields have it
  const labels = config.labels;
  const value = getValue(element) || '';
  const [verdict, setVerdict] = useState({ state: 'empty' });
  useEffect(() => {
    if (!value.trim()) { setVerdict({ state: 'empty' }); return undefined; }
    let current = true;
    setVerdict({ state: 'checking' });
    checkCode(config, value, kind).then((result) => {
      if (!current) { return; }
      if (result.failed) { setVerdict({ state: 'unknown', text: labels.checkFailed }); }
      else if (result.ok) { setVerdict({ state: 'ok', text: labels.checkOk }); }
      else { setVerdict({ state: 'problems', text: result.problems.map((p) => p.message).join('\n') }); }
    });
    return () => { current = false; };
  }, [value, kind]);
  return jsxs('div', {
    class: 'casedesk-code',
    children: [
      jsx(TextAreaEntry, { element: element, id: id, label: label, getValue: () => value, setValue: setValue,
        debounce: debounce, monospace: true, rows: rows || 2, autoResize: true, translate: translate }),
      jsx('p', { class: 'casedesk-check casedesk-check-' + verdict.state, 'data-check': verdict.state,
        'data-entry': id, children: verdict.state === 'checking' ? labels.checking : verdict.text || '' })
    ]
  });
}

// ---- entries ------------------------------------------------------------------------------------

function PropertyField(props) {
  const { element, id, name, label } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return TextFieldEntry({ element: element, id: id, label: label, debounce: debounce,
    getValue: () => spiffProperty(element, name),
    setValue: (value) => setSpiffProperty(element, name, value, injector) });
}

function PropertyCode(props) {
  const { element, id, name, label } = props;
  const injector = useService('injector');
  return jsx(CodeEntry, { element: element, id: id, label: label, kind: 'expression',
    getValue: () => spiffProperty(element, name),
    setValue: (value) => setSpiffProperty(element, name, value, injector) });
}

function FormSelect(props) {
  const { element, id, name, label, ui } = props;
  const injector = useService('injector');
  const config = useService('config.casedesk');
  const files = config.formFiles.filter((file) => ui === /uischema/.test(file));
  return SelectEntry({ element: element, id: id, label: label,
    getValue: () => spiffProperty(element, name),
    setValue: (value) => setSpiffProperty(element, name, value, injector),
    getOptions: () => {
      const current = spiffProperty(element, name);
      const names = files.indexOf(current) < 0 && current ? files.concat([current]) : files;
      return [{ value: '', label: config.labels.none }].concat(names.map((file) => ({ value: file, label: file })));
    } });
}

function ScriptField(props) {
  const { element, id, label } = props;
  const modeling = useService('modeling');
  return jsx(CodeEntry, { element: element, id: id, label: label, kind: 'script', rows: 6,
    getValue: () => element.businessObject.script || '',
    setValue: (value) => modeling.updateProperties(element, { script: value || undefined }) });
}

function ConditionField(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  return jsx(CodeEntry, { element: element, id: id, label: label, kind: 'expression',
    getValue: () => { const c = element.businessObject.conditionExpression; return c ? c.body || '' : ''; },
    setValue: (value) => setCondition(element, value, injector) });
}

function DecisionSelect(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  const config = useService('config.casedesk');
  return SelectEntry({ element: element, id: id, label: label,
    getValue: () => calledDecision(element),
    setValue: (value) => setCalledDecision(element, value, injector),
    getOptions: () => {
      const current = calledDecision(element);
      const ids = (config.decisions || []).slice();
      if (current && ids.indexOf(current) < 0) { ids.push(current); }
      return [{ value: '', label: config.labels.none }].concat(ids.map((id) => ({ value: id, label: id })));
    } });
}

function OperatorSelect(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  const config = useService('config.casedesk');
  return SelectEntry({ element: element, id: id, label: label,
    getValue: () => { const operator = operatorOf(element); return operator ? operator.id || '' : ''; },
    setValue: (value) => setOperator(element, value, config.operators, injector),
    getOptions: () => {
      const current = operatorOf(element);
      const names = config.operators.map((operator) => operator.name);
      if (current && current.id && names.indexOf(current.id) < 0) { names.push(current.id); }
      return [{ value: '', label: config.labels.none }].concat(names.map((name) => ({ value: name, label: name })));
    } });
}

function OperatorAttribute(props) {
  const { element, id, label, attribute } = props;
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return TextFieldEntry({ element: element, id: id, label: label, debounce: debounce,
    getValue: () => { const operator = operatorOf(element); return (operator && operator.get(attribute)) || ''; },
    setValue: (value) => {
      const operator = operatorOf(element);
      if (operator) { modeling.updateModdleProperties(element, operator, { [attribute]: value || undefined }); }
    } });
}

function ParameterField(props) {
  const { element, id, label, parameter } = props;
  const injector = useService('injector');
  return jsx(CodeEntry, { element: element, id: id, label: label, kind: 'expression', rows: 1,
    getValue: () => {
      const found = operatorParameters(operatorOf(element)).find((p) => p.id === parameter);
      return found ? found.value || '' : '';
    },
    setValue: (value) => setParameter(element, parameter, value, injector) });
}

function BindingSelect(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  const labels = useService('config.casedesk').labels;
  return SelectEntry({ element: element, id: id, label: label,
    getValue: () => spiffProperty(element, 'calledElementBinding'),
    setValue: (value) => setSpiffProperty(element, 'calledElementBinding', value, injector),
    getOptions: () => [{ value: '', label: labels.bindingLatest }, { value: 'deployment', label: labels.bindingDeployment },
      { value: 'version', label: labels.bindingVersion }] });
}

function CalledElementField(props) {
  const { element, id, label } = props;
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return TextFieldEntry({ element: element, id: id, label: label, debounce: debounce,
    getValue: () => element.businessObject.calledElement || '',
    setValue: (value) => modeling.updateProperties(element, { calledElement: (value || '').trim() || undefined }) });
}

function LoopVariableField(props) {
  const { element, id, label, property } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return TextFieldEntry({ element: element, id: id, label: label, debounce: debounce,
    getValue: () => { const loop = loopOf(element); return (loop && loop.get(property)) || ''; },
    setValue: (value) => setLoopVariable(element, property, value, injector) });
}

function LoopItemField(props) {
  const { element, id, label, property, type } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return TextFieldEntry({ element: element, id: id, label: label, debounce: debounce,
    getValue: () => { const loop = loopOf(element); const item = loop && loop.get(property); return (item && item.id) || ''; },
    setValue: (value) => setLoopItem(element, property, type, value, injector) });
}

function MessagePayloadField(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  return jsx(CodeEntry, { element: element, id: id, label: label, kind: 'expression', rows: 1,
    getValue: () => messageExtension(element, 'messagePayload'),
    setValue: (value) => setMessageExtension(element, 'messagePayload', value, injector) });
}

function MessageVariableField(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return TextFieldEntry({ element: element, id: id, label: label, debounce: debounce,
    getValue: () => messageExtension(element, 'messageVariable'),
    setValue: (value) => setMessageExtension(element, 'messageVariable', value, injector) });
}

function CorrelationField(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return TextAreaEntry({ element: element, id: id, label: label, debounce: debounce, monospace: true, rows: 2,
    translate: useService('translate'), getValue: () => correlationText(element),
    setValue: (value) => setCorrelation(element, value, injector) });
}

function DiagramTextField(props) {
  const { element, id, label, read, write } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return TextAreaEntry({ element: element, id: id, label: label, debounce: debounce, monospace: true, rows: 3,
    autoResize: true, translate: useService('translate'), getValue: () => read(element),
    setValue: (value) => write(element, value, injector) });
}

function entry(id, component, props, isEdited) {
  return Object.assign({ id: id, component: component, isEdited: isEdited || isTextFieldEntryEdited }, props);
}

function casedeskEntries(element, config) {
  const labels = config.labels;
  const bo = element.businessObject;
  const entries = [];
  if (is(element, 'bpmn:UserTask')) {
    entries.push(entry('casedesk-form', FormSelect,
      { name: 'formJsonSchemaFilename', label: labels.form, ui: false }, isSelectEntryEdited));
    entries.push(entry('casedesk-ui-schema', FormSelect,
      { name: 'formUiSchemaFilename', label: labels.uiSchema, ui: true }, isSelectEntryEdited));
    entries.push(entry('casedesk-candidate-groups', PropertyCode, { name: 'candidateGroups', label: labels.candidateGroups },
      isTextAreaEntryEdited));
    entries.push(entry('casedesk-assignee', PropertyCode, { name: 'assignee', label: labels.assignee },
      isTextAreaEntryEdited));
    entries.push(entry('casedesk-due-at', PropertyCode, { name: 'dueAt', label: labels.dueAt }, isTextAreaEntryEdited));
  }
  if (is(element, 'bpmn:Task')) {
    entries.push(entry('casedesk-business-key', PropertyCode, { name: 'businessKey', label: labels.businessKey },
      isTextAreaEntryEdited));
  }
  if (is(element, 'bpmn:ScriptTask')) {
    entries.push(entry('casedesk-script', ScriptField, { label: labels.script }, isTextAreaEntryEdited));
  }
  if (is(element, 'bpmn:SequenceFlow') && bo.sourceRef && (is(bo.sourceRef, 'bpmn:ExclusiveGateway') ||
      is(bo.sourceRef, 'bpmn:InclusiveGateway') || is(bo.sourceRef, 'bpmn:Activity'))) {
    entries.push(entry('casedesk-condition', ConditionField, { label: labels.condition }, isTextAreaEntryEdited));
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    entries.push(entry('casedesk-decision', DecisionSelect, { label: labels.decision }, isSelectEntryEdited));
  }
  if (is(element, 'bpmn:ServiceTask')) {
    entries.push(entry('casedesk-operator', OperatorSelect, { label: labels.operator }, isSelectEntryEdited));
    const operator = operatorOf(element);
    if (operator) {
      entries.push(entry('casedesk-result-variable', OperatorAttribute,
        { label: labels.resultVariable, attribute: 'resultVariable' }));
      operatorParameters(operator).forEach((parameter) => {
        entries.push(entry('casedesk-parameter-' + parameter.id, ParameterField,
          { label: labels.parameter.replace('{name}', parameter.id), parameter: parameter.id }, isTextAreaEntryEdited));
      });
    }
    entries.push(entry('casedesk-retry', PropertyField, { name: 'retry', label: labels.retry }));
  }
  if (is(element, 'bpmn:CallActivity')) {
    entries.push(entry('casedesk-called-element', CalledElementField, { label: labels.calledElement }));
    entries.push(entry('casedesk-binding', BindingSelect, { label: labels.binding }, isSelectEntryEdited));
    if (spiffProperty(element, 'calledElementBinding') === 'version') {
      entries.push(entry('casedesk-called-version', PropertyField,
        { name: 'calledElementVersion', label: labels.calledVersion }));
    }
  }
  if (loopOf(element)) {
    entries.push(entry('casedesk-input-collection', LoopVariableField,
      { label: labels.inputCollection, property: 'loopDataInputRef' }));
    entries.push(entry('casedesk-input-element', LoopItemField,
      { label: labels.inputElement, property: 'inputDataItem', type: 'bpmn:DataInput' }));
    entries.push(entry('casedesk-output-collection', LoopVariableField,
      { label: labels.outputCollection, property: 'loopDataOutputRef' }));
    entries.push(entry('casedesk-output-element', LoopItemField,
      { label: labels.outputElement, property: 'outputDataItem', type: 'bpmn:DataOutput' }));
  }
  if (messageDefinition(element)) {
    if (is(element, 'bpmn:ThrowEvent')) {
      entries.push(entry('casedesk-message-payload', MessagePayloadField, { label: labels.messagePayload },
        isTextAreaEntryEdited));
    } else {
      entries.push(entry('casedesk-message-variable', MessageVariableField, { label: labels.messageVariable }));
    }
    entries.push(entry('casedesk-correlation', CorrelationField, { label: labels.correlation }, isTextAreaEntryEdited));
  }
  if (is(element, 'bpmn:Collaboration') || is(element, 'bpmn:Participant') || is(element, 'bpmn:Process')) {
    entries.push(entry('casedesk-messages', DiagramTextField, { label: labels.messages, read: messagesText,
      write: setMessages }, isTextAreaEntryEdited));
    entries.push(entry('casedesk-correlation-properties', DiagramTextField, { label: labels.correlationProperties,
      read: propertiesText, write: setProperties }, isTextAreaEntryEdited));
    if (collaborationOf(element)) {
      entries.push(entry('casedesk-correlation-keys', DiagramTextField, { label: labels.correlationKeys,
        read: keysText, write: setKeys }, isTextAreaEntryEdited));
    }
  }
  return entries;
}

class CasedeskPropertiesProvider {
  constructor(propertiesPanel, injector, config, casedeskNames, translate) {
    this._config = config;
    this._names = casedeskNames;
    this._translate = translate;
    propertiesPanel.registerProvider(400, this);
  }

  getGroups(element) {
    return (groups) => {
      const entries = casedeskEntries(element, this._config);
      if (entries.length) {
        // Right after "General", so what casedesk runs on is the first thing an owner sees.
        const at = groups.findIndex((group) => group.id === 'general') + 1;
        groups.splice(at, 0, { id: 'casedesk', label: this._config.labels.group, entries: entries, component: Group });
      }
      const names = nameEntries(element, this._names, this._config.labels);
      if (names.length) {
        const after = groups.findIndex((group) => group.id === 'casedesk') + 1 ||
          groups.findIndex((group) => group.id === 'general') + 1;
        groups.splice(after, 0, { id: 'casedesk-names', label: this._config.labels.namesGroup, entries: names,
          component: Group });
      }
      // The panel draws each group's header ("Toggle section", "Section contains edits") with the group's own
      // translate, English unless the group brings one: every group brings the modeler's (translate.js).
      for (const group of groups) {
        group.translate = group.translate || this._translate;
      }
      return groups;
    };
  }
}
CasedeskPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'config.casedesk', 'casedeskNames', 'translate'];

export default {
  __init__: ['casedeskNames', 'casedeskPropertiesProvider'],
  casedeskNames: ['type', CasedeskNames],
  casedeskPropertiesProvider: ['type', CasedeskPropertiesProvider]
};

// Collaboration-level messages and correlation, as SpiffWorkflow reads them (bpmn/parser/BpmnParser.py
// _add_correlations, spiff/parser/event_parsers.py): <bpmn:message id name> and <bpmn:correlationProperty id
// name><bpmn:correlationPropertyRetrievalExpression messageRef><bpmn:messagePath>expr</…> among the
// definitions' root elements, <bpmn:correlationKey name><bpmn:correlationPropertyRef>id</…> in the collaboration.
// Edited as text in the panel when the diagram itself (its collaboration or process) is selected.

function definitionsOf(element) {
  let bo = element.businessObject;
  while (bo && bo.$parent) { bo = bo.$parent; }
  return bo;
}

function rootsOf(element, type) {
  return (definitionsOf(element).get('rootElements') || []).filter((root) => root.$instanceOf(type));
}

function identifier(text) {
  const id = text.trim().replace(/[^A-Za-z0-9_.-]+/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : '_' + id;
}

function setRoots(element, keep, added, injector) {
  const definitions = definitionsOf(element);
  const roots = definitions.get('rootElements').filter(keep).concat(added);
  added.forEach((root) => { root.$parent = definitions; });
  injector.get('modeling').updateModdleProperties(element, definitions, { rootElements: roots });
}

// Messages still thrown or caught somewhere are never removed by leaving them out of the text.
function usedMessages(element) {
  const used = new Set();
  const visit = (node) => {
    if (!node || typeof node !== 'object') { return; }
    (node.eventDefinitions || []).forEach((d) => { if (d.messageRef) { used.add(d.messageRef); } });
    (node.flowElements || []).forEach(visit);
  };
  rootsOf(element, 'bpmn:Process').forEach(visit);
  rootsOf(element, 'bpmn:CorrelationProperty').forEach((p) => (p.correlationPropertyRetrievalExpression || [])
    .forEach((e) => { if (e.messageRef) { used.add(e.messageRef); } }));
  return used;
}

export function messagesText(element) {
  return rootsOf(element, 'bpmn:Message').map((m) => m.name || m.id).join('\n');
}

export function setMessages(element, text, injector) {
  const wanted = (text || '').split('\n').map((line) => line.trim()).filter(Boolean);
  const existing = rootsOf(element, 'bpmn:Message');
  const used = usedMessages(element);
  const bpmnFactory = injector.get('bpmnFactory');
  const added = wanted.filter((name) => !existing.some((m) => (m.name || m.id) === name))
    .map((name) => bpmnFactory.create('bpmn:Message', { id: identifier(name), name: name }));
  setRoots(element, (root) => !root.$instanceOf('bpmn:Message') || used.has(root) ||
    wanted.indexOf(root.name || root.id) >= 0, added, injector);
}

function messageNamed(element, name, injector, created) {
  const found = rootsOf(element, 'bpmn:Message').concat(created).find((m) => (m.name || m.id) === name || m.id === name);
  if (found) { return found; }
  const message = injector.get('bpmnFactory').create('bpmn:Message', { id: identifier(name), name: name });
  created.push(message);
  return message;
}

// One `property: message = expression` a line (one line per message the property is read from).
export function propertiesText(element) {
  const lines = [];
  rootsOf(element, 'bpmn:CorrelationProperty').forEach((property) => {
    (property.correlationPropertyRetrievalExpression || []).forEach((retrieval) => {
      const message = retrieval.messageRef;
      lines.push((property.name || property.id) + ': ' + (message ? message.name || message.id : '') + ' = ' +
        ((retrieval.messagePath && retrieval.messagePath.body) || ''));
    });
  });
  return lines.join('\n');
}

export function setProperties(element, text, injector) {
  const bpmnFactory = injector.get('bpmnFactory');
  const parsed = (text || '').split('\n').map((line) => /^\s*([^:=]+?)\s*:\s*([^=]+?)\s*=\s*(.+?)\s*$/.exec(line))
    .filter(Boolean);
  const existing = rootsOf(element, 'bpmn:CorrelationProperty');
  const createdMessages = [];
  const byName = new Map();
  parsed.forEach((match) => {
    const name = match[1];
    let property = byName.get(name);
    if (!property) {
      property = existing.find((p) => (p.name || p.id) === name) ||
        bpmnFactory.create('bpmn:CorrelationProperty', { id: identifier(name), name: name });
      property.correlationPropertyRetrievalExpression = [];
      byName.set(name, property);
    }
    const retrieval = bpmnFactory.create('bpmn:CorrelationPropertyRetrievalExpression', {
      messageRef: messageNamed(element, match[2], injector, createdMessages),
      messagePath: bpmnFactory.create('bpmn:FormalExpression', { body: match[3] })
    });
    retrieval.$parent = property;
    retrieval.messagePath.$parent = retrieval;
    property.correlationPropertyRetrievalExpression.push(retrieval);
  });
  const kept = Array.from(byName.values());
  setRoots(element, (root) => !root.$instanceOf('bpmn:CorrelationProperty'),
    createdMessages.concat(kept), injector);
  // Keys keep pointing only at properties that still exist.
  const collaboration = collaborationOf(element);
  if (collaboration) {
    (collaboration.get('correlationKeys') || []).forEach((key) => {
      const refs = key.get('correlationPropertyRef').filter((p) => kept.indexOf(p) >= 0);
      injector.get('modeling').updateModdleProperties(element, key, { correlationPropertyRef: refs });
    });
  }
}

export function collaborationOf(element) {
  return rootsOf(element, 'bpmn:Collaboration')[0] || null;
}

// One `key: property, property` a line.
export function keysText(element) {
  const collaboration = collaborationOf(element);
  return ((collaboration && collaboration.get('correlationKeys')) || []).map((key) =>
    key.name + ': ' + key.get('correlationPropertyRef').map((p) => p.name || p.id).join(', ')).join('\n');
}

export function setKeys(element, text, injector) {
  const collaboration = collaborationOf(element);
  if (!collaboration) { return; }
  const properties = rootsOf(element, 'bpmn:CorrelationProperty');
  const bpmnFactory = injector.get('bpmnFactory');
  const keys = (text || '').split('\n').map((line) => /^\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(line)).filter(Boolean)
    .map((match) => {
      const refs = match[2].split(',').map((name) => name.trim()).filter(Boolean)
        .map((name) => properties.find((p) => (p.name || p.id) === name || p.id === name)).filter(Boolean);
      const key = bpmnFactory.create('bpmn:CorrelationKey', { name: match[1] });
      key.correlationPropertyRef = refs;
      key.$parent = collaboration;
      return key;
    });
  injector.get('modeling').updateModdleProperties(element, collaboration, { correlationKeys: keys });
}

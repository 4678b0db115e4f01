// The spiffworkflow extension namespace as casedesk's diagrams write it (see processes/*.bpmn and
// engine/definitions/parsing.py): type names are the element names, so the modeler reads and writes
// <spiffworkflow:properties>, <spiffworkflow:serviceTaskOperator id resultVariable> with
// <spiffworkflow:parameters><spiffworkflow:parameter id type value/>, and keeps the rest as it found it.
function body(name) {
  return { name: name, superClass: ['Element'], properties: [{ name: 'value', isBody: true, type: 'String' }] };
}

export default {
  name: 'SpiffWorkflow',
  prefix: 'spiffworkflow',
  uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  associations: [],
  types: [
    { name: 'properties', superClass: ['Element'],
      properties: [{ name: 'properties', type: 'property', isMany: true }] },
    { name: 'property', superClass: ['Element'],
      properties: [{ name: 'name', isAttr: true, type: 'String' }, { name: 'value', isAttr: true, type: 'String' }] },
    { name: 'serviceTaskOperator', superClass: ['Element'],
      properties: [{ name: 'id', isAttr: true, type: 'String' },
                   { name: 'resultVariable', isAttr: true, type: 'String' },
                   { name: 'parameterList', type: 'parameters' }, { name: 'retry', type: 'retry' }] },
    { name: 'parameters', superClass: ['Element'],
      properties: [{ name: 'parameters', type: 'parameter', isMany: true }] },
    { name: 'parameter', superClass: ['Element'],
      properties: [{ name: 'id', isAttr: true, type: 'String' }, { name: 'type', isAttr: true, type: 'String' },
                   { name: 'value', isAttr: true, type: 'String' }] },
    { name: 'retry', superClass: ['Element'],
      properties: [{ name: 'retries', isAttr: true, type: 'String' }, { name: 'backoff_base', isAttr: true, type: 'String' }] },
    // Every other element SpiffWorkflow 3.2's parser reads (spiff/parser/task_spec.py, event_parsers.py): an
    // element of this namespace that the descriptor does not name would be dropped by the modeler on import.
    body('calledDecisionId'), body('instructionsForEndUser'), body('preScript'), body('postScript'),
    body('messagePayload'), body('messageVariable'), body('propertyId'), body('expression'),
    body('inputJson'), body('expectedOutputJson'),
    { name: 'processVariableCorrelation', superClass: ['Element'],
      properties: [{ name: 'propertyId', type: 'propertyId' }, { name: 'expression', type: 'expression' }] },
    { name: 'unitTests', superClass: ['Element'], properties: [{ name: 'unitTests', type: 'unitTest', isMany: true }] },
    { name: 'unitTest', superClass: ['Element'],
      properties: [{ name: 'id', isAttr: true, type: 'String' }, { name: 'inputJson', type: 'inputJson' },
                   { name: 'expectedOutputJson', type: 'expectedOutputJson' }] },
    { name: 'taskMetadataValues', superClass: ['Element'],
      properties: [{ name: 'values', type: 'taskMetadataValue', isMany: true }] },
    { name: 'taskMetadataValue', superClass: ['Element'],
      properties: [{ name: 'name', isAttr: true, type: 'String' }, { name: 'value', isAttr: true, type: 'String' }] }
    // spiffworkflow:scriptsOnInstances on a bpmn:multiInstanceLoopCharacteristics is kept as a foreign attribute:
    // declaring it with `extends` would make bpmn-js write that element's tag capitalised.
  ]
};

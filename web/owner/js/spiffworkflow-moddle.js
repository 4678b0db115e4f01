// The spiffworkflow extension namespace as casedesk's diagrams write it (see processes/*.bpmn and
// engine/definitions/parsing.py): type names are the element names, so the modeler reads and writes
// <spiffworkflow:properties>, <spiffworkflow:serviceTaskOperator id resultVariable> with
// <spiffworkflow:parameters><spiffworkflow:parameter id type value/>, and keeps the rest as it found it.
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
                   { name: 'parameterList', type: 'parameters' }] },
    { name: 'parameters', superClass: ['Element'],
      properties: [{ name: 'parameters', type: 'parameter', isMany: true }] },
    { name: 'parameter', superClass: ['Element'],
      properties: [{ name: 'id', isAttr: true, type: 'String' }, { name: 'type', isAttr: true, type: 'String' },
                   { name: 'value', isAttr: true, type: 'String' }] },
    { name: 'retry', superClass: ['Element'],
      properties: [{ name: 'retries', isAttr: true, type: 'String' }, { name: 'backoff_base', isAttr: true, type: 'String' }] },
    { name: 'calledDecisionId', superClass: ['Element'],
      properties: [{ name: 'decisionId', isBody: true, type: 'String' }] },
    { name: 'preScript', superClass: ['Element'], properties: [{ name: 'script', isBody: true, type: 'String' }] },
    { name: 'postScript', superClass: ['Element'], properties: [{ name: 'script', isBody: true, type: 'String' }] }
  ]
};

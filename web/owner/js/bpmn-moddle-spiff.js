// The BPMN meta-model as SpiffWorkflow reads it: a multi-instance activity's loopDataInputRef and
// loopDataOutputRef name task-data variables (`<bpmn:loopDataInputRef>findings</bpmn:loopDataInputRef>`),
// not ids of data elements, so they are kept as text instead of being dropped as unresolved references.
import bpmn from 'bpmn-moddle/resources/bpmn/json/bpmn.json';

const VARIABLE_REFERENCES = ['loopDataInputRef', 'loopDataOutputRef'];

export default Object.assign({}, bpmn, {
  types: bpmn.types.map((type) => type.name !== 'MultiInstanceLoopCharacteristics' ? type : Object.assign({}, type, {
    properties: type.properties.map((property) => VARIABLE_REFERENCES.indexOf(property.name) < 0 ? property
      : { name: property.name, type: 'String' })
  }))
});

// Bundled by `make assets` (esbuild) into build/assets/owner-modeler.js: the bpmn-js modeler with the
// properties panel and casedesk's provider, as one script served by web/owner/assets.py (no CDN, no inline
// script). web/owner/static/modeler.js builds it through window.CasedeskModeler.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import CasedeskPropertiesProvider from './casedesk-provider';
import CasedeskTranslate from './translate';
import spiffworkflow from './spiffworkflow-moddle';
import bpmn from './bpmn-moddle-spiff';

window.CasedeskModeler = function (container, panel, casedesk) {
  return new Modeler({
    container: container,
    keyboard: { bind: true },
    propertiesPanel: { parent: panel },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CasedeskPropertiesProvider,
      CasedeskTranslate],
    moddleExtensions: { bpmn: bpmn, spiffworkflow: spiffworkflow },
    casedesk: casedesk
  });
};

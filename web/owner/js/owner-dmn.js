// Bundled by `make assets` (esbuild) into build/assets/owner-dmn.js and owner-dmn.css: the dmn-js modeler
// (decision tables, DRD, literal expressions) with its styles and font, served by web/owner/assets.py
// (no CDN, no inline script). web/owner/static/decision.js builds it through window.CasedeskDmnModeler.
import DmnModeler from 'dmn-js/lib/Modeler';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn.css';

window.CasedeskDmnModeler = function (container) {
  return new DmnModeler({ container: container });
};

// Modeler page: edit the diagram with bpmn-js and its properties panel (casedesk's provider, built into
// /static/vendor/casedesk/owner-modeler.js); deploying posts the saved XML as a new version.
(function () {
  var holder = document.getElementById('modeler');
  var panel = document.getElementById('properties');
  var form = document.getElementById('modeler-form');
  var source = document.getElementById('modeler-xml');
  if (!holder || !form || !source) { return; }
  if (typeof window.CasedeskModeler !== 'function') {
    holder.textContent = holder.dataset.missing;
    holder.classList.add('diagram-missing');
    return;
  }

  function parsed(text, fallback) {
    try { return JSON.parse(text || ''); } catch (error) { return fallback; }
  }

  var casedesk = {
    checkUrl: holder.dataset.checkUrl,
    csrfToken: holder.dataset.csrfToken,
    formFiles: parsed(holder.dataset.formFiles, []),
    labels: parsed(holder.dataset.labels, {}),
    operators: []
  };
  var modeler = new window.CasedeskModeler(holder, panel, casedesk);
  window.casedeskModeler = modeler;  // end-to-end tests drive the modeler through its own API

  // The registered service operators (with their parameter names) fill the panel's operator choice.
  var operators = fetch(holder.dataset.operatorsUrl, { credentials: 'same-origin' })
    .then(function (response) { return response.ok ? response.json() : []; })
    .then(function (list) { casedesk.operators = list; })
    .catch(function () { casedesk.operators = []; });

  Promise.all([operators, modeler.importXML(source.value)])
    .then(function () {
      var canvas = modeler.get('canvas');
      // Labels off shapes, flows and each other; fitted beside the palette, never under it (web/static/layout.js).
      if (window.casedeskLayout) { window.casedeskLayout(modeler, holder); } else { canvas.zoom('fit-viewport'); }
      // Elements named in the validation report are outlined, so the owner sees where to fix.
      document.querySelectorAll('#problems tr[data-element]').forEach(function (row) {
        var id = row.dataset.element;
        if (id && modeler.get('elementRegistry').get(id)) { canvas.addMarker(id, 'marked-problem'); }
      });
      holder.dataset.rendered = 'true';
    })
    .catch(function (error) { holder.textContent = String(error); });

  var saving = false;
  form.addEventListener('submit', function (event) {
    if (saving) { return; }
    event.preventDefault();
    // form.submit() sends no submitter: say which button it was.
    var asModel = document.getElementById('modeler-as-model');
    if (asModel) { asModel.value = event.submitter && event.submitter.dataset.asModel ? '1' : ''; }
    modeler.saveXML({ format: true }).then(function (result) {
      source.value = result.xml;
      saving = true;
      form.submit();
    }).catch(function (error) { alert(String(error)); });
  });
})();

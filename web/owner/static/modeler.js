// Modeler page: edit the diagram with bpmn-js; deploying posts the saved XML as a new version.
(function () {
  var holder = document.getElementById('modeler');
  var form = document.getElementById('modeler-form');
  var source = document.getElementById('modeler-xml');
  if (!holder || !form || !source) { return; }
  if (typeof window.BpmnJS !== 'function') {
    holder.textContent = holder.dataset.missing;
    holder.classList.add('diagram-missing');
    return;
  }
  var modeler = new window.BpmnJS({ container: holder, keyboard: { bindTo: document } });
  window.casedeskModeler = modeler;  // end-to-end tests drive the modeler through its own API
  modeler.importXML(source.value)
    .then(function () {
      var canvas = modeler.get('canvas');
      canvas.zoom('fit-viewport');
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

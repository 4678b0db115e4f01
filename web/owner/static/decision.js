// Decision-table page: edit a version's .dmn file with dmn-js (built into /static/vendor/casedesk/owner-dmn.js);
// deploying posts the saved DMN, with the version's other files, as a new version.
(function () {
  var holder = document.getElementById('decision-editor');
  var form = document.getElementById('decision-form');
  var source = document.getElementById('decision-xml');
  if (!holder || !form || !source) { return; }
  if (typeof window.CasedeskDmnModeler !== 'function') {
    holder.textContent = holder.dataset.missing;
    holder.classList.add('diagram-missing');
    return;
  }
  var modeler = new window.CasedeskDmnModeler(holder);
  window.casedeskDmnModeler = modeler;  // end-to-end tests drive the editor through its own API

  modeler.importXML(source.value)
    .then(function () {
      // Tables open as tables: a file without diagram shapes has nothing to show in the DRD view.
      var table = modeler.getViews().filter(function (view) { return view.type === 'decisionTable'; })[0];
      return table ? modeler.open(table) : null;
    })
    .then(function () { holder.dataset.rendered = 'true'; })
    .catch(function (error) { holder.textContent = String(error); });

  var saving = false;
  form.addEventListener('submit', function (event) {
    if (saving) { return; }
    event.preventDefault();
    modeler.saveXML({ format: true }).then(function (result) {
      source.value = result.xml;
      saving = true;
      form.submit();
    }).catch(function (error) { alert(String(error)); });
  });
})();

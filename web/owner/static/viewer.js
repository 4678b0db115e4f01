// Version page: the version's main diagram in the bpmn-js (navigated) viewer.
(function () {
  var holder = document.getElementById('owner-diagram');
  if (!holder) { return; }
  if (typeof window.BpmnJS !== 'function') {
    holder.textContent = holder.dataset.missing;
    holder.classList.add('diagram-missing');
    return;
  }
  var viewer = new window.BpmnJS({ container: holder });
  window.casedeskViewer = viewer;  // end-to-end tests read what was rendered
  fetch(holder.dataset.url, { credentials: 'same-origin' })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      if (window.casedeskLayout) { window.casedeskLayout(viewer, holder); } else { viewer.get('canvas').zoom('fit-viewport'); }
      holder.dataset.rendered = 'true';
    })
    .catch(function (error) { holder.textContent = String(error); });
})();

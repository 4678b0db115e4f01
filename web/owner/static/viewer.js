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
  fetch(holder.dataset.url, { credentials: 'same-origin' })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () { viewer.get('canvas').zoom('fit-viewport'); holder.dataset.rendered = 'true'; })
    .catch(function (error) { holder.textContent = String(error); });
})();

// Instance page: show the pinned BPMN version in the bpmn-js viewer, marking completed and waiting elements.
(function () {
  var holder = document.getElementById('diagram');
  if (!holder) { return; }
  if (typeof window.BpmnJS !== 'function') {
    holder.textContent = holder.dataset.missing || 'bpmn-js is not installed (run make setup).';
    holder.classList.add('diagram-missing');
    return;
  }
  var completed = JSON.parse(holder.dataset.completed || '[]');
  var active = JSON.parse(holder.dataset.active || '[]');
  var viewer = new window.BpmnJS({ container: holder });

  function show(url) {
    fetch(url, { credentials: 'same-origin' })
      .then(function (response) { return response.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'cd-completed'); } });
        active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'cd-active'); } });
        if (window.casedeskLayout) { window.casedeskLayout(viewer, holder); } else { canvas.zoom('fit-viewport'); }
        holder.dataset.rendered = 'true';
      })
      .catch(function (error) { holder.textContent = String(error); });
  }

  document.querySelectorAll('[data-diagram]').forEach(function (button) {
    button.addEventListener('click', function () { show(button.dataset.diagram); });
  });
  if (holder.dataset.url) { show(holder.dataset.url); }
})();

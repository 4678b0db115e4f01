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
    draw(fetch(url, { credentials: 'same-origin' }).then(function (response) { return response.text(); }));
  }

  function draw(source) {
    source
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
  // A diagram not stored anywhere (a test run of uploaded files) comes inline, as a JSON string.
  var inline = holder.dataset.source ? document.getElementById(holder.dataset.source) : null;
  if (inline) { draw(Promise.resolve(JSON.parse(inline.textContent))); } else if (holder.dataset.url) { show(holder.dataset.url); }
})();

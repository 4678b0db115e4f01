// Auditor pages: step through an instance's replayed history on the diagram; draw a process's activity heatmap.
(function () {
  'use strict';

  function viewerIn(holder) {
    if (typeof window.BpmnJS !== 'function') {
      holder.textContent = holder.dataset.missing || 'bpmn-js is not installed (run make setup).';
      holder.classList.add('diagram-missing');
      return null;
    }
    return new window.BpmnJS({ container: holder });
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function item(list, text) {
    var li = document.createElement('li');
    li.textContent = text;
    list.appendChild(li);
  }

  // -- history stepper -----------------------------------------------------------------------
  function stepper(section) {
    var holder = document.getElementById('replay-diagram');
    var viewer = viewerIn(holder);
    var slider = document.getElementById('step-seq');
    var label = document.getElementById('step-label');
    var last = parseInt(section.dataset.last, 10) || 0;
    var stateUrl = section.dataset.stateUrl.replace(/0\.json$/, '');
    var zone = section.dataset.timezone || 'UTC';
    var marked = [];
    var current = null;
    var shown = null;
    var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      { timeZone: zone, dateStyle: 'medium', timeStyle: 'medium' });

    function when(iso) { return format.format(new Date(iso)) + ' (' + zone + ')'; }

    function mark(state) {
      if (!viewer || !state || !holder.dataset.rendered) { return; }
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
      marked = [];
      function add(id, marker) {
        if (registry.get(id)) { canvas.addMarker(id, marker); marked.push([id, marker]); }
      }
      Object.keys(state.completed).forEach(function (id) { add(id, 'cd-completed'); });
      Object.keys(state.flows).forEach(function (id) { add(id, 'cd-flow'); });
      state.tokens.forEach(function (token) { add(token.element, 'cd-active'); });
    }

    function render(state) {
      current = state;
      var event = state.event;
      label.textContent = '#' + state.seq + ' · ' + when(event.at) + ' · ' + (event.actor || '—') + ' · ' +
        event.type + (event.task_spec ? ' · ' + event.task_spec : '');
      document.getElementById('step-data').textContent = JSON.stringify(state.data, null, 1);
      var actors = document.getElementById('step-actors');
      clear(actors);
      state.actors.forEach(function (a) {
        item(actors, '#' + a.seq + ' ' + when(a.at) + ' ' + a.actor + ': ' + a.type + (a.element ? ' (' + a.element + ')' : ''));
      });
      var tokens = document.getElementById('step-tokens');
      clear(tokens);
      state.tokens.forEach(function (t) {
        var who = t.task_id && state.assignees[t.task_id] ? ' · ' + state.assignees[t.task_id] : '';
        item(tokens, t.element + ' · ' + t.state + who);
      });
      document.querySelectorAll('#replay-events tr[data-seq]').forEach(function (row) {
        row.classList.toggle('current', parseInt(row.dataset.seq, 10) === state.seq);
      });
      mark(state);
    }

    function go(seq) {
      seq = Math.max(1, Math.min(last, seq));
      slider.value = String(seq);
      shown = seq;
      fetch(stateUrl + seq + '.json', { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) { throw new Error(section.dataset.failed); }
          return response.json();
        })
        .then(function (state) { if (shown === seq) { render(state); } })
        .catch(function (error) { label.textContent = '#' + seq + ' · ' + error.message; });
    }

    function show(url) {
      if (!viewer) { return; }
      fetch(url, { credentials: 'same-origin' })
        .then(function (response) { return response.text(); })
        .then(function (xml) { return viewer.importXML(xml); })
        .then(function () {
          if (window.casedeskLayout) { window.casedeskLayout(viewer, holder); } else { viewer.get('canvas').zoom('fit-viewport'); }
          holder.dataset.rendered = 'true';
          marked = [];
          mark(current);
        })
        .catch(function (error) { holder.textContent = String(error); });
    }

    section.querySelectorAll('[data-step]').forEach(function (button) {
      button.addEventListener('click', function () {
        var seq = parseInt(slider.value, 10);
        var moves = { first: 1, back: seq - 1, next: seq + 1, last: last };
        go(moves[button.dataset.step]);
      });
    });
    slider.addEventListener('change', function () { go(parseInt(slider.value, 10)); });
    document.querySelectorAll('#replay-events tr[data-seq]').forEach(function (row) {
      row.addEventListener('click', function (e) {
        e.preventDefault();
        go(parseInt(row.dataset.seq, 10));
      });
    });
    document.querySelectorAll('[data-replay-diagram]').forEach(function (button) {
      button.addEventListener('click', function () { show(button.dataset.replayDiagram); });
    });
    if (holder.dataset.url) { show(holder.dataset.url); }
    if (last > 0) { go(parseInt(section.dataset.start, 10) || last); }
  }

  // -- heatmap -------------------------------------------------------------------------------
  function heatmap(holder) {
    var data = JSON.parse(document.getElementById('heatmap-data').textContent);
    var viewer = viewerIn(holder);
    if (!viewer) { return; }
    var counts = data.counts;
    var most = 1;
    Object.keys(counts.flows).forEach(function (id) { most = Math.max(most, counts.flows[id].instances); });

    function badge(text) {
      var span = document.createElement('span');
      span.className = 'cd-count';
      span.textContent = text;
      return span;
    }

    function draw(index) {
      viewer.importXML(data.diagrams[index]).then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        var overlays = viewer.get('overlays');
        overlays.clear();
        Object.keys(counts.elements).forEach(function (id) {
          if (!registry.get(id)) { return; }
          var c = counts.elements[id];
          canvas.addMarker(id, 'cd-completed');
          overlays.add(id, { position: { top: -14, right: 14 }, html: badge(c.instances + ' / ' + c.passes) });
        });
        Object.keys(counts.flows).forEach(function (id) {
          var element = registry.get(id);
          if (!element) { return; }
          var c = counts.flows[id];
          var gfx = canvas.getGraphics(element);
          var path = gfx && gfx.querySelector('path');
          if (path) { path.style.strokeWidth = String(2 + 6 * c.instances / most); path.style.stroke = '#d9480f'; }
          overlays.add(id, { position: { top: 0, left: 0 }, html: badge(String(c.instances)) });
        });
        if (window.casedeskLayout) { window.casedeskLayout(viewer, holder); } else { canvas.zoom('fit-viewport'); }
        holder.dataset.rendered = 'true';
      }).catch(function (error) { holder.textContent = String(error); });
    }

    document.querySelectorAll('[data-heatmap-diagram]').forEach(function (button) {
      button.addEventListener('click', function () { draw(parseInt(button.dataset.heatmapDiagram, 10)); });
    });
    if (data.diagrams.length) { draw(0); }
  }

  var section = document.getElementById('stepper');
  if (section) { stepper(section); }
  var heat = document.getElementById('heatmap-diagram');
  if (heat) { heatmap(heat); }
})();

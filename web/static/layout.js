// Diagram layout on every page that shows one (viewer, modeler, replay, heatmap): external labels bpmn-js
// placed on a shape, a flow or another label are moved to the nearest free place, and the diagram is fitted
// to its box with a margin, leaving the modeler's palette its own strip so it never covers the diagram.
// Display only: the stored diagram is not changed.
(function () {
  var CONTAINERS = ['bpmn:Participant', 'bpmn:Lane', 'bpmn:SubProcess', 'bpmn:Process', 'bpmn:Collaboration',
    'bpmn:Group', 'bpmn:TextAnnotation'];
  var GAP = 4;

  function isLabel(element) { return element.type === 'label'; }

  function obstacle(element) {
    return !element.waypoints && !isLabel(element) && element.parent && CONTAINERS.indexOf(element.type) < 0;
  }

  function box(element) { return { x: element.x, y: element.y, width: element.width, height: element.height }; }

  function overlaps(a, b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  }

  // Does the segment (p, q) pass through the box (a flow drawn under a label)?
  function crosses(p, q, b) {
    var steps = Math.ceil(Math.max(Math.abs(q.x - p.x), Math.abs(q.y - p.y)) / 4) || 1;
    for (var i = 0; i <= steps; i += 1) {
      var x = p.x + (q.x - p.x) * i / steps, y = p.y + (q.y - p.y) * i / steps;
      if (x > b.x && x < b.x + b.width && y > b.y && y < b.y + b.height) { return true; }
    }
    return false;
  }

  function blocked(candidate, label, obstacles, placed, flows) {
    var target = label.labelTarget;
    for (var i = 0; i < obstacles.length; i += 1) {
      if (obstacles[i] !== target && overlaps(candidate, obstacles[i])) { return true; }
    }
    for (var j = 0; j < placed.length; j += 1) {
      if (placed[j] !== label && overlaps(candidate, placed[j])) { return true; }
    }
    for (var k = 0; k < flows.length; k += 1) {
      var flow = flows[k];
      if (flow === target || flow.source === target || flow.target === target) { continue; }
      for (var w = 1; w < flow.waypoints.length; w += 1) {
        if (crosses(flow.waypoints[w - 1], flow.waypoints[w], candidate)) { return true; }
      }
    }
    return false;
  }

  // Candidate places around where bpmn-js put the label: below, above, right, left, then further out.
  function candidates(label) {
    var list = [{ x: label.x, y: label.y }];
    var target = label.labelTarget;
    var around = target && !target.waypoints ? box(target) : null;
    if (around) {
      var cx = around.x + around.width / 2 - label.width / 2;
      list.push({ x: cx, y: around.y + around.height + GAP });
      list.push({ x: cx, y: around.y - label.height - GAP });
      list.push({ x: around.x + around.width + GAP, y: around.y + around.height / 2 - label.height / 2 });
      list.push({ x: around.x - label.width - GAP, y: around.y + around.height / 2 - label.height / 2 });
    }
    for (var ring = 1; ring <= 6; ring += 1) {
      var d = ring * 12;
      [[0, d], [0, -d], [d, 0], [-d, 0], [d, d], [-d, d], [d, -d], [-d, -d]].forEach(function (o) {
        list.push({ x: label.x + o[0], y: label.y + o[1] });
      });
    }
    return list;
  }

  function tidyLabels(diagram) {
    var registry = diagram.get('elementRegistry');
    var graphics = diagram.get('graphicsFactory');
    var all = registry.getAll();
    var obstacles = all.filter(obstacle);
    var flows = all.filter(function (e) { return e.waypoints && e.type !== 'label'; });
    var labels = all.filter(function (e) { return isLabel(e) && e.businessObject && e.businessObject.name; });
    var placed = [];
    var moved = 0;
    labels.forEach(function (label) {
      var options = candidates(label);
      for (var i = 0; i < options.length; i += 1) {
        var candidate = { x: options[i].x, y: options[i].y, width: label.width, height: label.height };
        if (!blocked(candidate, label, obstacles, placed, flows)) {
          if (i > 0) {
            label.x = Math.round(candidate.x);
            label.y = Math.round(candidate.y);
            var gfx = registry.getGraphics(label);
            if (gfx) { graphics.update('shape', label, gfx); }
            moved += 1;
          }
          break;
        }
      }
      placed.push(label);
    });
    return moved;
  }

  // Fit the whole diagram into the box with a margin; `reserve` keeps a left strip free (the palette).
  function fit(diagram, reserve) {
    var canvas = diagram.get('canvas');
    canvas.zoom('fit-viewport');
    var viewbox = canvas.viewbox();
    var inner = viewbox.inner;
    var outer = viewbox.outer;
    if (!inner.width || !inner.height || !outer.width || !outer.height) { return; }
    var margin = 16;
    var left = (reserve || 0) + margin;
    var scale = Math.min((outer.width - left - margin) / inner.width, (outer.height - 2 * margin) / inner.height, 1);
    if (scale <= 0) { return; }
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - margin / scale,
      width: outer.width / scale, height: outer.height / scale });
  }

  function paletteWidth(holder) {
    var palette = holder.querySelector('.djs-palette');
    if (!palette) { return 0; }
    var rect = palette.getBoundingClientRect();
    var container = holder.getBoundingClientRect();
    return Math.max(0, rect.right - container.left);
  }

  window.casedeskLayout = function (diagram, holder) {
    var moved = tidyLabels(diagram);
    fit(diagram, holder ? paletteWidth(holder) : 0);
    return moved;
  };
})();

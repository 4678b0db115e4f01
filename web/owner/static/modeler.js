// Modeler page: edit the diagram with bpmn-js and its properties panel (casedesk's provider, built into
// /static/vendor/casedesk/owner-modeler.js); deploying posts the saved XML as a new version, with the
// elements' names in other languages from the panel.
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
    decisions: parsed(holder.dataset.decisions, []),
    labels: parsed(holder.dataset.labels, {}),
    words: parsed(holder.dataset.words, {}),
    translations: parsed(holder.dataset.translations, {}),
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

  // ---- test run of the draft, marked on this canvas (web/owner/draft_runs.py) ----
  var trial = document.getElementById('modeler-test-run');
  var marked = [];

  function cell(row, text, code) {
    var td = document.createElement('td');
    if (code) { var c = document.createElement('code'); c.textContent = text; td.appendChild(c); } else { td.textContent = text; }
    row.appendChild(td);
    return td;
  }

  function unmark() {
    var canvas = modeler.get('canvas');
    marked.forEach(function (pair) { canvas.removeMarker(pair[0], pair[1]); });
    marked = [];
  }

  function mark(ids, marker) {
    var canvas = modeler.get('canvas');
    var registry = modeler.get('elementRegistry');
    ids.forEach(function (id) {
      if (id && registry.get(id)) { canvas.addMarker(id, marker); marked.push([id, marker]); }
    });
  }

  function showRun(run, labels, outcome) {
    var steps = document.getElementById('modeler-test-steps');
    var body = steps.querySelector('tbody');
    body.textContent = '';
    run.steps.forEach(function (step, index) {
      var row = document.createElement('tr');
      row.dataset.element = step.element;
      cell(row, String(index + 1));
      var what = cell(row, step.element, true);
      what.appendChild(document.createTextNode(' ' + (step.name || '') + ' '));
      var kind = document.createElement('small'); kind.textContent = step.kind; what.appendChild(kind);
      cell(row, step.came_from || '');
      cell(row, JSON.stringify(step.changed), true);
      cell(row, JSON.stringify(step.data), true);
      body.appendChild(row);
    });
    steps.hidden = false;
    document.getElementById('modeler-test-legend').hidden = false;
    var stop = document.createElement('p');
    stop.className = run.stop.kind === 'completed' ? 'notice' : 'error';
    var strong = document.createElement('strong');
    strong.textContent = labels.stopped + ' ' + (labels[run.stop.kind] || run.stop.kind) +
      (run.stop.element ? ' · ' + run.stop.element : '');
    stop.appendChild(strong);
    stop.appendChild(document.createElement('br'));
    stop.appendChild(document.createTextNode(run.stop.message));
    outcome.appendChild(stop);
    var flows = document.createElement('p');
    flows.textContent = labels.flows + ' ';
    var list = document.createElement('code');
    list.id = 'modeler-test-flows';
    list.textContent = run.flows.join(' → ');
    flows.appendChild(list);
    outcome.appendChild(flows);
    if (run.saved) {
      var saved = document.createElement('p');
      saved.className = 'notice';
      saved.id = 'modeler-test-saved';
      saved.textContent = labels.saved.replace('{name}', run.saved);
      outcome.appendChild(saved);
    }
    unmark();
    mark(run.path.concat(run.flows), 'cd-completed');
    mark((run.stop.element ? [run.stop.element] : []).concat(run.waiting || []), 'cd-active');
    trial.dataset.stop = run.stop.kind;
  }

  function showRefusal(answer, labels, outcome) {
    var message = document.createElement('p');
    message.className = 'error';
    message.setAttribute('role', 'alert');
    message.textContent = answer.message || labels.unreachable;
    outcome.appendChild(message);
    var lines = (answer.problems || []).map(function (p) {
      return (p.file || '') + (p.element_id ? ' · ' + p.element_id : '') + ': ' + p.message;
    });
    Object.keys(answer.errors || {}).forEach(function (field) {
      lines.push((field || '(script)') + ': ' + answer.errors[field].join('; '));
    });
    if (lines.length) {
      var list = document.createElement('ul');
      list.id = 'modeler-test-problems';
      lines.forEach(function (line) { var li = document.createElement('li'); li.textContent = line; list.appendChild(li); });
      outcome.appendChild(list);
    }
    (answer.problems || []).forEach(function (p) { mark([p.element_id], 'marked-problem'); });
    trial.dataset.stop = 'refused';
  }

  // New decision tables carried along until deployed run with the draft too.
  function carried() {
    var tables = {};
    var names = form.querySelectorAll('input[name=carried_name]');
    var texts = form.querySelectorAll('textarea[name=carried_xml]');
    for (var i = 0; i < names.length; i++) { tables[names[i].value] = texts[i].value; }
    return tables;
  }

  if (trial) {
    var runLabels = parsed(trial.dataset.labels, {});
    document.getElementById('modeler-test-run-button').addEventListener('click', function () {
      var outcome = document.getElementById('modeler-test-outcome');
      outcome.textContent = runLabels.running;
      delete trial.dataset.stop;
      unmark();
      modeler.saveXML({ format: true }).then(function (result) {
        return fetch(trial.dataset.url, {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': holder.dataset.csrfToken },
          body: JSON.stringify({ file: form.querySelector('input[name=file]').value, xml: result.xml,
            script: document.getElementById('modeler-test-script').value, carried: carried(),
            name: document.getElementById('modeler-test-name').value })
        });
      }).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; },
          function () { return { ok: false, answer: {} }; });
      }).then(function (reply) {
        outcome.textContent = '';
        if (reply.ok) { showRun(reply.answer, runLabels, outcome); } else { showRefusal(reply.answer, runLabels, outcome); }
      }).catch(function () {
        outcome.textContent = runLabels.unreachable;
        trial.dataset.stop = 'refused';
      });
    });
  }

  var saving = false;
  form.addEventListener('submit', function (event) {
    if (saving) { return; }
    event.preventDefault();
    // form.submit() sends no submitter: say which button it was.
    var asModel = document.getElementById('modeler-as-model');
    if (asModel) { asModel.value = event.submitter && event.submitter.dataset.asModel ? '1' : ''; }
    modeler.saveXML({ format: true }).then(function (result) {
      source.value = result.xml;
      // The names in other languages go along; the server writes them into the diagram's catalogues.
      // A modeler bundle built before the names group has no such service: the catalogues then stay as
      // they are (a renamed element's entries still follow it on the server).
      var names = modeler.get('casedeskNames', false);
      document.getElementById('modeler-names').value = names ? JSON.stringify(names.collect()) : '';
      saving = true;
      form.submit();
    }).catch(function (error) { alert(String(error)); });
  });
})();

// The form editor's preview: posts the schema, UI schema and sample data; shows the rendered form
// (the task page's own HTML, filled and with its messages) or why the text is not a form.
(function () {
  "use strict";
  var editor = document.getElementById("form-editor");
  var button = document.getElementById("form-preview-button");
  var target = document.getElementById("form-preview");
  var problems = document.getElementById("form-preview-problems");
  if (!editor || !button || !target || !problems) return;

  function showProblems(list) {
    var items = problems.querySelector("ul");
    items.textContent = "";
    list.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      items.appendChild(item);
    });
    problems.hidden = list.length === 0;
  }

  button.addEventListener("click", function () {
    fetch(editor.dataset.previewUrl, {method: "POST", body: new FormData(editor), credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.ok) {
          showProblems([]);
          target.innerHTML = answer.html;  // rendered and escaped by the server's task-form template
        } else {
          target.textContent = "";
          showProblems(answer.problems || [editor.dataset.failed]);
        }
      })
      .catch(function () { showProblems([editor.dataset.failed]); });
  });

  target.addEventListener("submit", function (event) { event.preventDefault(); });
})();

// A file larger than its field takes is caught before the upload: the form is not sent (what was typed stays),
// and the field says why. A hint only: the server reads every file's content and size and decides.
(function () {
  function oversized(input) {
    var limit = parseInt(input.getAttribute('data-max-size'), 10);
    return Array.prototype.filter.call(input.files || [], function (file) { return file.size > limit; });
  }
  function show(input, files) {
    var field = input.closest('.field');
    var note = field.querySelector('.file-limit');
    if (!files.length) { if (note) note.remove(); field.classList.remove('has-error'); return; }
    if (!note) {
      note = document.createElement('p');
      note.className = 'field-error file-limit';
      note.setAttribute('role', 'alert');
      input.insertAdjacentElement('afterend', note);
    }
    note.textContent = input.getAttribute('data-too-large').replace('%(name)s', files[0].name);
    field.classList.add('has-error');
  }
  document.querySelectorAll('form.task-form input[type=file][data-max-size]').forEach(function (input) {
    input.addEventListener('change', function () { show(input, oversized(input)); });
    input.form.addEventListener('submit', function (event) {
      var files = oversized(input);
      if (files.length) { event.preventDefault(); show(input, files); input.focus(); }
    });
  });
})();

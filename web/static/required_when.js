// A field a form needs only in one situation (if/then in its schema) is marked required while that
// situation holds: a hint as the user types; the server still checks every submission.
(function () {
  function posted(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === 'checkbox' && input.value === 'true') values.push(input.checked ? 'true' : 'false');
      else if (input.type === 'radio' || input.type === 'checkbox') { if (input.checked) values.push(input.value); }
      else values.push(input.value);
    });
    return values;
  }
  function refresh(form) {
    form.querySelectorAll('[data-required-when]').forEach(function (field) {
      var when = JSON.parse(field.getAttribute('data-required-when'));
      var needed = Object.keys(when).some(function (name) {
        return posted(form, name).some(function (value) { return when[name].indexOf(value) >= 0; });
      });
      field.querySelectorAll('input, textarea, select').forEach(function (input) { input.required = needed; });
      field.querySelectorAll('.req.when').forEach(function (mark) { mark.hidden = !needed; });
    });
  }
  document.querySelectorAll('form.task-form').forEach(function (form) {
    if (!form.querySelector('[data-required-when]')) return;
    form.addEventListener('change', function () { refresh(form); });
    refresh(form);
  });
})();

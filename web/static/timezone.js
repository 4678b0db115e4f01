// The browser knows the user's zone; tell the server once per session (times are stored in UTC).
// A file rather than an inline script: the Content-Security-Policy runs scripts from this site only.
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  var login = document.getElementById('login-timezone');
  if (login) {
    login.value = zone;
  }
  var form = document.getElementById('tz-form');
  if (form && zone && zone !== form.dataset.currentZone && !sessionStorage.getItem('casedesk-tz-sent')) {
    sessionStorage.setItem('casedesk-tz-sent', '1');
    form.elements.timezone.value = zone;
    form.submit();
  }
})();

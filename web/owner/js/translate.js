// The words bpmn-js and its properties panel show (the panel's groups "General" and "Documentation", their
// fields, its hints) in the page's language: bpmn-js asks its `translate` service for each, and this one answers
// from the translations the page passes (`words` in web/templates/owner/modeler.html, from the catalogue).
// A word the page does not pass stays English; `{name}` placeholders are filled either way.
function casedeskTranslate(casedesk) {
  const words = (casedesk && casedesk.words) || {};
  return function translate(template, replacements) {
    const given = replacements || {};
    const text = Object.prototype.hasOwnProperty.call(words, template) ? words[template] : template;
    return text.replace(/{([^}]+)}/g, (placeholder, key) => (key in given ? given[key] : placeholder));
  };
}
casedeskTranslate.$inject = ['config.casedesk'];

export default {
  translate: ['factory', casedeskTranslate]
};

// "Names in other languages": the properties panel's fields for every named element (tasks, events,
// gateways, flows, lanes, pools and their processes, the process), one per language, over the diagram's
// catalogues (<diagram>.<locale>.i18n.json). The diagram itself stays English and portable: the page posts
// what the fields hold beside the XML and web/owner/names.py writes it into the catalogues on deploy.
// Typed texts are kept by element id, so a renamed element keeps its translation (the server does the same
// for the catalogue entry); until the owner types, an element shows the entry of its name, or of the name
// it had when the page opened.
import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

const NOT_PLAIN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029<>]/;

function normalized(text) {
  return (text || '').split(/\s+/).filter(Boolean).join(' ');
}

function lookup(messages, text) {
  return (messages && text && (messages[text] || messages[normalized(text)])) || '';
}

function own(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

export class CasedeskNames {
  constructor(eventBus, elementRegistry, config) {
    const translations = config.translations || {};
    this._registry = elementRegistry;
    this._locales = translations.locales || [];
    this._catalogue = translations.catalogue || {};
    this._max = translations.max || 200;
    this._labels = config.labels || {};
    this._typed = {};
    this._refused = {};
    this._opened = {};
    // A refused save brings back every text as typed, and why each refused one was refused.
    const typed = translations.typed || {};
    const errors = translations.errors || {};
    this._locales.forEach((locale) => { this._typed[locale] = Object.assign({}, typed[locale] || {}); });
    Object.keys(errors).forEach((key) => {
      const at = key.indexOf(':');
      const locale = key.slice(0, at);
      const id = key.slice(at + 1);
      this._refused[key] = { text: (typed[locale] || {})[id], message: errors[key] };
    });
    eventBus.on('import.done', () => {
      this._opened = {};
      this.targets().forEach((bo) => { this._opened[bo.id] = bo.name; });
    });
  }

  locales() {
    return this._locales;
  }

  // Every named element of the diagram once: shapes, flows, pools and the processes in them, the root.
  targets() {
    const found = new Map();
    const add = (bo) => { if (bo && bo.id && bo.name && !found.has(bo.id)) { found.set(bo.id, bo); } };
    this._registry.getAll().forEach((element) => {
      add(element.businessObject);
      if (element.businessObject) { add(element.businessObject.processRef); }
    });
    return Array.from(found.values());
  }

  get(bo, locale) {
    const typed = this._typed[locale] || {};
    if (own(typed, bo.id)) { return typed[bo.id]; }
    // Renamed to a name the catalogue has, it shares that entry; else it keeps the one of its old name.
    return lookup(this._catalogue[locale], bo.name) || lookup(this._catalogue[locale], this._opened[bo.id]);
  }

  // Elements of the same English name share one catalogue entry, so they take a text together.
  set(bo, locale, text) {
    const typed = this._typed[locale] || (this._typed[locale] = {});
    const name = normalized(bo.name);
    this.targets().forEach((other) => {
      if (other === bo || normalized(other.name) === name) { typed[other.id] = text; }
    });
    typed[bo.id] = text;
  }

  // What deploying would refuse in this field (checked again on the server), or null.
  problem(bo, locale, text) {
    const value = text || '';
    if (NOT_PLAIN.test(value)) { return this._labels.nameNotPlain; }
    if (value.trim().length > this._max) { return this._labels.nameTooLong.replace('{max}', String(this._max)); }
    const refused = this._refused[locale + ':' + bo.id];
    return refused && refused.text === value ? refused.message : null;
  }

  shares(bo) {
    const name = normalized(bo.name);
    return this.targets().some((other) => other !== bo && normalized(other.name) === name);
  }

  // locale -> element id -> text, for every named element: what the page posts as `names`.
  collect() {
    const names = {};
    const targets = this.targets();
    this._locales.forEach((locale) => {
      names[locale] = {};
      targets.forEach((bo) => { names[locale][bo.id] = this.get(bo, locale); });
    });
    return names;
  }
}
CasedeskNames.$inject = ['eventBus', 'elementRegistry', 'config.casedesk'];

// Every keystroke goes straight into the model: it is cheap, and a deploy clicked at once still sends it.
function immediately(fn) {
  return fn;
}

function NameEntry(props) {
  const { element, id, label, target, locale } = props;
  const names = useService('casedeskNames');
  const labels = useService('config.casedesk').labels;
  const help = labels.nameHelp.replace('{name}', target.name);
  return TextFieldEntry({ element: element, id: id, label: label, debounce: immediately,
    description: names.shares(target) ? help + ' ' + labels.nameShared.replace('{name}', target.name) : help,
    getValue: () => names.get(target, locale),
    setValue: (value) => names.set(target, locale, value || ''),
    validate: (value) => names.problem(target, locale, value) });
}

// The group's entries for one selected element: its own name, and for a pool the name of its process.
export function nameEntries(element, names, labels) {
  const bo = element.businessObject;
  const entries = [];
  const targets = [[bo, 'casedesk-name-', labels.nameIn]];
  if (bo && bo.processRef && bo.processRef.name) {
    targets.push([bo.processRef, 'casedesk-process-name-', labels.processNameIn]);
  }
  targets.forEach(([target, prefix, label]) => {
    if (!target || !target.name) { return; }
    names.locales().forEach((locale) => {
      entries.push({ id: prefix + locale, component: NameEntry, isEdited: isTextFieldEntryEdited,
        label: (label || {})[locale] || locale, target: target, locale: locale });
    });
  });
  return entries;
}

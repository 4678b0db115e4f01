"""The form editor (issue 16, item 3): a process owner edits a version's JSON Schema and UI schema in the
browser, previews the form as the task page renders it with the messages sample data would get, and
deploys the edited files as a new version through the modeler's deploy path."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import may_deploy
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.xmlsafe import UnsafeXml, parse_xml
from engine.errors import DefinitionInvalid, NotFound, Problem
from forms import bounds
from forms.fields import build_fields, translated_title
from forms.schema import FormSchemaError, load_json_object, load_schema, validate_submission
from web.auth import casedesk, current_actor, require

from ..choices import choices_for
from ..formmessages import friendly_errors
from ..i18n import bundle_text, language_tag
from .views import show_deployed

bp = Blueprint("owner_forms", __name__, url_prefix="/owner")
EDIT = require(may_deploy, _l("only process owners edit forms"))
SCHEMA_PROPERTY, UI_PROPERTY = "formJsonSchemaFilename", "formUiSchemaFilename"


def _files(key: str, version: int, name: str) -> dict[str, bytes]:
    """The version's files, provided `name` is one of its form files (not a translation catalogue)."""
    DefinitionCatalog(casedesk().db).version(key, version)  # 404 for an unknown version
    files = DefinitionCatalog(casedesk().db).files(key, version)
    if name not in files or not name.endswith(".json") or name.endswith(".i18n.json"):
        raise NotFound(_("Version %(v)s of %(key)s has no form %(name)s.", v=version, key=key, name=name))
    return files


def paired_ui_file(files: dict[str, bytes], name: str) -> str | None:
    """The UI schema file the version's user tasks show with form `name`, if any task names one."""
    for diagram in sorted(n for n in files if n.endswith(".bpmn")):
        try:
            root = parse_xml(files[diagram], diagram).getroot()
        except UnsafeXml:
            continue
        for properties in root.iter("{*}properties"):
            named = {p.get("name"): p.get("value") for p in properties if isinstance(p.tag, str)}
            if named.get(SCHEMA_PROPERTY) == name and named.get(UI_PROPERTY):
                return str(named[UI_PROPERTY])
    return None


def _parsed(schema_text: str, ui_text: str, name: str, ui_name: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The edited schema and UI schema, checked as deploy checks them; FormSchemaError says why not."""
    schema = load_schema(schema_text.encode("utf-8"), name)
    ui = load_json_object(_or_empty_object(ui_text).encode("utf-8"), ui_name or _("UI schema"))
    return schema, ui


def _or_empty_object(text: str) -> str:
    """A left-empty box means {}; any other text is checked whole (so its size bound still applies)."""
    return text if text.strip() or len(text) > bounds.MAX_SCHEMA_BYTES else "{}"


@bp.route("/processes/<key>/<int:version>/forms/<path:name>", methods=["GET", "POST"])
@EDIT
def edit(key: str, version: int, name: str) -> ResponseReturnValue:
    """The editor; posting deploys the version with the edited form (and UI schema) as a new version."""
    files = _files(key, version, name)
    ui_name = paired_ui_file(files, name)
    if request.method == "GET":
        ui_text = files[ui_name].decode("utf-8", "replace") if ui_name in files else "{}"
        return _page(key, version, name, ui_name, files[name].decode("utf-8", "replace"), ui_text, "{}")
    schema_text, ui_text = request.form.get("schema", ""), request.form.get("ui_schema", "")
    sample_text = request.form.get("sample", "{}")
    try:
        _parsed(schema_text, ui_text, name, ui_name)
    except FormSchemaError as exc:
        return _page(key, version, name, ui_name, schema_text, ui_text, sample_text,
                     [Problem(name, "", "", str(exc))]), 422
    edited = {**files, name: schema_text.encode("utf-8")}
    if ui_name:
        edited[ui_name] = ui_text.encode("utf-8")
    elif ui_text.strip() not in ("", "{}"):
        problem = _("No task of this version shows %(name)s with a UI schema file: name one in the modeler's "
                    "properties panel first; nothing was deployed.", name=name)
        return _page(key, version, name, ui_name, schema_text, ui_text, sample_text,
                     [Problem(name, "", "", problem)]), 422
    try:
        results = casedesk().definitions.deploy(edited, deployed_by=current_actor().username, origin="modeler")
    except DefinitionInvalid as invalid:
        return _page(key, version, name, ui_name, schema_text, ui_text, sample_text, invalid.problems), 422
    return show_deployed(results, key, version)


@bp.post("/processes/<key>/<int:version>/forms/<path:name>/preview")
@EDIT
def preview(key: str, version: int, name: str) -> ResponseReturnValue:
    """The form as a task page renders it, filled with the sample data and showing its messages;
    or, for text that is not a JSON object or not a valid JSON Schema, why not (422)."""
    files = _files(key, version, name)
    ui_name = paired_ui_file(files, name)
    try:
        schema, ui = _parsed(request.form.get("schema", ""), request.form.get("ui_schema", ""), name, ui_name)
        sample = load_json_object(_or_empty_object(request.form.get("sample", "")).encode("utf-8"),
                                  _("sample data"))
    except FormSchemaError as exc:
        return jsonify({"ok": False, "problems": [str(exc)]}), 422
    messages = friendly_errors(validate_submission(schema, sample))
    tag = language_tag()
    fields = build_fields(schema, ui, tag, sample, messages, translate=bundle_text,
                          choices=choices_for(schema, current_actor()))
    html = render_template("owner/_form_preview.html", fields=fields, form_errors=messages.get("", []),
                           form_title=translated_title(schema, tag, bundle_text),
                           form_description=bundle_text(str(schema.get("description") or "")))
    return jsonify({"ok": True, "html": html, "messages": messages})


def _page(key: str, version: int, name: str, ui_name: str | None, schema_text: str, ui_text: str,
          sample_text: str, problems: list[Any] | None = None) -> str:
    return render_template("owner/form_editor.html", key=key, version=version, name=name, ui_name=ui_name,
                           schema_text=schema_text, ui_text=ui_text, sample_text=sample_text,
                           problems=problems or None)

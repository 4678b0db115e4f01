"""The modeler's test run: the diagram as drawn (not saved, not deployed) run in memory with the version's other
files, sample data and scripted answers, answered as JSON for the modeler page to mark on its own canvas; with a
name the run is saved as a test case of the process (issue 16, item 6)."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import may_deploy
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.testrun import TestScript
from engine.definitions.xmlsafe import UnsafeXml, parse_xml
from engine.errors import DefinitionInvalid, InvalidInput, NotFound
from web.auth import casedesk, current_actor, require

from ..formmessages import invalid_input_message
from .bundles import BPMN_NS, carried_tables, replace_file
from .testruns import EXAMPLE

bp = Blueprint("owner_draft_runs", __name__, url_prefix="/owner")
RUN = require(may_deploy, _l("only process owners run and save test cases"))


@bp.post("/processes/<key>/<int:version>/edit/test-run")
@RUN
def run_draft(key: str, version: int) -> ResponseReturnValue:
    """JSON `{"file", "xml", "script", "name", "carried": {new table: DMN}}` (CSRF token in X-CSRFToken): the
    run of the process the edited diagram draws (a version also holds the processes it calls, each editable)
    as the API answers it, or the validation report (422) or the script's errors (400); nothing is stored."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"message": _("Send a JSON object with the diagram and the script.")}), 400
    catalog = DefinitionCatalog(casedesk().db)
    catalog.version(key, version)  # 404 for an unknown version
    files = catalog.files(key, version)
    name = body.get("file")
    if not isinstance(name, str) or name not in files or not name.endswith(".bpmn"):
        raise NotFound(_("Version %(v)s of %(key)s has no diagram %(name)s.", v=version, key=key, name=name))
    script_text = body.get("script")
    try:
        script = TestScript.from_json(json.loads(script_text) if isinstance(script_text, str) else script_text)
    except json.JSONDecodeError as exc:
        return jsonify({"message": _("The script is not valid JSON: %(why)s", why=str(exc)), "errors": {}}), 400
    except InvalidInput as exc:
        return jsonify({"message": _("The script has errors; nothing was run."), "errors": exc.field_errors}), 400
    xml = str(body.get("xml") or "")
    process = drawn_process(xml, key)
    carried = body.get("carried") if isinstance(body.get("carried"), dict) else {}
    try:
        tables = carried_tables([str(n) for n in carried], [str(t) for t in carried.values()], files)
        run = casedesk().testcases.run_draft(replace_file({**files, **tables}, name, xml), process, script)
    except DefinitionInvalid as invalid:
        return jsonify({"message": _("The draft has problems; nothing was run."),
                        "problems": [asdict(problem) for problem in invalid.problems]}), 422
    answer: dict[str, Any] = run.as_json()
    case_name = str(body.get("name") or "").strip()
    if case_name:
        try:
            casedesk().testcases.save(process, case_name, script, run, current_actor().username)
        except InvalidInput as exc:
            return jsonify({"message": invalid_input_message(exc), "errors": exc.field_errors,
                            "run": answer}), 400
        answer["saved"] = case_name
    return jsonify(answer)


def sample_script(xml: str) -> str:
    """A script to start from: empty start data and one empty answer per user task of the diagram, one empty
    result per service task, in the form the runner reads (the owner fills in what the forms ask)."""
    try:
        root = parse_xml(xml.encode("utf-8"), "diagram").getroot()
    except UnsafeXml:
        return json.dumps(EXAMPLE, indent=2)
    answers = {task.get("id"): [{}] for task in root.iter(f"{{{BPMN_NS}}}userTask") if task.get("id")}
    results = {task.get("id"): [{}] for task in root.iter(f"{{{BPMN_NS}}}serviceTask") if task.get("id")}
    script: dict[str, Any] = {"data": {}, "answers": answers}
    if results:
        script["results"] = results
    return json.dumps(script, indent=2, ensure_ascii=False)


def drawn_process(xml: str, key: str) -> str:
    """The process a diagram draws: `key` when it is one of its executable processes, else its first."""
    try:
        root = parse_xml(xml.encode("utf-8"), "diagram").getroot()
    except UnsafeXml:
        return key
    ids = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true" and p.get("id")]
    return key if key in ids or not ids else str(ids[0])

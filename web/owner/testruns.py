"""Process-owner pages of test runs: a version's saved test cases passing or failing, and a run on the diagram."""
from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import may_deploy, may_see_definitions
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.testcases import CaseOutcome
from engine.definitions.testrun import TestRun, TestScript
from engine.errors import DefinitionInvalid, DefinitionUnloadable, InvalidInput, NotFound
from web.api.processes import uploaded_files
from web.auth import casedesk, current_actor, require

from ..formmessages import invalid_input_message
from .bundles import main_bpmn_file

bp = Blueprint("owner_testruns", __name__, url_prefix="/owner")
SEE = require(may_see_definitions, _l("only process owners, auditors and administrators see definitions"))
RUN = require(may_deploy, _l("only process owners run and save test cases"))
EXAMPLE = {"data": {}, "answers": {"USER_TASK_ID": [{}]}, "results": {"SERVICE_TASK_ID": [{}]}}


def version_outcomes(key: str, version: int) -> list[CaseOutcome] | str:
    """The saved cases re-run on a version, or why they could not run (the version does not load)."""
    try:
        return casedesk().testcases.check_version(key, version)
    except (DefinitionUnloadable, DefinitionInvalid, InvalidInput) as exc:
        return str(exc)


def _page(key: str, version: int, run: TestRun | None = None, script_text: str = "", name: str = "",
          error: str = "", field_errors: dict[str, list[str]] | None = None, status: int = 200,
          draft: dict[str, bytes] | None = None, problems: list[Any] | None = None) -> ResponseReturnValue:
    found = DefinitionCatalog(casedesk().db).version(key, version)
    files = draft or DefinitionCatalog(casedesk().db).files(key, version)
    outcomes = version_outcomes(key, version) if found.executable else []
    shown = request.args.get("case")
    if run is None and shown and isinstance(outcomes, list):
        chosen = next((o for o in outcomes if o.case.name == shown), None)
        if chosen is not None:
            run, name = chosen.run, chosen.case.name
            script_text = json.dumps(chosen.case.script.as_json(), ensure_ascii=False, indent=2)
    main_file = main_bpmn_file(files, key)
    waiting = ([run.stop.element] if run.stop.element else []) + run.waiting if run is not None else []
    return render_template(
        "owner/testruns.html", definition=found, outcomes=outcomes, run=run, name=name, error=error,
        field_errors=field_errors or {}, script_text=script_text or json.dumps(EXAMPLE, indent=2),
        may_run=may_deploy(current_actor()), main_file=main_file, problems=problems or [],
        draft_xml=files[main_file].decode("utf-8", "replace") if draft and main_file else None,
        completed=(run.path + run.flows) if run is not None else [], waiting=sorted(set(waiting)),
    ), status


@bp.get("/processes/<key>/<int:version>/tests")
@SEE
def cases(key: str, version: int) -> ResponseReturnValue:
    """The version's saved test cases, each passing or failing on it; `?case=NAME` shows its run."""
    return _page(key, version)


@bp.post("/processes/<key>/<int:version>/tests")
@RUN
def run(key: str, version: int) -> ResponseReturnValue:
    """Run the posted script on this version in memory; with a name, save it as a test case."""
    script_text = request.form.get("script", "")
    name = request.form.get("name", "").strip()
    try:
        script = TestScript.from_json(json.loads(script_text))
    except json.JSONDecodeError as exc:
        return _page(key, version, script_text=script_text, name=name, status=422,
                     error=_("The script is not valid JSON: %(why)s", why=str(exc)))
    except InvalidInput as exc:
        return _page(key, version, script_text=script_text, name=name, status=422,
                     error=_("The script has errors; nothing was run."), field_errors=exc.field_errors)
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    draft = None
    try:
        if uploads:
            draft = with_uploads(DefinitionCatalog(casedesk().db).files(key, version), uploaded_files(uploads))
            run_ = casedesk().testcases.run_draft(draft, key, script)
        else:
            run_ = casedesk().testcases.run_version(key, version, script)
    except DefinitionInvalid as invalid:
        return _page(key, version, script_text=script_text, name=name, status=422, problems=invalid.problems,
                     error=_("The uploaded files have problems; nothing was run."))
    if name:
        try:
            casedesk().testcases.save(key, name, script, run_, current_actor().username)
        except InvalidInput as exc:
            return _page(key, version, run_, script_text, name, status=422, error=invalid_input_message(exc),
                         draft=draft)
        flash(_("Saved as test case %(name)s: later versions must take the same path and stop the same way.",
                name=name))
    return _page(key, version, run_, script_text, name, draft=draft)


def with_uploads(stored: dict[str, bytes], uploads: dict[str, bytes]) -> dict[str, bytes]:
    """The version's files with the uploaded ones in place of those of the same base name (a draft)."""
    kept = {name: content for name, content in stored.items() if PurePosixPath(name).name not in uploads}
    return {**kept, **uploads}


@bp.post("/processes/<key>/<int:version>/tests/delete")
@RUN
def delete(key: str, version: int) -> ResponseReturnValue:
    name = request.form.get("name", "")
    try:
        casedesk().testcases.delete(key, name)
        flash(_("Test case %(name)s deleted.", name=name))
    except NotFound:  # deleted already (another tab, another owner): the list below says what is left
        flash(_("There is no test case %(name)s.", name=name))
    return redirect(url_for("owner_testruns.cases", key=key, version=version))


def announce_test_cases(result: Any) -> None:
    """After a deploy from the pages: how the saved cases fare on the new version (a warning, never a refusal)."""
    if not result.created:
        return
    outcomes = version_outcomes(result.key, result.version)
    if isinstance(outcomes, str) or not outcomes:
        return
    failed = [o.case.name for o in outcomes if not o.passed]
    if failed:
        flash(_("Warning: %(n)s of %(total)s saved test case(s) of %(key)s fail on version %(v)s: %(names)s.",
                n=len(failed), total=len(outcomes), key=result.key, v=result.version, names=", ".join(failed)))
    else:
        flash(_("All %(total)s saved test case(s) of %(key)s pass on version %(v)s.", total=len(outcomes),
                key=result.key, v=result.version))


def testcase_summary(key: str, version: int) -> dict[str, Any]:
    """Pass/fail counts for the version page (a template global)."""
    outcomes = version_outcomes(key, version)
    if isinstance(outcomes, str):
        return {"error": outcomes, "passed": 0, "failed": 0, "total": 0}
    failed = sum(not o.passed for o in outcomes)
    return {"error": "", "passed": len(outcomes) - failed, "failed": failed, "total": len(outcomes)}


@bp.record_once
def _globals(state: Any) -> None:
    state.app.add_template_global(testcase_summary, "testcase_summary")

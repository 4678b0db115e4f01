"""Process-owner pages: definitions with every version, deploy by upload, the modeler, version diffs."""
from __future__ import annotations

from typing import Any

from dataclasses import asdict

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from engine.access import may_deploy, may_migrate, may_see_definitions
from engine.definitions.authoring import check_code, operator_catalog
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.diff import diff_versions
from engine.errors import DefinitionInvalid, InvalidInput, NotFound
from web.api.processes import uploaded_files
from web.auth import casedesk, current_actor, require
from web.i18n import announce_missing_translations, diagram_in_language
from web.views.common import reads
from web.security import stored_file

from .bundles import carried_tables, decision_ids, main_bpmn_file, replace_file
from .draft_runs import sample_script
from .calls import call_rows
from .migration_text import template_helpers
from .modeler_words import modeler_words
from .names import Names, error_problems, name_errors, panel_translations, posted_names, with_names
from .testruns import announce_test_cases

bp = Blueprint("owner", __name__, url_prefix="/owner", static_folder="static", static_url_path="/static")
SEE = require(may_see_definitions, _l("only process owners, auditors and administrators see definitions"))
DEPLOY = require(may_deploy, _l("only process owners deploy definitions"))
MIGRATE = require(may_migrate, _l("only process owners and administrators migrate instances"))


def catalog() -> DefinitionCatalog:
    return DefinitionCatalog(casedesk().db)


@bp.get("/processes")
@SEE
def definitions() -> ResponseReturnValue:
    versions = catalog().versions()
    keys: dict[str, list[Any]] = {}
    for version in versions:
        keys.setdefault(version.key, []).append(version)
    broken = {(b.key, b.version): b.error for b in casedesk().lifecycle.broken()}
    return render_template("owner/definitions.html", processes=keys, may_deploy=may_deploy(current_actor()),
                           retired=casedesk().lifecycle.retired_processes(), broken=broken,
                           startable=reads().startable_definition_ids(),
                           may_migrate=may_migrate(current_actor()))


@bp.get("/processes/<key>/<int:version>")
@SEE
def version(key: str, version: int) -> ResponseReturnValue:
    found = catalog().version(key, version)
    others = [v.version for v in catalog().versions(key) if v.version != version]
    files = catalog().files(key, version)
    load_error = casedesk().definitions.load_error(found.id) if found.executable else None
    calls, callers = ([], []) if not found.executable or load_error else \
        call_rows(casedesk(), found, catalog().versions(), reads().startable_definition_ids())
    return render_template("owner/version.html", definition=found, others=others,
                           main_file=main_bpmn_file(files, key), may_deploy=may_deploy(current_actor()),
                           load_error=load_error, calls=calls, callers=callers)


@bp.get("/processes/<key>/<int:version>/files/<path:name>")
@SEE
def file(key: str, version: int, name: str) -> ResponseReturnValue:
    files = catalog().files(key, version)
    if name not in files:
        raise NotFound(_("Version %(v)s of %(key)s has no file %(name)s.", v=version, key=key, name=name))
    kind = "application/json" if name.endswith(".json") else "application/xml"
    return stored_file(files[name], name, kind)


@bp.get("/processes/<key>/<int:version>/diagram/<path:name>")
@SEE
def diagram(key: str, version: int, name: str) -> ResponseReturnValue:
    """A BPMN file of the version for the read-only viewer, labelled in the page's language like the instance
    pages; the file itself (the link in the file list, the modeler) keeps its source language."""
    files = catalog().files(key, version)
    if name not in files or not name.endswith(".bpmn"):
        raise NotFound(_("Version %(v)s of %(key)s has no file %(name)s.", v=version, key=key, name=name))
    return stored_file(diagram_in_language(files[name], name), name, "application/xml")


@bp.route("/deploy", methods=["GET", "POST"])
@DEPLOY
def deploy() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("owner/deploy.html", problems=None)
    try:
        files = uploaded_files(request.files.getlist("files"))
    except DefinitionInvalid as invalid:
        return render_template("owner/deploy.html", problems=invalid.problems), 422
    try:
        results = casedesk().definitions.deploy(files, deployed_by=current_actor().username, origin="upload")
    except DefinitionInvalid as invalid:
        if not request.form.get("as_model"):
            return render_template("owner/deploy.html", problems=invalid.problems, offer_model=True), 422
        return _store_model(files, "upload", invalid.problems)
    _announce(results)
    announce_missing_translations(files)
    return redirect(url_for("owner.definitions"))


@bp.route("/processes/<key>/<int:version>/edit", methods=["GET", "POST"])
@DEPLOY
def edit(key: str, version: int) -> ResponseReturnValue:
    """The bpmn-js modeler on one version; saving deploys the edited diagram as a new version
    (or, asked to, stores it as a view-only model when it cannot run yet). New decision tables the owner
    drew on the way travel with the diagram until it is deployed; the names the owner gave elements in
    other languages go into the diagram's catalogues, and a renamed element's translations follow it."""
    stored = catalog().version(key, version)
    files = catalog().files(key, version)
    name = request.values.get("file") or main_bpmn_file(files, key)
    if name not in files or not name.endswith(".bpmn"):
        raise NotFound(_("Version %(v)s of %(key)s has no diagram %(name)s.", v=version, key=key, name=name))
    if request.method == "GET":
        # A view-only model opens with the report of why it cannot run, its elements outlined.
        return modeler_page(key, version, files, name, files[name].decode("utf-8", errors="replace"),
                            problems=stored.model_problems or None, model=not stored.executable)
    edited = request.form.get("xml", "")
    names = posted_names(request.form.get("names"))
    refused = name_errors(names, name, edited)
    if refused:
        # Nothing is stored; the drawing and every typed name come back, each refused field saying why.
        return modeler_page(key, version, files, name, edited, problems=error_problems(refused, name, edited),
                            names=names, refused=refused, status=422)
    carried: dict[str, bytes] = {}
    bundle: dict[str, bytes] = {}
    try:
        carried = carried_tables(request.form.getlist("carried_name"), request.form.getlist("carried_xml"), files)
        bundle = with_names(replace_file({**files, **carried}, name, edited), files, name, names)
        results = casedesk().definitions.deploy(bundle, deployed_by=current_actor().username, origin="modeler")
    except DefinitionInvalid as invalid:
        if request.form.get("as_model") and edited.strip():
            return _store_model(bundle or replace_file({**files, **carried}, name, edited), "modeler",
                                invalid.problems)
        # The owner keeps what they drew; the report says what to fix.
        return modeler_page(key, version, files, name, edited, problems=invalid.problems, offer_model=True,
                            carried=carried, names=names, status=422)
    return show_deployed(results, key, version)


def modeler_page(key: str, version: int, files: dict[str, bytes], name: str, xml: str, *,
                 problems: list[Any] | None = None, model: bool = False, offer_model: bool = False,
                 carried: dict[str, bytes] | None = None, names: Names | None = None,
                 refused: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    """The modeler on diagram `name` of a version, with what the panel offers: the bundle's form files and
    decision ids (with those of the new tables `carried` along), the diagram's names in other languages
    (as stored, and as typed when a save was refused), and a test-run script to start from."""
    carried = carried or {}
    return render_template(
        "owner/modeler.html", key=key, version=version, file=name, xml=xml, problems=problems, model=model,
        offer_model=offer_model, diagrams=sorted(n for n in files if n.endswith(".bpmn")),
        form_files=sorted(n for n in files if n.endswith(".json") and not n.endswith(".i18n.json")),
        decisions=decision_ids({**files, **carried}), test_script=sample_script(xml),
        translations=panel_translations(files, name, names, refused), words=modeler_words(),
        carried={n: content.decode("utf-8", errors="replace") for n, content in carried.items()}), status


@bp.get("/modeling/operators")
@DEPLOY
def operators() -> ResponseReturnValue:
    """The properties panel's choice of service operators, each with its handler's parameter names."""
    return jsonify([asdict(operator) for operator in operator_catalog(casedesk().handlers)])


@bp.post("/modeling/check")
@DEPLOY
def check() -> ResponseReturnValue:
    """The deploy-time sandbox check of one script or condition, as the owner types it in the panel
    (JSON `{"source": ..., "kind": "script"|"expression"}` or the same form fields; CSRF token as for every post)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(body, "get"):
        return jsonify({"message": "send a JSON object with source and kind"}), 400
    try:
        problems = check_code(body.get("source"), body.get("kind"))
    except InvalidInput as invalid:
        return jsonify({"message": str(invalid), "errors": invalid.field_errors}), 400
    return jsonify({"ok": not problems, "problems": [asdict(problem) for problem in problems]})


def _store_model(files: dict[str, bytes], origin: str, problems: list[Any]) -> ResponseReturnValue:
    """Keep what cannot run yet as a view-only model; still 422 with the report if it is not even BPMN."""
    try:
        results = casedesk().definitions.store_model(files, deployed_by=current_actor().username, origin=origin)
    except DefinitionInvalid as invalid:
        return render_template("owner/deploy.html", problems=[*invalid.problems, *problems]), 422
    for result in results:
        if result.created:
            flash(_("Stored %(key)s as view-only model version %(v)s; it cannot run until the problems listed "
                    "are fixed.", key=result.key, v=result.version))
        else:
            flash(_("%(key)s: this content is already stored as version %(v)s.", key=result.key, v=result.version))
    first = results[0]
    return redirect(url_for("owner.version", key=first.key, version=first.version))


@bp.post("/processes/<key>/retirement")
@DEPLOY
def retirement(key: str) -> ResponseReturnValue:
    """Retire a process or one version (no new instances; running ones go on), or bring it back."""
    number, retired_field = request.form.get("version", ""), request.form.get("retired")
    if (number and not number.isdigit()) or retired_field not in ("0", "1"):
        # A malformed field never falls back to the whole process, or to the other way round.
        raise BadRequest(_("Send retired as 1 or 0 and, for one version, its number."))
    version, retired = (int(number) if number else None), retired_field == "1"
    changed = casedesk().lifecycle.set_retired(key, version, retired, current_actor().username)
    what = key if version is None else _("%(key)s version %(v)s", key=key, v=version)
    if not changed:
        flash(_("%(what)s was already so; nothing changed.", what=what))
    elif retired:
        flash(_("%(what)s is retired: no new instances; running instances go on.", what=what))
    else:
        flash(_("%(what)s is back in service: new instances may start.", what=what))
    return redirect(url_for("owner.definitions"))


@bp.get("/processes/<key>/diff")
@SEE
def diff(key: str) -> ResponseReturnValue:
    numbers = [v.version for v in catalog().versions(key)]
    old = request.args.get("old", type=int) or (numbers[1] if len(numbers) > 1 else numbers[0])
    new = request.args.get("new", type=int) or numbers[0]
    layout = request.args.get("layout") == "1"  # shapes moved and edges re-routed count only when asked
    result = diff_versions(catalog(), casedesk().definitions, key, old, new, layout=layout)
    return render_template("owner/diff.html", diff=result, versions=numbers)


@bp.route("/processes/<key>/migrate", methods=["GET", "POST"])
@MIGRATE
def migrate(key: str) -> ResponseReturnValue:
    """Choose two versions, see the dry run instance by instance, then move those that can. Versions that
    cannot take instances (view-only models; retired ones as targets) are not offered; asked for anyway, the
    page says why, with nothing changed."""
    versions = catalog().versions(key)
    numbers = [v.version for v in versions]
    sources = [v.version for v in versions if v.executable] or numbers
    targets = [v.version for v in versions if v.executable and v.retired_at is None] or sources
    source = request.values.get("from", type=int) or (sources[1] if len(sources) > 1 else sources[0])
    target = request.values.get("to", type=int) or targets[0]
    migrations, actor = casedesk().migrations, current_actor().username
    report, error, status = None, None, 200
    try:
        if request.method == "POST":
            report = migrations.migrate(key, source, target, actor)
            flash(_("%(moved)s instance(s) moved to version %(to)s; %(left)s stay on version %(from_)s.",
                    moved=len(report.moved), to=target, left=len(report.refused), from_=source))
        elif source != target:
            report = migrations.dry_run(key, source, target, actor)
    except (InvalidInput, NotFound) as refused:
        error, status = _migration_refusal(refused, source, target, versions), 404 if isinstance(refused, NotFound) else 422
    return render_template("owner/migrate.html", key=key, sources=sorted({*sources, source}, reverse=True),
                           targets=sorted({*targets, target}, reverse=True), source=source, target=target,
                           report=report, error=error, retired={v.version for v in versions if v.retired_at},
                           models={v.version for v in versions if not v.executable}, **template_helpers()), status


def _migration_refusal(refused: Exception, source: int, target: int, versions: list[Any]) -> str:
    """Why the migration page changed nothing, in the page's language."""
    by_number = {v.version: v for v in versions}
    for number in (source, target):
        if number not in by_number:
            return _("This process has no version %(v)s.", v=number)
        if not by_number[number].executable:
            return _("Version %(v)s is a view-only model: it cannot run, so no instance runs on it or can move to "
                     "it.", v=number)
    if source == target:
        return _("Choose two different versions.")
    if by_number[target].retired_at is not None:
        return _("Version %(v)s is retired: no instance may start or move onto it. Bring it back on the process "
                 "list first.", v=target)
    return str(refused)


def show_deployed(results: list[Any], key: str, version: int) -> ResponseReturnValue:
    """After an editor's deploy (diagram, decision table, form): say what happened, show the new version."""
    _announce(results)
    newest = next((r for r in results if r.key == key), None)
    return redirect(url_for("owner.version", key=key, version=newest.version if newest else version))


def _announce(results: list[Any]) -> None:
    for result in results:
        if result.created:
            flash(_("Deployed %(key)s as version %(v)s.", key=result.key, v=result.version))
            announce_test_cases(result)
        elif result.kept_reason:
            flash(_("%(key)s: this content is already stored as version %(v)s; the newer version stays the one "
                    "new instances start from.", key=result.key, v=result.version))
        else:
            flash(_("%(key)s is unchanged; it stays at version %(v)s.", key=result.key, v=result.version))

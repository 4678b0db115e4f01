"""Process-owner page of decision tables: a version's .dmn file opened in dmn-js; deploying posts the edited
DMN with the rest of the version's files through the same deploy path as the BPMN modeler (origin "modeler",
the validation report on failure, nothing stored) — issue 16, item 2. A new, blank table is drawn from the names
the owner gives and deployed the same way, added to the bundle."""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import may_deploy
from engine.definitions.catalog import DefinitionCatalog
from engine.errors import DefinitionInvalid, InvalidInput, NotFound
from web.auth import casedesk, current_actor, require

from .bundles import decision_ids, main_bpmn_file, replace_file
from .new_decisions import FILE_NAME, lines, new_table
from .views import modeler_page, show_deployed

bp = Blueprint("owner_decisions", __name__, url_prefix="/owner")
DEPLOY = require(may_deploy, _l("only process owners edit decision tables"))


@bp.route("/processes/<key>/<int:version>/decisions", methods=["GET", "POST"])
@DEPLOY
def edit(key: str, version: int) -> ResponseReturnValue:
    """dmn-js on one .dmn file of a version (`file`, else its first); a version without one says so."""
    catalog = DefinitionCatalog(casedesk().db)
    catalog.version(key, version)  # 404 for an unknown version
    files = catalog.files(key, version)
    tables = sorted(name for name in files if name.endswith(".dmn"))
    name = request.values.get("file") or (tables[0] if tables else "")
    if request.method == "GET" and not name:
        return render_template("owner/decision.html", key=key, version=version, file="", xml="", tables=tables,
                               problems=None)
    adding = request.method == "POST" and request.form.get("new") == "1" and name not in files \
        and bool(FILE_NAME.match(name.rsplit("/", 1)[-1]))
    if name not in tables and not adding:
        raise NotFound(_("Version %(v)s of %(key)s has no decision table file %(name)s.", v=version, key=key,
                         name=name))
    if request.method == "GET":
        return render_template("owner/decision.html", key=key, version=version, file=name, tables=tables,
                               xml=files[name].decode("utf-8", errors="replace"), problems=None)
    edited = request.form.get("xml", "")
    try:
        bundle = replace_file(files, name, edited)
        if adding and not called(bundle, name):
            # Nothing calls the new table yet, so deploying would not change any process: it goes on to the
            # modeler with the main diagram, checked, to be chosen in a business rule task and deployed with it.
            problems = casedesk().definitions.validate(bundle)
            if problems:
                raise DefinitionInvalid(problems)
            main = main_bpmn_file(files, key)
            return modeler_page(key, version, files, main, files[main].decode("utf-8", errors="replace"),
                                carried={name: edited.encode("utf-8")})
        results = casedesk().definitions.deploy(bundle, deployed_by=current_actor().username, origin="modeler")
    except DefinitionInvalid as invalid:
        # The owner keeps the edited table; the report says what to fix; nothing is stored.
        return render_template("owner/decision.html", key=key, version=version, file=name, xml=edited,
                               tables=tables, problems=invalid.problems, new=adding), 422
    return show_deployed(results, key, version)


@bp.post("/processes/<key>/<int:version>/decisions/new")
@DEPLOY
def create(key: str, version: int) -> ResponseReturnValue:
    """A blank table from the names given, opened in dmn-js unsaved: deploying it adds it to the version."""
    catalog = DefinitionCatalog(casedesk().db)
    catalog.version(key, version)
    files = catalog.files(key, version)
    tables = sorted(name for name in files if name.endswith(".dmn"))
    asked = {field: request.form.get(field, "") for field in ("file", "decision_id", "decision_name", "inputs",
                                                              "outputs")}
    try:
        table = new_table(files, main_bpmn_file(files, key), asked["file"], asked["decision_id"],
                          asked["decision_name"], lines(asked["inputs"]), lines(asked["outputs"]))
    except InvalidInput as invalid:
        return render_template("owner/decision.html", key=key, version=version, file="", xml="", tables=tables,
                               problems=None, asked=asked, field_errors=invalid.field_errors), 422
    return render_template("owner/decision.html", key=key, version=version, file=table.file, xml=table.xml,
                           tables=tables, problems=None, new=True)


def called(files: dict[str, bytes], table: str) -> bool:
    """Whether a business rule task of the bundle calls a decision of `table` (SpiffWorkflow's calledDecisionId)."""
    wanted = decision_ids({table: files[table]})
    for name, content in files.items():
        if name.endswith(".bpmn"):
            text = content.decode("utf-8", errors="replace")
            if any(re.search(rf"calledDecisionId>\s*{re.escape(d)}\s*<", text) for d in wanted):
                return True
    return False

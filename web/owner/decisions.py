"""Process-owner page of decision tables: a version's .dmn file opened in dmn-js; deploying posts the edited
DMN with the rest of the version's files through the same deploy path as the BPMN modeler (origin "modeler",
the validation report on failure, nothing stored) — issue 16, item 2."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.access import may_deploy
from engine.definitions.catalog import DefinitionCatalog
from engine.errors import DefinitionInvalid, NotFound
from web.auth import casedesk, current_actor, require

from .bundles import replace_file
from .views import show_deployed

bp = Blueprint("owner_decisions", __name__, url_prefix="/owner")
DEPLOY = require(may_deploy, "only process owners edit decision tables")


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
    if name not in tables:
        raise NotFound(_("Version %(v)s of %(key)s has no decision table file %(name)s.", v=version, key=key,
                         name=name))
    if request.method == "GET":
        return render_template("owner/decision.html", key=key, version=version, file=name, tables=tables,
                               xml=files[name].decode("utf-8", errors="replace"), problems=None)
    edited = request.form.get("xml", "")
    try:
        results = casedesk().definitions.deploy(replace_file(files, name, edited),
                                                deployed_by=current_actor().username, origin="modeler")
    except DefinitionInvalid as invalid:
        # The owner keeps the edited table; the report says what to fix; nothing is stored.
        return render_template("owner/decision.html", key=key, version=version, file=name, xml=edited,
                               tables=tables, problems=invalid.problems), 422
    return show_deployed(results, key, version)

"""bpmn-js (viewer and modeler bundles, CSS, fonts) served from node_modules under /static/vendor/bpmn-js/."""
from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from engine.config import PROJECT_ROOT

BPMN_JS_DIST = PROJECT_ROOT / "node_modules" / "bpmn-js" / "dist"
# Only what a page needs; the development builds and package metadata stay private.
SERVED = ("bpmn-viewer.production.min.js", "bpmn-navigated-viewer.production.min.js",
          "bpmn-modeler.production.min.js", "assets/")

vendor = Blueprint("vendor", __name__)


@vendor.get("/static/vendor/bpmn-js/<path:filename>")
def bpmn_js(filename: str) -> Response:
    if not filename.startswith(SERVED) or not BPMN_JS_DIST.is_dir():
        abort(404)
    # send_from_directory refuses paths that leave the directory.
    return send_from_directory(BPMN_JS_DIST, filename, max_age=86400)

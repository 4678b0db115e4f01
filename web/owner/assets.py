"""bpmn-js (viewer and modeler bundles, CSS, fonts) served from node_modules under /static/vendor/bpmn-js/,
the properties panel's CSS, and the owner modeler bundle `make assets` builds (bpmn-js with the properties
panel and casedesk's provider, from web/owner/js/) under /static/vendor/casedesk/, with the decision-table
editor (dmn-js, its CSS and font)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from engine.config import PROJECT_ROOT

BPMN_JS_DIST = PROJECT_ROOT / "node_modules" / "bpmn-js" / "dist"
# Only what a page needs; the development builds and package metadata stay private.
SERVED = ("bpmn-viewer.production.min.js", "bpmn-navigated-viewer.production.min.js",
          "bpmn-modeler.production.min.js", "assets/")
PANEL_CSS_DIR = PROJECT_ROOT / "node_modules" / "@bpmn-io" / "properties-panel" / "dist" / "assets"
PANEL_SERVED = ("properties-panel.css",)
BUILT_ASSETS = PROJECT_ROOT / "build" / "assets"
BUILT_SERVED = ("owner-modeler.js", "owner-dmn.js", "owner-dmn.css",
                "dmn.eot", "dmn.svg", "dmn.ttf", "dmn.woff", "dmn.woff2")

vendor = Blueprint("vendor", __name__)


@vendor.get("/static/vendor/bpmn-js/<path:filename>")
def bpmn_js(filename: str) -> Response:
    if not filename.startswith(SERVED) or not BPMN_JS_DIST.is_dir():
        abort(404)
    # send_from_directory refuses paths that leave the directory.
    return send_from_directory(BPMN_JS_DIST, filename, max_age=86400)


@vendor.get("/static/vendor/properties-panel/<filename>")
def properties_panel(filename: str) -> Response:
    if filename not in PANEL_SERVED or not PANEL_CSS_DIR.is_dir():
        abort(404)
    return send_from_directory(PANEL_CSS_DIR, filename, max_age=86400)


@vendor.get("/static/vendor/casedesk/<filename>")
def built(filename: str) -> Response:
    if filename not in BUILT_SERVED or not BUILT_ASSETS.is_dir():
        abort(404)
    # Rebuilt by `make assets` whenever web/owner/js changes: revalidated, not cached for a day.
    return send_from_directory(BUILT_ASSETS, filename, max_age=0)

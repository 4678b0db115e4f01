"""bpmn-js comes from npm (make setup) and is served under /static/vendor/bpmn-js/; nothing else leaks."""
from __future__ import annotations

from flask.testing import FlaskClient


def test_viewer_and_modeler_bundles_and_css_are_served(client: FlaskClient) -> None:
    for name in ("bpmn-viewer.production.min.js", "bpmn-modeler.production.min.js"):
        response = client.get(f"/static/vendor/bpmn-js/{name}")
        assert response.status_code == 200 and b"BpmnJS" in response.data
    for name in ("assets/bpmn-js.css", "assets/diagram-js.css", "assets/bpmn-font/css/bpmn.css"):
        assert client.get(f"/static/vendor/bpmn-js/{name}").status_code == 200


def test_only_the_bundles_are_served(client: FlaskClient) -> None:
    assert client.get("/static/vendor/bpmn-js/../package.json").status_code == 404
    assert client.get("/static/vendor/bpmn-js/bpmn-modeler.development.js").status_code == 404


def test_the_owner_modeler_bundle_and_the_panel_css_are_served(client: FlaskClient) -> None:
    """`make assets` bundles bpmn-js with the properties panel and casedesk's provider (issue 16)."""
    bundle = client.get("/static/vendor/casedesk/owner-modeler.js")
    assert bundle.status_code == 200 and b"CasedeskModeler" in bundle.data and b"spiffworkflow" in bundle.data
    assert client.get("/static/vendor/properties-panel/properties-panel.css").status_code == 200
    assert client.get("/static/vendor/casedesk/modeler-bundle.js.map").status_code == 404
    assert client.get("/static/vendor/properties-panel/../package.json").status_code == 404

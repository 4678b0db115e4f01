"""Decision tables in the browser (issue 16, item 2): a version's .dmn file opens in dmn-js; deploying the
edited table stores a new version with the rest of the bundle, and a bad table is refused with the
validation report and nothing stored. The table edited here is R-2.2.1's assignment.dmn."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs

TABLE = "assignment.dmn"
URL = "/owner/processes/processing/1/decisions"


def _with_case(app: Casedesk) -> dict[str, bytes]:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    return DefinitionCatalog(app.db).files("processing", 1)


def _versions(app: Casedesk) -> list[int]:
    return [v.version for v in DefinitionCatalog(app.db).versions("processing")]


def test_the_version_page_links_its_decision_table_and_the_page_loads_dmn_js(app: Casedesk,
                                                                             login_as: LoginAs) -> None:
    _with_case(app)
    owner = login_as("process_owner")
    version_page = owner.get("/owner/processes/processing/1").get_data(as_text=True)
    assert f"{URL}?file={TABLE}" in version_page
    page = owner.get(f"{URL}?file={TABLE}").get_data(as_text=True)
    assert "/static/vendor/casedesk/owner-dmn.js" in page and "/static/vendor/casedesk/owner-dmn.css" in page
    assert 'id="decision-xml"' in page and "rule_sales_deadline" in page and "<script>" not in page
    assert 'name="file" value="assignment.dmn"' in owner.get(URL).get_data(as_text=True)  # the first table
    assert owner.get(f"{URL}?file=processing.bpmn").status_code == 404
    # A version without .dmn files says so.
    assert "no decision table" in owner.get("/owner/processes/document_review/1/decisions").get_data(as_text=True)


def test_only_process_owners_open_and_deploy_decision_tables(app: Casedesk, login_as: LoginAs) -> None:
    files = _with_case(app)
    for role in ("auditor", "admin", "clerk"):
        client = login_as(role)
        assert client.get(f"{URL}?file={TABLE}").status_code == 403
        assert client.post(URL, data={"file": TABLE, "xml": files[TABLE].decode()}).status_code == 403
        assert "/decisions?file=" not in client.get("/owner/processes/processing/1").get_data(as_text=True)
    assert _versions(app) == [1]


def test_an_edited_table_deploys_as_a_new_version_with_the_rest_of_the_bundle(app: Casedesk,
                                                                              login_as: LoginAs) -> None:
    """R-2.2.1: the sales deadline changed from three to four days in the table, deployed from the page."""
    files = _with_case(app)
    edited = files[TABLE].decode().replace('<text>"P3D"</text>', '<text>"P4D"</text>')
    response = login_as("process_owner").post(URL, data={"file": TABLE, "xml": edited})
    assert response.status_code == 302 and response.location.endswith("/owner/processes/processing/2")
    stored = DefinitionCatalog(app.db).version("processing", 2)
    assert stored.origin == "modeler"
    new_files = DefinitionCatalog(app.db).files("processing", 2)
    assert new_files[TABLE].decode() == edited and set(new_files) == set(files)


def test_a_bad_table_is_refused_with_the_report_and_nothing_stored(app: Casedesk, login_as: LoginAs) -> None:
    files = _with_case(app)
    bad = files[TABLE].decode().replace("</definitions>", "")
    owner = login_as("process_owner")
    response = owner.post(URL, data={"file": TABLE, "xml": bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="problems"' in page and TABLE in page and 'id="decision-xml"' in page
    assert _versions(app) == [1]
    empty = owner.post(URL, data={"file": TABLE, "xml": "  "})
    assert empty.status_code == 422 and 'id="problems"' in empty.get_data(as_text=True)
    assert owner.post(URL, data={"file": "other.dmn", "xml": files[TABLE].decode()}).status_code == 404
    assert _versions(app) == [1]


def test_the_dmn_js_bundle_its_css_and_font_are_served_locally(app: Casedesk, login_as: LoginAs) -> None:
    client = login_as("process_owner")
    assert b"CasedeskDmnModeler" in client.get("/static/vendor/casedesk/owner-dmn.js").get_data()
    css = client.get("/static/vendor/casedesk/owner-dmn.css").get_data(as_text=True)
    assert ".tjs-table" in css and "./dmn.woff2" in css
    assert client.get("/static/vendor/casedesk/dmn.woff2").status_code == 200
    assert client.get("/static/vendor/casedesk/owner-dmn.js.map").status_code == 404  # only what pages need

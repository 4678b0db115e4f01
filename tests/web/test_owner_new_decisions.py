"""New decision tables from the browser (issue 16, item 2): a blank table drawn from the names an owner gives
opens unsaved in dmn-js; once it has rules it goes on to the modeler, where a business rule task chooses it and
it is test-run and deployed with the diagram (R-2.2.1's assignment as the example); bad names and a broken table
are refused with the reasons and nothing stored; only process owners create tables."""
from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs

BASE = "/owner/processes/processing/1"
ASKED = {"file": "routing_by_type", "decision_id": "routing_by_type", "decision_name": "Routing by business type",
         "inputs": "business_type", "outputs": "department\ndeadline\nwarn_after\nquality_requirement"}
RULE = '''<rule id="rule_general"><inputEntry id="rule_general_type"><text>"general"</text></inputEntry>
  <outputEntry id="rule_general_department"><text>"finance"</text></outputEntry>
  <outputEntry id="rule_general_deadline"><text>"P2D"</text></outputEntry>
  <outputEntry id="rule_general_warn_after"><text>"P1D"</text></outputEntry>
  <outputEntry id="rule_general_quality"><text>"Booked by finance"</text></outputEntry></rule></decisionTable>'''


@pytest.fixture
def processing(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    return app


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


def _table_in_the_modeler(owner: FlaskClient) -> str:
    """Create the table, give it a rule as dmn-js would, and go on: the modeler page carrying the table."""
    blank = owner.post(f"{BASE}/decisions/new", data=ASKED)
    assert blank.status_code == 200, blank.get_data(as_text=True)[-800:]
    xml = _textarea(blank.get_data(as_text=True), "xml")
    assert '<decision id="routing_by_type" name="Routing by business type">' in xml
    assert "<text>business_type</text>" in xml and 'name="quality_requirement"' in xml and "<rule" not in xml
    went_on = owner.post(f"{BASE}/decisions", data={"file": "routing_by_type.dmn", "new": "1",
                                                    "xml": xml.replace("</decisionTable>", RULE)})
    assert went_on.status_code == 200
    return went_on.get_data(as_text=True)


def test_a_new_table_goes_on_to_the_modeler_is_chosen_test_run_and_deployed_with_the_diagram(
        processing: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    page = _table_in_the_modeler(owner)
    assert 'data-carried="routing_by_type.dmn"' in page
    assert "routing_by_type" in json.loads(html.unescape(re.search(r'data-decisions="([^"]*)"', page).group(1)))
    assert [v.version for v in DefinitionCatalog(processing.db).versions("processing")] == [1]  # nothing stored
    diagram = _textarea(page, "xml").replace("<spiffworkflow:calledDecisionId>assignment<",
                                             "<spiffworkflow:calledDecisionId>routing_by_type<")
    table = _textarea(page, "carried_xml")
    script = {"data": {"business_type": "general"}, "answers": {"handle_case": [{"outcome": "done", "result": "Ok"}]}}
    run = owner.post(f"{BASE}/edit/test-run", json={"file": "processing.bpmn", "xml": diagram, "script": script,
                                                     "carried": {"routing_by_type.dmn": table}}).get_json()
    assert next(s for s in run["steps"] if s["element"] == "assign_department")["data"]["department"] == "finance"
    deployed = owner.post(f"{BASE}/edit", data={"file": "processing.bpmn", "xml": diagram,
                                                "carried_name": "routing_by_type.dmn", "carried_xml": table})
    assert deployed.status_code == 302 and deployed.headers["Location"].endswith("/processing/2")
    files = DefinitionCatalog(processing.db).files("processing", 2)
    assert b'"Booked by finance"' in files["routing_by_type.dmn"]


def test_a_carried_table_never_replaces_a_file_of_the_version(processing: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    files = DefinitionCatalog(processing.db).files("processing", 1)
    answer = owner.post(f"{BASE}/edit", data={"file": "processing.bpmn", "xml": files["processing.bpmn"].decode(),
                                              "carried_name": "assignment.dmn", "carried_xml": "<x/>"})
    assert answer.status_code == 422 and "new file name ending in .dmn" in answer.get_data(as_text=True)
    assert files["assignment.dmn"] == DefinitionCatalog(processing.db).files("processing", 1)["assignment.dmn"]
    many = [f"t{n}.dmn" for n in range(21)]
    flood = owner.post(f"{BASE}/edit/test-run", json={
        "file": "processing.bpmn", "xml": files["processing.bpmn"].decode(), "script": {},
        "carried": {name: "<x/>" for name in many}})
    assert flood.status_code == 422 and "at most 20" in flood.get_json()["problems"][0]["message"]


def test_unusable_names_are_refused_field_by_field_and_nothing_opens(processing: Casedesk,
                                                                     login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    refused = owner.post(f"{BASE}/decisions/new", data={**ASKED, "file": "../evil", "decision_id": "1st",
                                                         "outputs": "a b"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="decision-xml"' not in page
    for field in ("file", "decision_id", "outputs"):
        assert f'data-field-error="{field}"' in page, field
    taken = owner.post(f"{BASE}/decisions/new", data={**ASKED, "file": "assignment", "decision_id": "assignment"})
    assert "already has a file assignment.dmn" in taken.get_data(as_text=True)
    assert "already has a decision assignment" in taken.get_data(as_text=True)
    empty = owner.post(f"{BASE}/decisions/new", data={**ASKED, "inputs": " ", "outputs": ""}).get_data(as_text=True)
    assert 'data-field-error="inputs"' in empty and 'data-field-error="outputs"' in empty


def test_a_broken_new_table_comes_back_with_the_report_and_is_not_stored(processing: Casedesk,
                                                                         login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    xml = _textarea(owner.post(f"{BASE}/decisions/new", data=ASKED).get_data(as_text=True), "xml")
    broken = xml.replace("</decisionTable>", RULE.replace('<text>"general"</text>', "<text>&gt; &gt;</text>"))
    answer = owner.post(f"{BASE}/decisions", data={"file": "routing_by_type.dmn", "xml": broken, "new": "1"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="problems"' in page and 'id="decision-new"' in page
    assert [v.version for v in DefinitionCatalog(processing.db).versions("processing")] == [1]


def test_a_file_the_version_does_not_have_is_not_written_without_asking_for_a_new_table(
        processing: Casedesk, login_as: LoginAs) -> None:
    answer = login_as("process_owner").post(f"{BASE}/decisions", data={"file": "other.dmn", "xml": "<x/>"})
    assert answer.status_code == 404


def test_only_process_owners_create_tables(processing: Casedesk, login_as: LoginAs) -> None:
    for role in ("auditor", "clerk"):
        assert login_as(role).post(f"{BASE}/decisions/new", data=ASKED).status_code == 403, role

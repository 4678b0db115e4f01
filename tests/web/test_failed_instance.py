"""A case an uncaught BPMN error failed: its page says Failed and why, and it can be cancelled there."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from tests.bpmn.conftest import diagram
from tests.web.conftest import LoginAs

DOOMED = diagram("doomed", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="broken" />
    <bpmn:endEvent id="broken" name="Broken"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:errorEventDefinition errorRef="broken_error" /></bpmn:endEvent>
""", extra='  <bpmn:error id="broken_error" name="Broken" errorCode="BROKEN" />\n')


def test_a_failed_case_page_says_why_and_cancelling_it_closes_the_incident(app: Casedesk, login_as: LoginAs) -> None:
    app.definitions.deploy({"doomed.bpmn": DOOMED.encode()}, "owen")
    started = app.runtime.start_instance("doomed", {}, actor="u_admin")
    assert started.status == "failed"
    admin = login_as("admin")

    page = admin.get(f"/instances/{started.id}").get_data(as_text=True)
    assert "Failed" in page and "Why this case failed" in page
    assert "BPMN error BROKEN" in page and "thrown at broken" in page
    assert admin.get("/instances?status=failed").status_code == 200

    response = admin.post(f"/instances/{started.id}/cancel", data={"reason": "fixed in v2"})
    assert response.status_code == 302
    assert app.runtime.get_instance(started.id).status == "cancelled"
    assert app.incidents.list(instance_id=started.id) == []

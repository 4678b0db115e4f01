"""Done-when of the API on the regulation's own process: a client that knows only the OpenAPI
document runs a business case (R-2) from consultation to the customer's feedback, each task
worked by a member of the group the task names."""
from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from casework.demo_org import seed_demo_org
from engine.clock import FakeClock

from .openapi_client import SpecClient

PASSWORD = "demo-pass-2026"
# One member of each group a case-chain task can name (the demo organisation).
MEMBER = {"intake": "ivy", "sales": "sam", "sales_head": "sue", "tracker": "tom"}
# What each member enters, by task: the business data a client brings; the calls come from the spec.
ENTRIES: dict[str, dict[str, Any]] = {
    "receive_consultation": {"customer_name": "王小明 Wang Xiaoming", "business_type": "sales",
                             "question": "How do I order? 如何下單？", "answered_now": True,
                             "answer": "Fill in the application. 填寫申請表。", "wants_to_apply": True},
    "fill_application": {"customer_name": "王小明 Wang Xiaoming", "mobile": "+86 138 0000 0001",
                         "email": "wang@example.com", "preferred_channel": "phone", "business_type": "sales",
                         "title": "Order 500 units 訂購500件", "description": "Delivery in December.",
                         "materials": ["application_form", "identity_document", "contract"]},
    "prereview_materials": {"missing_items": [], "review_remarks": ""},
    "handle_case": {"outcome": "done", "result": "Contract signed. 合同已簽訂。"},
    "phone_customer": {"reached": True, "call_note": "Told Mr Wang the result."},
    "record_feedback": {"satisfaction": "satisfied", "opinion": "Fine."},
}


def test_r_2_a_spec_only_client_runs_a_business_case_from_consultation_to_feedback(
        app: Casedesk, clock: FakeClock, client: FlaskClient) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, PASSWORD)
    api = SpecClient(client)
    tokens = {user: api.call("createToken", body={"username": user, "password": PASSWORD}, expect=201)["token"]
              for user in set(MEMBER.values())}

    api.token = tokens["ivy"]
    assert next(p for p in api.call("listProcesses", expect=200) if p["key"] == "business_case")["can_start"]
    instance = api.call("startInstance", {"key": "business_case"}, body={"data": {}}, expect=201)
    worked = []
    while instance["status"] == "running":
        assert len(worked) < 12, f"the case did not finish: {worked}"
        (ready,) = instance["ready_tasks"]
        member = MEMBER[ready["candidate_group"]]
        api.token = tokens[member]
        assert ready["id"] in [t["id"] for t in api.call("listTasks", query={"scope": "groups"}, expect=200)]
        api.call("claimTask", {"task_id": ready["id"]}, expect=200)
        task = api.call("getTask", {"task_id": ready["id"]}, expect=200)
        assert task["form_schema"]["type"] == "object"
        instance = api.call("completeTask", {"task_id": ready["id"]},
                            body={"data": ENTRIES[ready["task_spec"]]}, expect=200)
        worked.append((ready["task_spec"], member))

    assert instance["status"] == "completed"
    assert worked == [("receive_consultation", "ivy"), ("fill_application", "ivy"), ("prereview_materials", "ivy"),
                      ("handle_case", "sam"), ("phone_customer", "sam"), ("record_feedback", "sam")]
    api.token = tokens["ivy"]
    case = api.call("getInstance", {"instance_id": instance["id"]}, expect=200)
    assert case["business_key"].startswith("XS-")  # the case number given at acceptance

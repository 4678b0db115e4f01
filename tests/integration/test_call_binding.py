"""Call activities bind the called process's version when the call starts: by default the newest, so a
business case started after an owner edited Consultation runs the edited stage — and replays verified."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Iterator

import pytest
from sqlalchemy import func, select

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from engine.models import ProcessInstance
from engine.errors import DefinitionInvalid, InvalidInput, WorkflowFailed
from engine.runtime.service import InstanceView
from web.app import create_app

CASE = PROJECT_ROOT / "processes" / "case"
FORMS = PROJECT_ROOT / "forms"
OLD_REPLY = "Reply to the customer"
NEW_REPLY = "Reply to the customer within two days"
QUESTION = {"customer_name": "李雷 Li Lei", "business_type": "finance", "question": "Two instalments?",
            "mobile": "+86 139 0000 0002", "email": "", "answered_now": False, "answer": "",
            "wants_to_apply": False}


@pytest.fixture
def cases(app: Casedesk, clock: FakeClock) -> Iterator[Casedesk]:
    # The reply-deadline notice goes to the outbox: no SMS gateway here.
    casedesk = bootstrap(replace(app.settings, notify_transport="outbox"), clock=clock, run_migrations=False)
    casedesk.definitions.deploy(collect_files(CASE, FORMS), "owen")
    seed_demo_org(casedesk.db, clock, "demo-pass-2026")
    yield casedesk
    casedesk.close()


def case_files() -> dict[str, bytes]:
    return collect_files(CASE, FORMS)


def with_text(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    text = files[name].decode()
    assert old in text, old
    return {**files, name: text.replace(old, new).encode()}


def with_call_properties(properties: str) -> dict[str, bytes]:
    """The case bundle with spiffworkflow properties on the call of Consultation."""
    anchor = "<bpmn:incoming>flow_case_start_consultation</bpmn:incoming>"
    return with_text(case_files(), "business_case.bpmn", anchor,
                     "<bpmn:extensionElements><spiffworkflow:properties>"
                     f"{properties}</spiffworkflow:properties></bpmn:extensionElements>{anchor}")


def edit_consultation(app: Casedesk) -> None:
    """The owner renames the reply task of Consultation and deploys Consultation alone (its own bundle)."""
    files = {n: c for n, c in case_files().items() if n == "consultation.bpmn" or n.endswith(".json")}
    edited = with_text(files, "consultation.bpmn", f'name="{OLD_REPLY}"', f'name="{NEW_REPLY}"')
    results = {r.key: r for r in app.definitions.deploy(edited, "owen")}
    assert results["consultation"].version == 2 and results["consultation"].created


def received(app: Casedesk, cold: bool = False) -> InstanceView:
    """A business case whose consultation was received and is waiting for the reply."""
    view = app.runtime.start_instance("business_case", {}, actor="ivy")
    if cold:
        app.runtime.warm.clear()  # the next step restores the instance from the database
    return app.runtime.complete_task(view.ready_tasks[0].id, QUESTION, actor="ivy")


def bindings(app: Casedesk, instance_id: str) -> list[dict[str, object]]:
    return [json.loads(e.payload) for e in app.history.events(instance_id) if e.type == "call_bound"]


def comparable(app: Casedesk, instance_id: str) -> list[tuple[str, str | None, str]]:
    """The log without ids and times: what two equal runs must share."""
    return [(e.type, e.task_spec, _without_outbox_id(e.payload)) for e in app.history.events(instance_id)
            if e.type not in ("task_ready", "task_submitted")] + \
           [(e.type, e.task_spec, _without_outbox_id(e.payload))
            for e in app.history.events(instance_id) if e.type == "task_ready"]


def _without_outbox_id(payload: str) -> str:
    """A notice's outbox row id (R-2.1.1 reply deadline) differs between two runs by nature."""
    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "outbox_id"}
        return [strip(v) for v in value] if isinstance(value, list) else value
    return json.dumps(strip(json.loads(payload)), sort_keys=True)


def test_a_case_started_after_a_consultation_edit_runs_the_edited_stage_and_replays_verified(
        cases: Casedesk) -> None:
    before = received(cases)
    assert [t.title for t in before.ready_tasks] == [OLD_REPLY]
    edit_consultation(cases)

    warm, cold = received(cases), received(cases, cold=True)
    for view in (warm, cold):
        assert [t.title for t in view.ready_tasks] == [NEW_REPLY]
        assert bindings(cases, view.id) == [{"element": "call_consultation", "process": "consultation",
                                             "binding": "latest", "version": 2}]
    assert comparable(cases, warm.id) == comparable(cases, cold.id)  # warm and cold runs agree

    # The case started before the edit keeps the version its call bound, from memory or from the database.
    assert bindings(cases, before.id)[0]["version"] == 1
    cases.runtime.warm.clear()
    for view in (before, warm, cold):
        reply = cases.runtime.list_tasks(instance_id=view.id)[0]
        done = cases.runtime.complete_task(reply.id, {"answer": "Yes.", "wants_to_apply": False}, actor="ivy")
        assert done.status == "completed"
        report = cases.history.replay(view.id)
        assert report.verified, report.as_dict()


def test_a_consultation_edit_in_the_web_modeler_survives_make_runs_deploy_and_new_cases_run_it_verified(
        cases: Casedesk) -> None:
    """The issue's own path: the owner edits Consultation in the web modeler, `make run` deploys processes/ again,
    and a business case started afterwards runs the edited stage and replays verified."""
    owner = create_app({"CASEDESK": cases, "TESTING": True, "WTF_CSRF_ENABLED": False}).test_client()
    owner.post("/login", data={"username": "owen", "password": "demo-pass-2026"})
    xml = DefinitionCatalog(cases.db).files("consultation", 1)["consultation.bpmn"].decode()
    saved = owner.post("/owner/processes/consultation/1/edit",
                       data={"file": "consultation.bpmn", "xml": xml.replace(f'name="{OLD_REPLY}"', f'name="{NEW_REPLY}"')})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/owner/processes/consultation/2")

    again = {r.key: r for r in cases.definitions.deploy(case_files(), "setup")}  # what `make run` deploys
    assert (again["consultation"].created, again["consultation"].version) == (False, 1)
    assert not any(r.created for r in again.values())
    newest = DefinitionCatalog(cases.db).versions("consultation")[0]
    assert (newest.version, newest.origin, newest.deployed_by) == (2, "modeler", "owen")

    view = received(cases)
    assert [t.title for t in view.ready_tasks] == [NEW_REPLY]
    assert bindings(cases, view.id)[0]["version"] == 2
    cases.runtime.warm.clear()
    reply = cases.runtime.list_tasks(instance_id=view.id)[0]
    done = cases.runtime.complete_task(reply.id, {"answer": "Yes.", "wants_to_apply": False}, actor="ivy")
    assert done.status == "completed"
    report = cases.history.replay(view.id)
    assert report.verified, report.as_dict()


def test_a_call_bound_to_its_deployment_or_a_fixed_version_ignores_newer_edits(cases: Casedesk) -> None:
    edit_consultation(cases)
    for binding in ('<spiffworkflow:property name="calledElementBinding" value="deployment"/>',
                    '<spiffworkflow:property name="calledElementBinding" value="version"/>'
                    '<spiffworkflow:property name="calledElementVersion" value="1"/>'):
        cases.definitions.deploy(with_call_properties(binding), "owen")
        view = received(cases, cold=True)
        assert [t.title for t in view.ready_tasks] == [OLD_REPLY]
        bound = bindings(cases, view.id)[0]
        assert bound["binding"] in ("deployment", "version")
        assert bound["version"] == (None if bound["binding"] == "deployment" else 1)
        assert cases.history.replay(view.id).verified


@pytest.mark.parametrize("properties, says", [
    ('<spiffworkflow:property name="calledElementBinding" value="newest"/>', "is not one of latest, deployment"),
    ('<spiffworkflow:property name="calledElementBinding" value="version"/>', "is not a version number"),
    ('<spiffworkflow:property name="calledElementVersion" value="2"/>', "but calledElementBinding is 'latest'"),
])
def test_an_invalid_binding_is_refused_at_deploy_naming_the_call(cases: Casedesk, properties: str,
                                                                 says: str) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        cases.definitions.deploy(with_call_properties(properties), "owen")
    problems = [p for p in refused.value.problems if p.element_id == "call_consultation"]
    assert problems and problems[0].file == "business_case.bpmn" and problems[0].element_name == "Consultation"
    assert says in problems[0].message


def test_migrating_the_caller_keeps_the_version_its_running_call_bound(cases: Casedesk) -> None:
    cases.users.add_user("owner", "demo-pass-2026", ["process_owner"])
    edit_consultation(cases)
    view = received(cases)
    renamed = with_text(case_files(), "business_case.bpmn", 'name="Customer applies?"',
                        'name="Does the customer apply?"')
    assert {r.key: r.version for r in cases.definitions.deploy(renamed, "owen")}["business_case"] == 2
    report = cases.migrations.migrate("business_case", 1, 2, "owner")
    assert [o.instance_id for o in report.moved] == [view.id]
    cases.runtime.warm.clear()
    reply = cases.runtime.list_tasks(instance_id=view.id)[0]
    assert reply.title == NEW_REPLY  # still consultation v2, not the copy in business_case v2's bundle
    done = cases.runtime.complete_task(reply.id, {"answer": "Yes.", "wants_to_apply": False}, actor="ivy")
    assert done.status == "completed" and done.version == 2
    assert cases.history.replay(view.id).verified


def edit_reply_form(app: Casedesk) -> None:
    """The owner adds a required "reply channel" to the reply form of Consultation and deploys Consultation alone."""
    files = {n: c for n, c in case_files().items() if n == "consultation.bpmn" or n.endswith(".json")}
    form = json.loads(files["reply_consultation.schema.json"])
    form["properties"]["reply_channel"] = {"type": "string", "title": "Replied by", "enum": ["phone", "email"]}
    form["required"].append("reply_channel")
    files["reply_consultation.schema.json"] = json.dumps(form).encode()
    results = {r.key: r for r in app.definitions.deploy(files, "owen")}
    assert results["consultation"].version == 2 and results["consultation"].created


def test_a_called_stage_shows_and_checks_the_form_of_the_version_it_bound(cases: Casedesk) -> None:
    """An owner's form edit in a called process reaches the cases that call it (and only those started after):
    the task page shows the new field and the submission is checked against it, warm or restored."""
    before = received(cases)
    edit_reply_form(cases)
    after = received(cases, cold=True)
    cases.runtime.warm.clear()
    answer = {"answer": "Yes.", "wants_to_apply": False}
    for view, fields in ((before, {"answer", "wants_to_apply"}),
                         (after, {"answer", "wants_to_apply", "reply_channel"})):
        reply = cases.runtime.list_tasks(instance_id=view.id)[0]
        assert reply.form_definition_id is not None  # the version the call bound, kept on the inbox row
        form = cases.definitions.load(reply.form_definition_id).forms[reply.form_file or ""]
        assert set(form["properties"]) == fields
    new_reply = cases.runtime.list_tasks(instance_id=after.id)[0]
    with pytest.raises(InvalidInput) as refused:
        cases.runtime.complete_task(new_reply.id, answer, actor="ivy")
    assert "reply_channel" in refused.value.field_errors
    old_reply = cases.runtime.list_tasks(instance_id=before.id)[0]
    with pytest.raises(InvalidInput):
        cases.runtime.complete_task(old_reply.id, {**answer, "reply_channel": "phone"}, actor="ivy")
    assert cases.runtime.complete_task(new_reply.id, {**answer, "reply_channel": "phone"}, actor="ivy").status == \
        "completed"
    assert cases.runtime.complete_task(old_reply.id, answer, actor="ivy").status == "completed"
    for view in (before, after):
        report = cases.history.replay(view.id)
        assert report.verified, report.as_dict()


def test_the_task_page_of_a_called_stage_renders_the_bound_versions_form(cases: Casedesk) -> None:
    edit_reply_form(cases)
    view = received(cases)
    site = create_app({"TESTING": True, "CASEDESK": cases, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    client = site.test_client()
    assert client.post("/login", data={"username": "ivy", "password": "demo-pass-2026"}).status_code == 302
    page = client.get(f"/tasks/{view.ready_tasks[0].id}").get_data(as_text=True)
    assert 'name="reply_channel"' in page and "Replied by" in page
    typed = client.post(f"/tasks/{view.ready_tasks[0].id}", data={"answer": "Yes.", "wants_to_apply": "false"})
    assert typed.status_code == 422 and "Yes." in typed.get_data(as_text=True)  # refused, and nothing lost


def test_a_call_to_a_process_its_owner_retired_starts_nothing_and_says_so(cases: Casedesk) -> None:
    """Retiring Consultation as a whole means no new Consultation, also not the copy bundled with the business
    case (which the owner's edits replaced): the case does not start, nothing is stored; brought back, it does."""
    edit_consultation(cases)
    before = _instances(cases)
    cases.lifecycle.set_retired("consultation", None, True, "owen")
    with pytest.raises(WorkflowFailed, match="call_consultation calls 'consultation', but .*retired"):
        cases.runtime.start_instance("business_case", {}, actor="ivy")
    assert _instances(cases) == before

    cases.lifecycle.set_retired("consultation", None, False, "owen")
    view = received(cases)
    assert [t.title for t in view.ready_tasks] == [NEW_REPLY]
    assert bindings(cases, view.id)[0]["version"] == 2
    assert cases.history.replay(view.id).verified


def _instances(app: Casedesk) -> int:
    with app.db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(ProcessInstance)) or 0

"""Test runs (issue 16, item 6): a draft or a stored version run in memory with scripted answers,
its path, data and stop reason, and saved test cases re-run against later versions."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.definitions.testrun import TestScript
from engine.errors import DefinitionInvalid, InvalidInput, NotFound
from engine.models import ProcessInstance
from engine.runtime.state import StateCodec
from engine.runtime.tasktree import ready_manual_tasks

DEMO = PROJECT_ROOT / "processes" / "demo"
APPROVE = "decision == 'approve'"


def demo_files(condition: str = APPROVE) -> dict[str, bytes]:
    files = collect_files(DEMO, PROJECT_ROOT / "forms")
    bpmn = files["document_review.bpmn"].decode()
    assert APPROVE in bpmn
    files["document_review.bpmn"] = bpmn.replace(APPROVE, condition).encode()
    return files


def script(**parts: object) -> TestScript:
    return TestScript.from_json({"data": {"title": " Travel policy "}, **parts})


SEND_BACK_THEN_APPROVE = dict(
    answers={"draft": [{"body": "v1"}, {"body": "v2"}],
             "review": [{"decision": "send_back"}, {"decision": "approve"}]},
    results={"publish": [{"reference": "DOC-7"}]},
)


def test_draft_run_reports_elements_flows_and_data_through_a_send_back(app: Casedesk) -> None:
    run = app.testcases.run_draft(demo_files(), None, script(**SEND_BACK_THEN_APPROVE))
    assert run.stop.kind == "completed" and run.version is None
    assert run.path == ["start", "prepare", "draft", "review", "approved_gateway", "draft", "review",
                        "approved_gateway", "publish", "end"]
    assert run.flows.index("flow_rejected") < run.flows.index("flow_approved")
    assert run.flows.count("flow_draft_review") == 2 and "flow_publish_end" in run.flows
    prepared = run.steps[1]
    assert prepared.data == {"title": "Travel policy", "rounds": 0} and prepared.changed["title"] == "Travel policy"
    assert run.steps[5].data["body"] == "v2"  # the second draft's answer, in order
    assert run.data["publication"] == {"reference": "DOC-7"}  # the scripted service result, not the handler's
    assert run.unused == {}


def test_the_state_where_a_run_stops_round_trips_through_the_serializer(app: Casedesk) -> None:
    run = app.testcases.run_version("document_review", 1, script(answers={"draft": [{"body": "v1"}]}))
    definition = app.definitions.load(1)
    restored = StateCodec().load(run.state, definition.spec, definition.subprocess_specs)
    [review] = ready_manual_tasks(restored)
    assert review.task_spec.bpmn_id == "review" and review.data["body"] == "v1"


def test_a_test_run_stores_no_instance_and_calls_no_handler(app: Casedesk) -> None:
    app.testcases.run_draft(demo_files(), "document_review", script(**SEND_BACK_THEN_APPROVE))
    with app.db.unit_of_work(write=False) as session:
        assert session.query(ProcessInstance).count() == 0


@pytest.mark.parametrize("parts, kind, element, words", [
    ({"answers": {"draft": [{"body": "x"}]}}, "user_task", "review", "no scripted answer"),
    ({"answers": {"draft": [{"body": "x"}], "review": [{"decision": "approve"}]}}, "service", "publish",
     "no scripted result"),
    ({"answers": {"draft": [{"body": "x"}], "review": [{"decision": "maybe"}]}}, "answer_refused", "review",
     "refused by its form"),
    ({"answers": {"draft": [{"body": "x"}], "review": [{"decision": "approve"}]},
      "results": {"publish": [{"bpmn_error": {"code": "no_printer"}}]}}, "failed", "publish", "no_printer"),
])
def test_the_run_says_where_and_why_it_stopped(app: Casedesk, parts: dict, kind: str, element: str,
                                               words: str) -> None:
    run = app.testcases.run_draft(demo_files(), "document_review", script(**parts))
    assert (run.stop.kind, run.stop.element) == (kind, element)
    assert words in run.stop.message


def test_a_failing_condition_stops_the_run_with_the_error_in_words(app: Casedesk) -> None:
    run = app.testcases.run_draft(demo_files("decision / 0 == 1"), "document_review",
                                  script(answers={"draft": [{"body": "x"}], "review": [{"decision": "approve"}]}))
    assert run.stop.kind == "error" and "approved_gateway" in run.stop.message
    assert run.path[-1] == "review"


def test_a_draft_is_validated_as_deploy_does_and_a_bad_script_is_refused(app: Casedesk) -> None:
    with pytest.raises(DefinitionInvalid):
        app.testcases.run_draft(demo_files("decision =="), "document_review", script())
    with pytest.raises(NotFound):
        app.testcases.run_draft(demo_files(), "no_such_process", script())
    with pytest.raises(InvalidInput) as refused:
        TestScript.from_json({"answers": {"draft": {"body": "x"}}, "extra": 1})
    assert set(refused.value.field_errors) == {"", "answers.draft"}


def test_saved_case_passes_on_its_version_and_fails_when_a_new_version_changes_the_routing(app: Casedesk) -> None:
    """A routing change (the gateway's condition) makes the saved case fail on the new version only."""
    first = app.testcases.run_version("document_review", None, script(**SEND_BACK_THEN_APPROVE))
    assert first.version == 1 and first.stop.kind == "completed"
    app.testcases.save("document_review", "send back once", script(**SEND_BACK_THEN_APPROVE), first, "owen")
    [outcome] = app.testcases.check_version("document_review")
    assert outcome.passed and outcome.case.saved_on_version == 1
    changed = demo_files("decision in ('approve', 'send_back')")
    [draft] = app.testcases.check_draft(changed, "document_review")
    assert not draft.passed and draft.differences[0].startswith("path:")
    app.definitions.deploy(changed, "owen", origin="upload")
    [again] = app.testcases.check_version("document_review")
    assert again.run.version == 2 and not again.passed
    assert again.differences[0].startswith("path:") and again.run.unused == {"draft": 1, "review": 1}
    [old] = app.testcases.check_version("document_review", version=1)
    assert old.passed


def test_saving_again_replaces_the_case_and_a_nameless_case_is_refused(app: Casedesk) -> None:
    run = app.testcases.run_version("document_review", 1, script())
    app.testcases.save("document_review", "waits", script(), run, "owen")
    app.testcases.save("document_review", "waits", script(), run, "olga")
    assert [(c.name, c.saved_by) for c in app.testcases.cases("document_review")] == [("waits", "olga")]
    with pytest.raises(InvalidInput):
        app.testcases.save("document_review", "  ", script(), run, "owen")
    app.testcases.delete("document_review", "waits")
    assert app.testcases.cases("document_review") == []
    with pytest.raises(NotFound):
        app.testcases.delete("document_review", "waits")


TIMERS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "timers"


def test_a_run_stops_at_a_timer_and_a_scripted_timer_fires_at_its_due_time(app: Casedesk) -> None:
    files = {"wait.bpmn": (TIMERS / "wait.bpmn").read_bytes()}
    waiting = app.testcases.run_draft(files, None, TestScript.from_json({"data": {"due": "2026-02-01T00:00:00Z"}}))
    assert (waiting.stop.kind, waiting.stop.element) == ("timer", "until")
    assert "due 2026-02-01T00:00:00+00:00" in waiting.stop.message
    fired = app.testcases.run_draft(files, None, TestScript.from_json(
        {"data": {"due": "2026-02-01T00:00:00Z"}, "timers": ["until"]}))
    assert fired.stop.kind == "completed" and fired.path[-2:] == ["stamp", "done"]
    assert fired.steps[-2].changed["woke_at"].startswith("2026-02-01 00:00:00")  # the clock moved to the due time


def test_scripted_timers_fire_in_order_when_no_answer_moves_the_run(app: Casedesk) -> None:
    files = {"reminder.bpmn": (TIMERS / "reminder.bpmn").read_bytes()}
    run = app.testcases.run_draft(files, None, TestScript.from_json({
        "data": {"reminders": 0, "reply_within": "P3D"}, "timers": ["reminder", "deadline"],
        "answers": {"escalate": [{}]}}))
    assert run.stop.kind == "completed"
    assert run.path == ["start", "count_reminder", "reminded", "deadline", "escalate", "escalated"]
    assert "f5" in run.flows and "f2" not in run.flows  # the deadline interrupted the reply
    answered = app.testcases.run_draft(files, None, TestScript.from_json({
        "data": {"reminders": 0, "reply_within": "P3D"}, "timers": ["deadline"], "answers": {"reply": [{}]}}))
    assert answered.path == ["start", "reply", "replied"] and answered.unused == {"deadline": 1}


def test_a_scripted_message_is_delivered_when_the_run_waits_for_it(app: Casedesk) -> None:
    files = {"order_desk.bpmn": (PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "messages" / "order_desk.bpmn")
             .read_bytes()}
    start = {"data": {"order_id": "A1", "item": "pen"}}
    waiting = app.testcases.run_draft(files, "order_desk", TestScript.from_json(start))
    assert (waiting.stop.kind, waiting.stop.element) == ("message", "wait_packed")
    assert "message 'order_packed' with correlation {'order_id': 'A1'}" in waiting.stop.message
    packed = {"name": "order_packed", "correlation": {"order_id": "A1"}, "data": {"order_id": "A1", "box": 3}}
    run = app.testcases.run_draft(files, "order_desk", TestScript.from_json(
        {**start, "messages": [packed], "answers": {"ship": [{}]}}))
    assert run.stop.kind == "completed" and run.path[-3:] == ["wait_packed", "ship", "shipped"]
    assert run.steps[-3].data["packed"] == {"order_id": "A1", "box": 3}
    wrong = app.testcases.run_draft(files, "order_desk", TestScript.from_json(
        {**start, "messages": [{**packed, "correlation": {"order_id": "B2"}, "data": {"order_id": "B2"}}]}))
    assert wrong.stop.kind == "error" and "does not wait for" in wrong.stop.message

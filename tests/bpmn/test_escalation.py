"""Escalation events: thrown inside a subprocess (intermediate throw or end event), caught by an
interrupting or non-interrupting boundary on it; an escalation nobody catches changes nothing."""
from __future__ import annotations

from tests.bpmn.conftest import BothWays, Desk, Run, diagram

ESCALATION = '  <bpmn:escalation id="late" name="Running late" escalationCode="LATE" />\n'


def handling(boundary: str, cancel: str, inside_end: str) -> str:
    """A case handled in a subprocess that escalates; `boundary` catches on it, or nothing does."""
    return f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle" />
    <bpmn:subProcess id="handle" name="Handle the case"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="handle_start"><bpmn:outgoing>h1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="h1" sourceRef="handle_start" targetRef="raise_flag" />
      <bpmn:intermediateThrowEvent id="raise_flag" name="Raise the flag"><bpmn:incoming>h1</bpmn:incoming>
        <bpmn:outgoing>h2</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="late" />
      </bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="h2" sourceRef="raise_flag" targetRef="work" />
      <bpmn:userTask id="work" name="Work"><bpmn:incoming>h2</bpmn:incoming><bpmn:outgoing>h3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="h3" sourceRef="work" targetRef="handle_end" />
      <bpmn:endEvent id="handle_end"><bpmn:incoming>h3</bpmn:incoming>{inside_end}</bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="close" />
    <bpmn:userTask id="close" name="Close"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="close" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    {boundary.format(cancel=cancel)}
"""


BOUNDARY = """
    <bpmn:boundaryEvent id="on_late" name="Late" attachedToRef="handle" cancelActivity="{cancel}">
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="late" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="on_late" targetRef="inform" />
    <bpmn:userTask id="inform" name="Inform the manager"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="inform" targetRef="informed" />
    <bpmn:endEvent id="informed"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
"""

NON_INTERRUPTING = diagram("escalate_and_go_on", handling(BOUNDARY, "false", ""), extra=ESCALATION)
INTERRUPTING = diagram("escalate_and_stop", handling(BOUNDARY, "true", ""), extra=ESCALATION)
UNCAUGHT = diagram("escalate_to_nobody", handling("", "", ""), extra=ESCALATION)


def test_a_non_interrupting_escalation_boundary_adds_a_path_and_the_subprocess_goes_on(desk: Desk) -> None:
    desk.deploy(NON_INTERRUPTING)
    run = desk.start("escalate_and_go_on")

    assert sorted(run.ready()) == ["inform", "work"]
    run.complete("inform")
    run.complete("work")
    assert run.ready() == ["close"]
    run.complete("close")
    assert run.status == "completed"


def test_an_interrupting_escalation_boundary_ends_the_subprocess(desk: Desk) -> None:
    desk.deploy(INTERRUPTING)
    run = desk.start("escalate_and_stop")

    assert run.ready() == ["inform"]
    run.complete("inform")
    assert run.status == "completed"
    assert "close" not in [e.task_spec for e in run.events() if e.type == "task_ready"]


def test_an_escalation_nobody_catches_changes_nothing(desk: Desk) -> None:
    desk.deploy(UNCAUGHT)
    run = desk.start("escalate_to_nobody")

    assert run.ready() == ["work"]
    run.complete("work")
    run.complete("close")
    assert run.status == "completed"


def test_escalations_record_the_same_history_warm_and_cold(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(NON_INTERRUPTING)
        run = desk.start("escalate_and_go_on")
        run.complete("work")
        run.complete("inform")
        run.complete("close")
        return run

    warm, cold = both_ways(scenario)
    assert warm.status == cold.status == "completed"


def test_an_uncaught_escalation_is_not_kept_in_the_stored_state(desk: Desk) -> None:
    desk.deploy(UNCAUGHT)
    run = desk.start("escalate_to_nobody")

    with desk.app.db.transaction() as conn:
        state = conn.exec_driver_sql("SELECT state FROM process_instance WHERE id = ?" if desk.app.db.is_postgres is False
                                     else "SELECT state FROM process_instance WHERE id = %s", (run.id,)).scalar_one()
    assert "Running late" not in state and "LATE" not in state


# The subprocess ends with an escalation end event; the interrupting boundary takes over from there.
ENDS_ESCALATING = diagram("escalate_at_the_end", handling(BOUNDARY, "true", '<bpmn:escalationEventDefinition escalationRef="late" />').replace(
    '<bpmn:intermediateThrowEvent id="raise_flag" name="Raise the flag"><bpmn:incoming>h1</bpmn:incoming>\n'
    '        <bpmn:outgoing>h2</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="late" />\n'
    '      </bpmn:intermediateThrowEvent>',
    '<bpmn:intermediateThrowEvent id="raise_flag" name="Raise the flag"><bpmn:incoming>h1</bpmn:incoming>\n'
    '        <bpmn:outgoing>h2</bpmn:outgoing></bpmn:intermediateThrowEvent>'), extra=ESCALATION)


def test_an_escalation_end_event_in_a_subprocess_reaches_the_boundary_instead_of_the_normal_flow(desk: Desk) -> None:
    assert ENDS_ESCALATING.count("escalationEventDefinition") == 2  # the end event's and the boundary's
    desk.deploy(ENDS_ESCALATING)
    run = desk.start("escalate_at_the_end")
    assert run.ready() == ["work"]

    run.complete("work")
    assert run.ready() == ["inform"]
    run.complete("inform")
    assert run.status == "completed"
    assert "close" not in [e.task_spec for e in run.events() if e.type == "task_ready"]

"""The conformance harness itself: warm and cold desks drive the same diagram to the same history."""
from __future__ import annotations

from datetime import timedelta

from tests.bpmn.conftest import BothWays, Desk, Run, diagram

REVIEW_WITH_DEADLINE = diagram("review_with_deadline", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="review" />
    <bpmn:userTask id="review" name="Review"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="One day"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="stamp" />
    <bpmn:scriptTask id="stamp" name="Stamp"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:script>waited = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="stamp" targetRef="join" />
    <bpmn:parallelGateway id="join"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
""")


def test_a_user_task_and_a_timer_join_and_complete_warm_and_cold(desk: Desk) -> None:
    desk.deploy(REVIEW_WITH_DEADLINE)
    run = desk.start("review_with_deadline", {"case": 7})
    assert run.ready() == ["review"]
    run.complete("review", {"verdict": "ok"})
    assert run.status == "running"
    assert run.advance(timedelta(days=1)) == 1
    assert run.status == "completed"
    assert run.data == {"case": 7, "verdict": "ok", "waited": True}


def test_warm_and_cold_record_the_same_history(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(REVIEW_WITH_DEADLINE)
        run = desk.start("review_with_deadline", {"case": 7})
        run.advance(timedelta(days=1))
        run.complete("review", {"verdict": "ok"}, actor="bob")
        return run

    warm, cold = both_ways(scenario)
    assert warm.status == cold.status == "completed"
    assert "timer_fired" in warm.types()
    assert warm.desk.mode == "warm" and cold.desk.mode == "cold"

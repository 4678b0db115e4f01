"""Standard loops (loopCharacteristics): the activity repeats while its condition holds, at most
its maximum, warm and cold alike."""
from __future__ import annotations

from tests.bpmn.conftest import BothWays, Desk, Run, diagram

# SpiffWorkflow names the task spec of a loop body "<BPMN id> [child]".
DRAFT = "draft [child]"


def redraft(maximum: int) -> str:
    return diagram("redraft", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="draft" />
    <bpmn:userTask id="draft" name="Draft the letter"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics loopMaximum="{maximum}">
        <bpmn:loopCondition>not approved</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="draft" targetRef="send" />
    <bpmn:userTask id="send" name="Send the letter"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="send" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def test_a_standard_loop_repeats_while_its_condition_holds(desk: Desk) -> None:
    desk.deploy(redraft(5))
    run = desk.start("redraft", {"approved": False})
    for _ in range(2):
        assert run.ready() == [DRAFT]
        run.complete(DRAFT, {"approved": False})
    run.complete(DRAFT, {"approved": True})
    assert run.ready() == ["send"]
    run.complete("send", {})
    assert run.status == "completed"
    assert run.types().count("task_submitted") == 4


def test_a_standard_loop_stops_at_its_maximum_warm_and_cold_alike(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(redraft(2))
        run = desk.start("redraft", {"approved": False})
        run.complete(DRAFT, {"approved": False})
        run.complete(DRAFT, {"approved": False})
        assert run.ready() == ["send"]
        return run

    both_ways(scenario)


ONE_ROUND = diagram("one_round", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review a round"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")
ROUNDS = diagram("rounds", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each_round" />
    <bpmn:callActivity id="each_round" name="Run review rounds" calledElement="one_round">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics><bpmn:loopCondition>rounds &lt; 3</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="each_round" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")


def test_a_standard_loop_on_a_call_activity_calls_the_process_again_while_its_condition_holds(
        both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(ONE_ROUND, ROUNDS)
        run = desk.start("rounds", {"rounds": 0})
        for round_number in (1, 2, 3):
            assert run.ready() == ["review"]
            run.complete("review", {"rounds": round_number})
        assert run.status == "completed" and run.data["rounds"] == 3
        return run

    both_ways(scenario)

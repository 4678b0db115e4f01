"""Sequence-flow elements: plain and manual tasks, embedded subprocesses, link events, inclusive
gateways and terminate end events, each run warm and cold and replayed."""
from __future__ import annotations

import pytest

from engine.errors import WorkflowFailed
from tests.bpmn.conftest import BothWays, Desk, Run, diagram

PLAIN_TASKS = diagram("plain_tasks", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="note" />
    <bpmn:task id="note" name="Note"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>
    <bpmn:sequenceFlow id="f2" sourceRef="note" targetRef="stamp_paper" />
    <bpmn:manualTask id="stamp_paper" name="Stamp the paper"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:manualTask>
    <bpmn:sequenceFlow id="f3" sourceRef="stamp_paper" targetRef="inner" />
    <bpmn:subProcess id="inner" name="Inner steps"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:startEvent id="inner_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="inner_review" />
      <bpmn:userTask id="inner_review" name="Inner review"><bpmn:incoming>g1</bpmn:incoming>
        <bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="g2" sourceRef="inner_review" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f4" sourceRef="inner" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>""")


def test_plain_and_manual_tasks_wait_for_a_person_and_a_subprocess_runs_inside(desk: Desk) -> None:
    desk.deploy(PLAIN_TASKS)
    run = desk.start("plain_tasks")
    assert run.ready() == ["note"]  # SpiffWorkflow's convention: a task of no kind waits for a person
    run.complete("note", {})
    assert run.ready() == ["stamp_paper"]
    run.complete("stamp_paper", {"stamped": True})
    assert run.ready() == ["inner_review"]
    run.complete("inner_review", {"ok": True})
    assert run.status == "completed"
    assert run.data == {"stamped": True, "ok": True}
    done = [e.task_spec for e in run.events() if e.type == "task_done"]
    assert done.index("note") < done.index("stamp_paper") < done.index("inner_review") < done.index("inner")


LINKED = diagram("linked", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="to_page_two" />
    <bpmn:intermediateThrowEvent id="to_page_two" name="To page two"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:linkEventDefinition id="link_throw" name="page_two" /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="page_two" name="Page two"><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:linkEventDefinition id="link_catch" name="page_two" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="page_two" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def test_a_link_event_continues_the_flow_at_its_catching_link(desk: Desk) -> None:
    desk.deploy(LINKED)
    run = desk.start("linked")
    assert run.status == "running"
    assert run.ready() == ["approve"]
    run.complete("approve", {})
    assert run.status == "completed"
    done = [e.task_spec for e in run.events() if e.type == "task_done"]
    assert done[:3] == ["start", "to_page_two", "page_two"]


def inclusive(conditions: tuple[str, str, str]) -> str:
    a, b, c = conditions
    return diagram("checks", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:inclusiveGateway id="split" name="Which checks?"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing><bpmn:outgoing>fc</bpmn:outgoing>
    </bpmn:inclusiveGateway>
    <bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="check_a">
      <bpmn:conditionExpression>{a}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="check_b">
      <bpmn:conditionExpression>{b}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fc" sourceRef="split" targetRef="check_c">
      <bpmn:conditionExpression>{c}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="check_a" name="Check A"><bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>ja</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="check_b" name="Check B"><bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>jb</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="check_c" name="Check C"><bpmn:incoming>fc</bpmn:incoming><bpmn:outgoing>jc</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="ja" sourceRef="check_a" targetRef="merge" />
    <bpmn:sequenceFlow id="jb" sourceRef="check_b" targetRef="merge" />
    <bpmn:sequenceFlow id="jc" sourceRef="check_c" targetRef="merge" />
    <bpmn:inclusiveGateway id="merge" name="All chosen checks done"><bpmn:incoming>ja</bpmn:incoming>
      <bpmn:incoming>jb</bpmn:incoming><bpmn:incoming>jc</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:inclusiveGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="sum_up" />
    <bpmn:userTask id="sum_up" name="Sum up"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="sum_up" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def test_an_inclusive_gateway_takes_every_true_flow_and_joins_only_those(desk: Desk) -> None:
    desk.deploy(inclusive(("amount &gt; 100", "foreign", "amount &gt; 10000")))
    run = desk.start("checks", {"amount": 500, "foreign": True})
    assert run.ready() == ["check_a", "check_b"]
    run.complete("check_b", {})
    assert run.ready() == ["check_a"]
    run.complete("check_a", {})
    assert run.ready() == ["sum_up"]
    run.complete("sum_up", {})
    assert run.status == "completed"


def test_an_inclusive_gateway_where_no_condition_holds_refuses_the_start_in_words(desk: Desk) -> None:
    desk.deploy(inclusive(("amount &gt; 100", "foreign", "amount &gt; 10000")))
    with pytest.raises(WorkflowFailed, match=r"split \(Which checks\?\): no outgoing flow's condition holds") as refused:
        desk.start("checks", {"amount": 5, "foreign": False})
    assert "No conditions satisfied" not in str(refused.value)


def test_an_inclusive_gateway_with_one_true_flow_joins_at_once(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(inclusive(("amount &gt; 100", "foreign", "amount &gt; 10000")))
        run = desk.start("checks", {"amount": 50, "foreign": True})
        assert run.ready() == ["check_b"]
        run.complete("check_b", {})
        assert run.ready() == ["sum_up"]
        return run

    both_ways(scenario)


TERMINATED = diagram("terminated", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="long_work" />
    <bpmn:userTask id="long_work" name="Long work"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="long_work" targetRef="normal_end" />
    <bpmn:endEvent id="normal_end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="inner" />
    <bpmn:subProcess id="inner" name="Vet the request"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:startEvent id="inner_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="inner_fork" />
      <bpmn:parallelGateway id="inner_fork"><bpmn:incoming>g1</bpmn:incoming>
        <bpmn:outgoing>g2</bpmn:outgoing><bpmn:outgoing>g3</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:sequenceFlow id="g2" sourceRef="inner_fork" targetRef="vet" />
      <bpmn:userTask id="vet" name="Vet"><bpmn:incoming>g2</bpmn:incoming><bpmn:outgoing>g4</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="g3" sourceRef="inner_fork" targetRef="side_note" />
      <bpmn:userTask id="side_note" name="Side note"><bpmn:incoming>g3</bpmn:incoming>
        <bpmn:outgoing>g5</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="g5" sourceRef="side_note" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end"><bpmn:incoming>g5</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g4" sourceRef="vet" targetRef="vet_decides" />
      <bpmn:exclusiveGateway id="vet_decides" default="g6"><bpmn:incoming>g4</bpmn:incoming>
        <bpmn:outgoing>g6</bpmn:outgoing><bpmn:outgoing>g7</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:sequenceFlow id="g6" sourceRef="vet_decides" targetRef="inner_done" />
      <bpmn:endEvent id="inner_done" name="Vetted, stop side work"><bpmn:incoming>g6</bpmn:incoming>
        <bpmn:terminateEventDefinition /></bpmn:endEvent>
      <bpmn:sequenceFlow id="g7" sourceRef="vet_decides" targetRef="inner_end_2">
        <bpmn:conditionExpression>rejected</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="inner_end_2"><bpmn:incoming>g7</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f5" sourceRef="inner" targetRef="after_vetting" />
    <bpmn:exclusiveGateway id="after_vetting" default="f6"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing><bpmn:outgoing>f7</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f6" sourceRef="after_vetting" targetRef="vetted_end" />
    <bpmn:endEvent id="vetted_end"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f7" sourceRef="after_vetting" targetRef="stop_all">
      <bpmn:conditionExpression>stop</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="stop_all" name="Stop everything"><bpmn:incoming>f7</bpmn:incoming>
      <bpmn:terminateEventDefinition /></bpmn:endEvent>""")


def test_a_terminate_end_event_inside_a_subprocess_ends_only_the_subprocess(desk: Desk) -> None:
    desk.deploy(TERMINATED)
    run = desk.start("terminated", {"rejected": False, "stop": False})
    assert sorted(run.ready()) == ["long_work", "side_note", "vet"]
    run.complete("vet", {})
    assert run.ready() == ["long_work"]
    assert run.status == "running"
    run.complete("long_work", {})
    assert run.status == "completed"


def test_a_terminate_end_event_ends_the_whole_instance_and_withdraws_its_tasks(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(TERMINATED)
        run = desk.start("terminated", {"rejected": False, "stop": False})
        run.complete("vet", {"stop": True})
        return run

    warm, _ = both_ways(scenario)
    assert warm.status == "completed"
    assert warm.ready() == []
    withdrawn = sorted(e.task_spec for e in warm.events() if e.type == "task_withdrawn")
    assert withdrawn == ["long_work", "side_note"]


ROUTE = diagram("route", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="assess" />
    <bpmn:userTask id="assess" name="Assess"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="assess" targetRef="which" />
    <bpmn:exclusiveGateway id="which" name="Which desk?"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>small</bpmn:outgoing><bpmn:outgoing>large</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="small" sourceRef="which" targetRef="clerk_desk">
      <bpmn:conditionExpression>amount &lt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="large" sourceRef="which" targetRef="manager_desk">
      <bpmn:conditionExpression>amount &gt; 1000</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="clerk_desk" name="Clerk"><bpmn:incoming>small</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="manager_desk" name="Manager"><bpmn:incoming>large</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="clerk_desk" targetRef="done" />
    <bpmn:sequenceFlow id="f4" sourceRef="manager_desk" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>""")


def test_an_exclusive_gateway_where_no_condition_holds_refuses_the_step_and_changes_nothing(desk: Desk) -> None:
    desk.deploy(ROUTE)
    run = desk.start("route", {})
    before = run.effects()
    with pytest.raises(WorkflowFailed, match=r"which \(Which desk\?\): no outgoing flow's condition holds and "
                                             "the gateway has no default flow"):
        run.complete("assess", {"amount": 500})
    assert run.effects() == before and run.ready() == ["assess"] and run.status == "running"
    run.complete("assess", {"amount": 50})
    assert run.ready() == ["clerk_desk"]

"""Conditional events are evaluated again after every step, not only when their token arrives:
intermediate catch and (interrupting) boundary events fire once their condition becomes true."""
from __future__ import annotations

from tests.bpmn.conftest import BothWays, Desk, Run, diagram

# Branch "approve" writes the data object `approved`, which every branch reads; the other branch waits for it.
WAIT_FOR_APPROVAL = diagram("shipment", """
    <bpmn:dataObject id="approved" />
    <bpmn:dataObjectReference id="approved_ref" dataObjectRef="approved" />
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:dataOutputAssociation id="writes_approved"><bpmn:targetRef>approved_ref</bpmn:targetRef>
      </bpmn:dataOutputAssociation>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="until_approved" />
    <bpmn:intermediateCatchEvent id="until_approved" name="Until approved">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:conditionalEventDefinition><bpmn:condition>approved == True</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="until_approved" targetRef="load" />
    <bpmn:userTask id="load" name="Load the truck"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="load" targetRef="join" />
    <bpmn:parallelGateway id="join"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
""")

# An interrupting conditional boundary on "draft": a recall decided in the other branch stops the drafting.
RECALL = diagram("recall", """
    <bpmn:dataObject id="recalled" />
    <bpmn:dataObjectReference id="recalled_ref" dataObjectRef="recalled" />
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="draft" />
    <bpmn:userTask id="draft" name="Draft"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="draft" targetRef="drafted" />
    <bpmn:endEvent id="drafted"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="on_recall" name="Recalled" attachedToRef="draft">
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:conditionalEventDefinition><bpmn:condition>recalled == True</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="on_recall" targetRef="archive" />
    <bpmn:userTask id="archive" name="Archive the draft"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f6" sourceRef="archive" targetRef="archived" />
    <bpmn:endEvent id="archived"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="decide" />
    <bpmn:userTask id="decide" name="Decide on a recall"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing>
      <bpmn:dataOutputAssociation id="writes_recalled"><bpmn:targetRef>recalled_ref</bpmn:targetRef>
      </bpmn:dataOutputAssociation>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f7" sourceRef="decide" targetRef="decided" />
    <bpmn:endEvent id="decided"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
""")


def test_an_intermediate_condition_fires_when_a_later_step_makes_it_true(desk: Desk) -> None:
    desk.deploy(WAIT_FOR_APPROVAL)
    run = desk.start("shipment")
    assert run.ready() == ["approve"]

    run.complete("approve", {"approved": True})
    assert run.ready() == ["load"]
    run.complete("load")
    assert run.status == "completed"


def test_a_condition_that_stays_false_keeps_waiting(desk: Desk) -> None:
    desk.deploy(WAIT_FOR_APPROVAL)
    run = desk.start("shipment")
    run.complete("approve", {"approved": False})

    assert run.ready() == []
    assert run.status == "running"


def test_an_interrupting_conditional_boundary_withdraws_its_task_when_the_condition_turns_true(desk: Desk) -> None:
    desk.deploy(RECALL)
    run = desk.start("recall")
    assert sorted(run.ready()) == ["decide", "draft"]

    run.complete("decide", {"recalled": True})
    assert run.ready() == ["archive"]
    assert "task_withdrawn" in run.types()
    run.complete("archive")
    assert run.status == "completed"


def test_conditions_fire_the_same_warm_and_cold(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(RECALL)
        run = desk.start("recall")
        run.complete("decide", {"recalled": True})
        run.complete("archive")
        return run

    warm, cold = both_ways(scenario)
    assert warm.status == cold.status == "completed"


# The decision is taken inside a subprocess; the condition waits in the main process beside it.
RECALL_FROM_A_STAGE = diagram("staged_recall", """
    <bpmn:dataObject id="recalled" />
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="until_recalled" />
    <bpmn:intermediateCatchEvent id="until_recalled" name="Until recalled">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:conditionalEventDefinition><bpmn:condition>recalled == True</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="until_recalled" targetRef="notify" />
    <bpmn:userTask id="notify" name="Notify the customer"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="notify" targetRef="join" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="stage" />
    <bpmn:subProcess id="stage" name="Review stage"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:dataObjectReference id="recalled_ref" dataObjectRef="recalled" />
      <bpmn:startEvent id="stage_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="stage_start" targetRef="decide" />
      <bpmn:userTask id="decide" name="Decide on a recall"><bpmn:incoming>s1</bpmn:incoming>
        <bpmn:outgoing>s2</bpmn:outgoing>
        <bpmn:dataOutputAssociation id="writes_recalled"><bpmn:targetRef>recalled_ref</bpmn:targetRef>
        </bpmn:dataOutputAssociation>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s2" sourceRef="decide" targetRef="report" />
      <bpmn:userTask id="report" name="Write the report"><bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s3</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s3" sourceRef="report" targetRef="stage_end" />
      <bpmn:endEvent id="stage_end"><bpmn:incoming>s3</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f6" sourceRef="stage" targetRef="join" />
    <bpmn:parallelGateway id="join"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
""")


def test_a_condition_in_the_main_process_fires_on_a_step_inside_a_subprocess(desk: Desk) -> None:
    desk.deploy(RECALL_FROM_A_STAGE)
    run = desk.start("staged_recall")
    assert run.ready() == ["decide"]

    run.complete("decide", {"recalled": True})
    assert sorted(run.ready()) == ["notify", "report"]
    run.complete("notify")
    run.complete("report")
    assert run.status == "completed"

"""Error events: a handler's BpmnError reaches the error boundary of its task, subprocess or call
activity; an error nobody catches fails the instance with an incident — never `completed`."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from engine.errors import Conflict
from handlers.context import BpmnError, HandlerContext, HandlerRegistry
from tests.bpmn.conftest import BothWays, Desk, Run, diagram

OUT_OF_STOCK = """
  <bpmn:error id="out_of_stock" name="Out of stock" errorCode="E1">
    <bpmn:extensionElements><spiffworkflow:variableName>stock_error</spiffworkflow:variableName></bpmn:extensionElements>
  </bpmn:error>
"""

RESERVE = """
    <bpmn:serviceTask id="reserve" name="Reserve stock">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="reserve_stock" resultVariable="reservation">
          <spiffworkflow:parameters><spiffworkflow:parameter id="item" type="str" value="item" /></spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
"""

SERVICE_WITH_BOUNDARY = diagram("order", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reserve" />
    {RESERVE}
    <bpmn:sequenceFlow id="f2" sourceRef="reserve" targetRef="ship" />
    <bpmn:userTask id="ship" name="Ship"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="shipped" />
    <bpmn:endEvent id="shipped"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="no_stock" name="No stock" attachedToRef="reserve">
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:errorEventDefinition errorRef="out_of_stock" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="no_stock" targetRef="apologise" />
    <bpmn:userTask id="apologise" name="Apologise"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="apologise" targetRef="cancelled" />
    <bpmn:endEvent id="cancelled"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
""", extra=OUT_OF_STOCK)

SERVICE_WITHOUT_BOUNDARY = diagram("order_unguarded", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reserve" />
    {RESERVE}
    <bpmn:sequenceFlow id="f2" sourceRef="reserve" targetRef="shipped" />
    <bpmn:endEvent id="shipped"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""")

# The service task sits inside an embedded subprocess; the boundary is on the subprocess.
SUBPROCESS_WITH_BOUNDARY = diagram("order_in_stages", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="s1" sourceRef="start" targetRef="stage" />
    <bpmn:subProcess id="stage" name="Reservation stage">
      <bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing>
      <bpmn:startEvent id="stage_start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="stage_start" targetRef="reserve" />
      {RESERVE}
      <bpmn:sequenceFlow id="f2" sourceRef="reserve" targetRef="stage_end" />
      <bpmn:endEvent id="stage_end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="s2" sourceRef="stage" targetRef="ship" />
    <bpmn:userTask id="ship" name="Ship"><bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="s3" sourceRef="ship" targetRef="shipped" />
    <bpmn:endEvent id="shipped"><bpmn:incoming>s3</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="stage_failed" name="Stage failed" attachedToRef="stage">
      <bpmn:outgoing>s4</bpmn:outgoing><bpmn:errorEventDefinition errorRef="out_of_stock" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="s4" sourceRef="stage_failed" targetRef="apologise" />
    <bpmn:userTask id="apologise" name="Apologise"><bpmn:incoming>s4</bpmn:incoming><bpmn:outgoing>s5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="s5" sourceRef="apologise" targetRef="cancelled" />
    <bpmn:endEvent id="cancelled"><bpmn:incoming>s5</bpmn:incoming></bpmn:endEvent>
""", extra=OUT_OF_STOCK)

# An error end event inside a called process, caught on the call activity in the caller.
CALLED_CHECK = diagram("credit_check", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="judge" />
    <bpmn:exclusiveGateway id="judge" default="f3"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="judge" targetRef="refused">
      <bpmn:conditionExpression>amount &gt; 1000</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="refused" name="Credit refused"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:errorEventDefinition errorRef="credit_refused" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="judge" targetRef="granted" />
    <bpmn:endEvent id="granted"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
""", extra='  <bpmn:error id="credit_refused" name="Credit refused" errorCode="CREDIT" />\n')

CALLER = diagram("loan", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:callActivity id="check" name="Check credit" calledElement="credit_check">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="pay_out" />
    <bpmn:userTask id="pay_out" name="Pay out"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="pay_out" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="refused" name="Refused" attachedToRef="check">
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:errorEventDefinition errorRef="credit_refused" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="refused" targetRef="decline" />
    <bpmn:userTask id="decline" name="Decline"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="decline" targetRef="declined" />
    <bpmn:endEvent id="declined"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
""", extra='  <bpmn:error id="credit_refused" name="Credit refused" errorCode="CREDIT" />\n')

# An error end event in the main process: nothing can catch it.
UNCAUGHT_END = diagram("doomed", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="look" />
    <bpmn:userTask id="look" name="Look"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="broken" />
    <bpmn:endEvent id="broken" name="Broken"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:errorEventDefinition errorRef="broken_error" /></bpmn:endEvent>
""", extra='  <bpmn:error id="broken_error" name="Broken" errorCode="BROKEN" />\n')


def reserve_stock(ctx: HandlerContext, item: str) -> dict[str, Any]:
    if item == "unobtainium":
        raise BpmnError("E1", f"no {item} left", {"item": item})
    return {"reserved": item}


@pytest.fixture
def handlers() -> HandlerRegistry:
    return {"reserve_stock": reserve_stock}


def test_a_handlers_bpmn_error_takes_the_error_boundary_of_its_service_task(desk: Desk) -> None:
    desk.deploy(SERVICE_WITH_BOUNDARY)
    run = desk.start("order", {"item": "unobtainium"})

    assert run.status == "running"
    assert run.ready() == ["apologise"]
    assert run.data["stock_error"] == {"code": "E1", "message": "no unobtainium left", "data": {"item": "unobtainium"}}
    assert "reservation" not in run.data
    [result] = [json.loads(e.payload) for e in run.events() if e.type == "service_result"]
    assert result["bpmn_error"]["code"] == "E1" and "result" not in result
    run.complete("apologise")
    assert run.status == "completed"
    assert desk.app.incidents.list() == []


def test_a_handler_that_succeeds_leaves_the_error_boundary_untouched(desk: Desk) -> None:
    desk.deploy(SERVICE_WITH_BOUNDARY)
    run = desk.start("order", {"item": "bolts"})

    assert run.ready() == ["ship"]
    assert run.data["reservation"] == {"reserved": "bolts"}
    run.complete("ship")
    assert run.status == "completed"


def test_an_error_from_inside_a_subprocess_reaches_the_boundary_on_the_subprocess(desk: Desk) -> None:
    desk.deploy(SUBPROCESS_WITH_BOUNDARY)
    run = desk.start("order_in_stages", {"item": "unobtainium"})

    assert run.ready() == ["apologise"]
    assert run.data["stock_error"]["code"] == "E1"
    run.complete("apologise")
    assert run.status == "completed"


def test_an_error_end_event_in_a_called_process_is_caught_on_the_call_activity(desk: Desk) -> None:
    desk.deploy(CALLED_CHECK, CALLER)
    refused = desk.start("loan", {"amount": 5000})
    granted = desk.start("loan", {"amount": 10})

    assert refused.ready() == ["decline"]
    assert granted.ready() == ["pay_out"]
    refused.complete("decline")
    assert refused.status == "completed"


def test_an_uncaught_handler_error_fails_the_instance_with_an_incident(desk: Desk) -> None:
    desk.deploy(SERVICE_WITHOUT_BOUNDARY)
    run = desk.start("order_unguarded", {"item": "unobtainium"})

    assert run.status == "failed"
    [failed] = [json.loads(e.payload) for e in run.events() if e.type == "instance_failed"]
    assert failed["element"] == "reserve" and failed["code"] == "E1"
    assert "instance_completed" not in run.types()
    [incident] = desk.app.incidents.list(instance_id=run.id)
    assert incident.kind == "error" and incident.element == "reserve"
    assert "E1" in incident.error and "no unobtainium left" in incident.error
    with pytest.raises(Conflict, match="nothing to run again"):
        desk.app.incidents.retry(incident.id, "root")


def test_an_uncaught_error_end_event_fails_the_instance_never_completes_it(desk: Desk) -> None:
    desk.deploy(UNCAUGHT_END)
    run = desk.start("doomed")
    run.complete("look")

    assert run.status == "failed"
    assert "instance_completed" not in run.types()
    assert [i.element for i in desk.app.incidents.list(instance_id=run.id)] == ["broken"]
    assert desk.app.runtime.list_instances(status="failed")[0].id == run.id


def test_cancelling_a_failed_instance_closes_its_incident(desk: Desk) -> None:
    desk.deploy(SERVICE_WITHOUT_BOUNDARY)
    run = desk.start("order_unguarded", {"item": "unobtainium"})
    run.cancel()

    assert run.status == "cancelled"
    assert desk.app.incidents.list(instance_id=run.id) == []
    assert [i.status for i in desk.app.incidents.list(status=None, instance_id=run.id)] == ["closed"]



# The same order, its reservation retried three times on technical failures.
WITH_RETRIES = SERVICE_WITH_BOUNDARY.replace(
    "        </spiffworkflow:serviceTaskOperator>\n      </bpmn:extensionElements>",
    "        </spiffworkflow:serviceTaskOperator>\n"
    '        <spiffworkflow:properties><spiffworkflow:property name="retry" value="R3/PT1M" /></spiffworkflow:properties>\n'
    "      </bpmn:extensionElements>")


def test_a_business_error_is_not_retried_even_when_the_task_has_a_retry_policy(desk: Desk) -> None:
    assert 'name="retry"' in WITH_RETRIES
    desk.deploy(WITH_RETRIES)
    run = desk.start("order", {"item": "unobtainium"})

    assert run.ready() == ["apologise"]
    assert "service_failed" not in run.types()
    assert desk.advance(timedelta(minutes=5)) == 0
    assert desk.app.incidents.list() == []


# An error end event inside an embedded subprocess, with no boundary anywhere: the main process
# must not go on to "after" as if the subprocess had ended normally.
UNCAUGHT_IN_SUBPROCESS = diagram("doomed_stage", """
    <bpmn:startEvent id="start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="s1" sourceRef="start" targetRef="stage" />
    <bpmn:subProcess id="stage" name="Stage"><bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing>
      <bpmn:startEvent id="stage_start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="stage_start" targetRef="stage_broken" />
      <bpmn:endEvent id="stage_broken" name="Stage broken"><bpmn:incoming>f1</bpmn:incoming>
        <bpmn:errorEventDefinition errorRef="broken_error" /></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="s2" sourceRef="stage" targetRef="after" />
    <bpmn:scriptTask id="after" name="After"><bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s3</bpmn:outgoing>
      <bpmn:script>went_on = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="s3" sourceRef="after" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>s3</bpmn:incoming></bpmn:endEvent>
""", extra='  <bpmn:error id="broken_error" name="Broken" errorCode="BROKEN" />\n')


def test_an_uncaught_error_inside_a_subprocess_stops_the_instance_there(desk: Desk) -> None:
    desk.deploy(UNCAUGHT_IN_SUBPROCESS)
    run = desk.start("doomed_stage")

    assert run.status == "failed"
    assert "went_on" not in run.data
    assert "after" not in [e.task_spec for e in run.events() if e.type == "task_done"]
    [failed] = [json.loads(e.payload) for e in run.events() if e.type == "instance_failed"]
    assert failed["element"] == "stage_broken" and failed["code"] == "BROKEN"


def test_errors_record_the_same_history_warm_and_cold(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(SUBPROCESS_WITH_BOUNDARY, SERVICE_WITHOUT_BOUNDARY)
        desk.start("order_unguarded", {"item": "unobtainium"})
        run = desk.start("order_in_stages", {"item": "unobtainium"})
        run.complete("apologise")
        return run

    warm, cold = both_ways(scenario)
    assert warm.status == cold.status == "completed"

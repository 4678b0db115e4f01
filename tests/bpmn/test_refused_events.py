"""Refused at deploy by element, with what to draw instead: event subprocesses (SpiffWorkflow 3.2 would not
interrupt the process for them, nor start a conditional one), conditional start events, and event-based
gateways waiting for two different signals."""
from __future__ import annotations

import pytest

from engine.errors import DefinitionInvalid
from tests.bpmn.conftest import Desk, diagram

WITH_EVENT_SUBPROCESS = diagram("watched", """
    <bpmn:dataObject id="alarm" />
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" name="Work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:subProcess id="on_alarm" name="Handle the alarm" triggeredByEvent="true">
      <bpmn:startEvent id="alarm_raised" name="Alarm raised"><bpmn:outgoing>a1</bpmn:outgoing>
        <bpmn:conditionalEventDefinition><bpmn:condition>alarm == True</bpmn:condition>
        </bpmn:conditionalEventDefinition></bpmn:startEvent>
      <bpmn:sequenceFlow id="a1" sourceRef="alarm_raised" targetRef="evacuate" />
      <bpmn:userTask id="evacuate" name="Evacuate"><bpmn:incoming>a1</bpmn:incoming><bpmn:outgoing>a2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="a2" sourceRef="evacuate" targetRef="evacuated" />
      <bpmn:endEvent id="evacuated"><bpmn:incoming>a2</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
""")


def test_an_event_subprocess_is_refused_at_deploy_by_element_with_what_to_draw_instead(desk: Desk) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        desk.deploy(WITH_EVENT_SUBPROCESS)

    [problem] = [p for p in refused.value.problems if p.element_id == "on_alarm"]
    assert problem.file == "diagram_0.bpmn" and problem.element_name == "Handle the alarm"
    assert problem.message.startswith("casedesk does not run event subprocesses")
    assert "boundary event" in problem.message
    assert "watched" not in [d.key for d in desk.app.definitions.list_definitions()]


CONDITIONAL_START = diagram("on_condition", """
    <bpmn:startEvent id="when_ready" name="When ready"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:conditionalEventDefinition><bpmn:condition>ready == True</bpmn:condition>
      </bpmn:conditionalEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="when_ready" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
""")


def test_a_conditional_start_event_of_a_process_is_refused_by_element(desk: Desk) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        desk.deploy(CONDITIONAL_START)

    [problem] = [p for p in refused.value.problems if p.element_id == "when_ready"]
    assert problem.element_name == "When ready"
    assert problem.message.startswith("casedesk does not run conditional start events")
    assert "intermediate conditional event" in problem.message


TWO_SIGNALS = diagram("two_signals", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first_of" />
    <bpmn:eventBasedGateway id="first_of" name="First of"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="first_of" targetRef="recall" />
    <bpmn:intermediateCatchEvent id="recall"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:signalEventDefinition signalRef="recall_signal" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="first_of" targetRef="restock" />
    <bpmn:intermediateCatchEvent id="restock"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:signalEventDefinition signalRef="restock_signal" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="recall" targetRef="end_a" />
    <bpmn:endEvent id="end_a"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="restock" targetRef="end_b" />
    <bpmn:endEvent id="end_b"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
""", extra='  <bpmn:signal id="recall_signal" name="Recall" />\n  <bpmn:signal id="restock_signal" name="Restock" />\n')


def test_an_event_based_gateway_waiting_for_two_different_signals_is_refused(desk: Desk) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        desk.deploy(TWO_SIGNALS)

    [problem] = [p for p in refused.value.problems if p.element_id == "first_of"]
    assert problem.message.startswith("casedesk does not run an event-based gateway that waits for two")

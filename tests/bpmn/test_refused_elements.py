"""Elements casedesk does not run are refused at deploy, each by element with a plain sentence."""
from __future__ import annotations

import pytest

from engine.errors import DefinitionInvalid
from engine.definitions.validation import validate_bundle
from tests.bpmn.conftest import Desk, diagram

AD_HOC = diagram("pick_any", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="checks" />
    <bpmn:adHocSubProcess id="checks" name="Do the checks you need">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:userTask id="check_a" name="Check A" />
      <bpmn:userTask id="check_b" name="Check B" />
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="checks" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")

COMPENSATION = diagram("book_and_undo", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="book" />
    <bpmn:userTask id="book" name="Book the room"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="on_undo" name="Undo booking" attachedToRef="book">
      <bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:userTask id="cancel_booking" name="Cancel the booking" isForCompensation="true" />
    <bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="undo" />
    <bpmn:intermediateThrowEvent id="undo" name="Undo everything"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="undo" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:association id="a1" associationDirection="One" sourceRef="on_undo" targetRef="cancel_booking" />""")


def test_an_ad_hoc_subprocess_is_refused_by_element_with_a_sentence() -> None:
    problems = validate_bundle({"pick_any.bpmn": AD_HOC.encode()}, set())
    refusals = [p for p in problems if p.element_id == "checks"]
    assert len(refusals) == 1, problems
    [problem] = refusals
    assert (problem.file, problem.element_name) == ("pick_any.bpmn", "Do the checks you need")
    assert problem.message.startswith("casedesk does not run ad-hoc subprocesses")
    assert "Draw the inner tasks as an ordinary subprocess" in problem.message


def test_every_compensation_element_is_refused_and_no_exception_text_shows() -> None:
    problems = validate_bundle({"book_and_undo.bpmn": COMPENSATION.encode()}, set())
    refused = {(p.element_id, p.element_name) for p in problems if "compensation" in p.message}
    assert refused == {("on_undo", "Undo booking"), ("cancel_booking", "Cancel the booking"),
                       ("undo", "Undo everything")}
    for problem in problems:
        assert "NotImplementedError" not in problem.message and "Traceback" not in problem.message
        assert " at 0x" not in problem.message and "%r" not in problem.message and "<bpmn:" not in problem.message


@pytest.mark.parametrize("mode", ["warm"])
def test_a_refused_diagram_is_not_deployed(desk: Desk) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        desk.deploy(AD_HOC)
    assert any(p.element_id == "checks" for p in refused.value.problems)
    assert [d.key for d in desk.app.definitions.list_definitions() if d.key == "pick_any"] == []


def test_a_throwing_link_without_its_catching_link_is_refused_by_name() -> None:
    dangling = diagram("dangling", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="jump" />
    <bpmn:intermediateThrowEvent id="jump" name="To the archive"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:linkEventDefinition id="l1" name="archive" /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="land" name="Filing"><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:linkEventDefinition id="l2" name="filing" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="land" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")
    problems = validate_bundle({"dangling.bpmn": dangling.encode()}, set())
    assert [(p.element_id, p.element_name) for p in problems] == [("jump", "To the archive")]
    assert problems[0].message.startswith(
        "this throwing link event goes to the link named 'archive', but no catching link event of that name")


def test_a_repeating_timer_as_an_event_based_gateway_branch_is_refused_by_element() -> None:
    from tests.bpmn.test_timers import RACE
    cycling = RACE.replace('<bpmn:timeDuration>"P2D"</bpmn:timeDuration>', '<bpmn:timeCycle>"R3/P1D"</bpmn:timeCycle>')
    assert cycling != RACE
    problems = validate_bundle({"race.bpmn": cycling.encode()}, set())
    assert [(p.element_id, p.element_name) for p in problems] == [("two_days", "Two days")]
    assert problems[0].message.startswith("casedesk does not run a repeating timer (timeCycle)")
    assert validate_bundle({"race.bpmn": RACE.encode()}, set()) == []


WAITS_AND_SENDS = diagram("unnamed_parts", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="await_reply" />
    <bpmn:intermediateCatchEvent id="await_reply" name="Reply arrives"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="await_reply" targetRef="read_reply" />
    <bpmn:receiveTask id="read_reply" name="Receive the form"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:receiveTask>
    <bpmn:sequenceFlow id="f3" sourceRef="read_reply" targetRef="await_bell" />
    <bpmn:intermediateCatchEvent id="await_bell" name="Bell rings"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:signalEventDefinition signalRef="no_such_signal" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="await_bell" targetRef="tell" />
    <bpmn:sendTask id="tell" name="Tell the customer"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f5" sourceRef="tell" targetRef="until_paid" />
    <bpmn:intermediateCatchEvent id="until_paid" name="Until paid"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing><bpmn:conditionalEventDefinition><bpmn:condition> </bpmn:condition>
      </bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f6" sourceRef="until_paid" targetRef="flag" />
    <bpmn:intermediateThrowEvent id="flag" name="Raise the flag"><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing><bpmn:escalationEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f7" sourceRef="flag" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>""")


def test_events_and_tasks_naming_no_message_signal_or_escalation_are_refused_each_with_a_sentence() -> None:
    problems = validate_bundle({"unnamed_parts.bpmn": WAITS_AND_SENDS.encode()}, set())
    said = {(p.element_id, p.element_name): p.message for p in problems}
    assert set(said) == {("await_reply", "Reply arrives"), ("read_reply", "Receive the form"),
                         ("await_bell", "Bell rings"), ("tell", "Tell the customer"), ("until_paid", "Until paid"),
                         ("flag", "Raise the flag")}, problems
    assert said[("await_reply", "Reply arrives")].startswith(
        "this element names no message: nothing could ever reach it, and the case would wait here for ever. "
        "Choose the message in the modeler's properties panel")
    assert said[("await_bell", "Bell rings")].startswith(
        "this element names the signal 'no_such_signal', which this file does not define")
    assert said[("tell", "Tell the customer")].startswith(
        "this element names no message: casedesk would not know which message to send")
    assert said[("until_paid", "Until paid")].startswith("this conditional event has an empty condition")
    for message in said.values():
        assert "Error" not in message and "keyword argument" not in message and "NodeParser" not in message


@pytest.mark.parametrize("mode", ["warm"])
def test_a_message_event_naming_no_message_is_not_deployed(desk: Desk) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        desk.deploy(WAITS_AND_SENDS)
    assert "await_reply" in {p.element_id for p in refused.value.problems}
    assert "unnamed_parts" not in [d.key for d in desk.app.definitions.list_definitions()]

"""What a modeler adds around the flow runs harmlessly: a none intermediate throw event (a milestone), data
objects, data stores, text annotations, associations and groups; pools, lanes and message flows of a
collaboration with two executable processes. Catch events with several definitions wait for any one
of them, or with parallelMultiple for all of them."""
from __future__ import annotations

from tests.bpmn.conftest import BothWays, Desk, Run, diagram

ANNOTATED = diagram("annotated", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="received" />
    <bpmn:intermediateThrowEvent id="received" name="Letter received"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="received" targetRef="draft" />
    <bpmn:scriptTask id="draft" name="Draft the answer"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:dataOutputAssociation id="to_letter"><bpmn:targetRef>letter_ref</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>answer = "Dear " + sender</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="draft" targetRef="sign" />
    <bpmn:userTask id="sign" name="Sign the answer"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:property id="sign_input" name="__targetRef_placeholder" />
      <bpmn:dataInputAssociation id="from_letter"><bpmn:sourceRef>letter_ref</bpmn:sourceRef>
        <bpmn:targetRef>sign_input</bpmn:targetRef></bpmn:dataInputAssociation></bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="sign" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:dataObjectReference id="letter_ref" name="Answer letter" dataObjectRef="answer" />
    <bpmn:dataObject id="answer" />
    <bpmn:dataStoreReference id="archive" name="Archive" />
    <bpmn:textAnnotation id="note"><bpmn:text>Answer within a week</bpmn:text></bpmn:textAnnotation>
    <bpmn:association id="note_link" sourceRef="sign" targetRef="note" />
    <bpmn:group id="answering" categoryValueRef="answering_value" />""",
    extra='  <bpmn:category id="phases"><bpmn:categoryValue id="answering_value" value="Answering" />'
          '</bpmn:category>\n')


def test_milestones_data_objects_annotations_and_groups_are_harmless(desk: Desk) -> None:
    desk.deploy(ANNOTATED)
    run = desk.start("annotated", {"sender": "Ms Li"})
    assert run.ready() == ["sign"]
    assert "task_done" in run.types()
    run.complete("sign", {"signed": True})
    assert run.status == "completed"
    # The script's result went into the data object it is associated with.
    assert run.data["data_objects"]["answer"] == "Dear Ms Li"
    assert run.data["signed"] is True


def test_a_collaboration_of_two_executable_pools_runs_each_and_its_message_flow_starts_the_other(
        both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy("collaboration.bpmn")
        order = desk.start("customer", actor="bob")
        # both_ways runs its two desks on one database: the shop of this run is the one still running.
        [shop] = [s for s in desk.instances("shop") if s.status == "running"]
        assert order.ready() == ["pay"] and shop.ready() == ["pack"]
        shop.complete("pack", {}, actor="bob")
        order.complete("pay", {}, actor="bob")
        assert order.status == "completed" and shop.status == "completed"
        return order

    both_ways(scenario)


SIGNAL_OR_MESSAGE = diagram("either", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="Ping or bell"{parallel}><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="ping" /><bpmn:signalEventDefinition signalRef="bell" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="answer" />
    <bpmn:userTask id="answer" name="Answer"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""",
    extra='  <bpmn:message id="ping" name="Ping" />\n  <bpmn:signal id="bell" name="Bell" />\n')
RING = diagram("ring", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ring_bell" />
    <bpmn:intermediateThrowEvent id="ring_bell" name="Ring the bell"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:signalEventDefinition signalRef="bell" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="ring_bell" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""",
    extra='  <bpmn:signal id="bell" name="Bell" />\n')


def ping(desk: Desk) -> None:
    with desk.worker() as worker:
        worker.messages.send("Ping", {}, {"from": "outside"}, actor="alice")


def test_a_catch_event_with_several_definitions_goes_on_at_the_first_of_them(desk: Desk) -> None:
    desk.deploy(SIGNAL_OR_MESSAGE.replace("{parallel}", ""), RING)
    by_signal = desk.start("either")
    desk.start("ring")
    assert by_signal.ready() == ["answer"]
    by_message = desk.start("either")
    ping(desk)
    assert by_message.ready() == ["answer"]
    by_message.complete("answer", {})
    assert by_message.status == "completed"


def test_a_parallel_multiple_catch_event_waits_for_all_of_its_definitions(desk: Desk) -> None:
    desk.deploy(SIGNAL_OR_MESSAGE.replace("{parallel}", ' parallelMultiple="true"'), RING)
    run = desk.start("either")
    desk.start("ring")
    assert run.ready() == [] and run.status == "running"
    ping(desk)
    assert run.ready() == ["answer"]

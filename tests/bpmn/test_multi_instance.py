"""Multi-instance user, service and call activities: parallel and sequential, cardinality and
collection, output collection and completion condition — each moves on after its last instance,
warm and cold alike."""
from __future__ import annotations

from typing import Any

import pytest

from handlers.context import HandlerContext, HandlerRegistry
from tests.bpmn.conftest import BothWays, Desk, Run, diagram


# SpiffWorkflow names the task spec of a multi-instance body "<BPMN id> [child]"; its inbox title is the name.
VOTE, SIGN = "vote_task [child]", "sign [child]"
SIGN_PAGE = "sign_page"


def _mi(sequential: bool, inner: str) -> str:
    return f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">{inner}' \
           '</bpmn:multiInstanceLoopCharacteristics>'


def votes_process(sequential: bool, condition: str = "") -> str:
    """Each reviewer of the list votes; the votes are collected, then someone decides."""
    completion = f"<bpmn:completionCondition>{condition}</bpmn:completionCondition>" if condition else ""
    loop = _mi(sequential, '<bpmn:loopDataInputRef>reviewers</bpmn:loopDataInputRef>'
                           '<bpmn:loopDataOutputRef>votes</bpmn:loopDataOutputRef>'
                           '<bpmn:inputDataItem id="reviewer" name="reviewer" />'
                           '<bpmn:outputDataItem id="vote" name="vote" />' + completion)
    return diagram("votes", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote_task" />
    <bpmn:userTask id="vote_task" name="Vote"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      {loop}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="vote_task" targetRef="decide" />
    <bpmn:userTask id="decide" name="Decide"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def signatures_process(sequential: bool) -> str:
    """Three signatures by cardinality, each merged into the instance data."""
    loop = _mi(sequential, "<bpmn:loopCardinality>3</bpmn:loopCardinality>")
    return diagram("signatures", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign" />
    <bpmn:userTask id="sign" name="Sign"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      {loop}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="count" />
    <bpmn:scriptTask id="count" name="Count"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>signed = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_user_task_over_a_collection_collects_outputs_and_moves_on(
        desk: Desk, sequential: bool) -> None:
    desk.deploy(votes_process(sequential))
    run = desk.start("votes", {"reviewers": ["rita", "bob", "alice"]})
    assert run.ready() == ([VOTE] if sequential else [VOTE] * 3)
    for answer in ("yes", "no", "yes"):
        run.complete(VOTE, {"vote": answer})
    assert run.ready() == ["decide"]
    assert run.data["votes"] == ["yes", "no", "yes"]
    run.complete("decide", {})
    assert run.status == "completed"


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_user_task_by_cardinality_runs_that_many_times(desk: Desk, sequential: bool) -> None:
    desk.deploy(signatures_process(sequential))
    run = desk.start("signatures", {})
    for left in (3, 2, 1):
        assert len(run.ready()) == (1 if sequential else left)
        run.complete(SIGN, {})
    assert run.status == "completed"
    assert run.data["signed"] is True


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_completion_condition_ends_the_multi_instance_early_and_withdraws_the_rest(
        desk: Desk, sequential: bool) -> None:
    desk.deploy(votes_process(sequential, condition='vote == "veto"'))
    run = desk.start("votes", {"reviewers": ["rita", "bob", "alice"]})
    run.complete(VOTE, {"vote": "yes"})
    run.complete(VOTE, {"vote": "veto"})
    assert run.ready() == ["decide"]
    assert run.data["votes"] == ["yes", "veto"]
    if not sequential:
        assert run.types().count("task_withdrawn") == 1


def test_warm_and_cold_record_the_same_parallel_vote(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(votes_process(False))
        run = desk.start("votes", {"reviewers": ["rita", "bob"]})
        run.complete(VOTE, {"vote": "no"}, which=1)
        run.complete(VOTE, {"vote": "yes"})
        run.complete("decide", {})
        return run

    warm, _ = both_ways(scenario)
    assert warm.status == "completed"


class Pricing:
    """A service priced per item; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[Any] = []

    def price(self, ctx: HandlerContext, item: str) -> int:
        self.asked.append(item)
        return len(item) * 10


@pytest.fixture
def pricing() -> Pricing:
    return Pricing()


@pytest.fixture
def handlers(pricing: Pricing) -> HandlerRegistry:
    return {"price": pricing.price}


def pricing_process(sequential: bool) -> str:
    loop = _mi(sequential, '<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>'
                           '<bpmn:loopDataOutputRef>prices</bpmn:loopDataOutputRef>'
                           '<bpmn:inputDataItem id="item" name="item" />'
                           '<bpmn:outputDataItem id="price" name="price" />')
    return diagram("pricing", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:userTask id="check" name="Check the items"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="price_each" />
    <bpmn:serviceTask id="price_each" name="Price each item">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="price" resultVariable="price">
          <spiffworkflow:parameters><spiffworkflow:parameter id="item" type="str" value="item" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>{loop}
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="price_each" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_service_task_calls_its_handler_once_per_item(
        desk: Desk, pricing: Pricing, sequential: bool) -> None:
    desk.deploy(pricing_process(sequential))
    run = desk.start("pricing", {"items": ["pen", "paper", "ink"]})
    run.complete("check", {})
    assert run.status == "completed"
    assert run.data["prices"] == [30, 50, 30]
    assert sorted(pricing.asked) == ["ink", "paper", "pen"]
    assert run.types().count("service_result") == 3


CALLED = diagram("sign_one", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign_page" />
    <bpmn:userTask id="sign_page" name="Sign one page"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sign_page" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")


def calling_process(sequential: bool) -> str:
    loop = _mi(sequential, '<bpmn:loopDataInputRef>pages</bpmn:loopDataInputRef>'
                           '<bpmn:loopDataOutputRef>signatures</bpmn:loopDataOutputRef>'
                           '<bpmn:inputDataItem id="page" name="page" />'
                           '<bpmn:outputDataItem id="signature" name="signature" />')
    return diagram("sign_all", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each_page" />
    <bpmn:callActivity id="each_page" name="Sign each page" calledElement="sign_one">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>{loop}</bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="each_page" targetRef="file" />
    <bpmn:userTask id="file" name="File the contract"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="file" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_call_activity_runs_the_called_process_per_item(desk: Desk, sequential: bool) -> None:
    desk.deploy(calling_process(sequential), CALLED)
    run = desk.start("sign_all", {"pages": [1, 2]})
    assert run.ready() == ([SIGN_PAGE] if sequential else [SIGN_PAGE] * 2)
    run.complete("sign_page", {"signature": "A"})
    run.complete("sign_page", {"signature": "B"})
    assert run.ready() == ["file"]
    assert sorted(run.data["signatures"]) == ["A", "B"]
    run.complete("file", {})
    assert run.status == "completed"

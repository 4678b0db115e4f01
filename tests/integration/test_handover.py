"""Reassign, release, delegate: each an input event; the inbox follows; replay verifies."""
from __future__ import annotations

import json

import pytest

from engine.bootstrap import Casedesk
from engine.errors import Forbidden, InvalidInput
from tests.conftest import PASSWORD


def review_task(app: Casedesk) -> tuple[str, str]:
    started = app.runtime.start_instance("document_review", {"title": "Travel"}, actor="alice")
    draft = app.runtime.list_tasks(instance_id=started.id)[0]
    view = app.runtime.complete_task(draft.id, {"body": "x"}, actor="alice")
    return started.id, view.ready_tasks[0].id


@pytest.fixture
def team(app: Casedesk) -> Casedesk:
    app.users.add_user("ray", PASSWORD, ["reviewer"])
    app.users.add_user("hana", PASSWORD, ["reviewer_head"])  # the head of the reviewers
    return app


def assignee(app: Casedesk, instance_id: str) -> str | None:
    return app.runtime.list_tasks(instance_id=instance_id)[0].assignee


def test_a_head_reassigns_a_claimed_task_to_a_member_and_replay_verifies(team: Casedesk) -> None:
    instance_id, task_id = review_task(team)
    team.runtime.claim_task(task_id, actor="rita")
    team.handover.reassign(task_id, "ray", actor="hana")
    assert assignee(team, instance_id) == "ray"
    [event] = [e for e in team.history.events(instance_id) if e.type == "task_reassigned"]
    assert (event.actor, json.loads(event.payload)) == ("hana", {"from": "rita", "to": "ray"})
    team.runtime.warm.clear()
    team.runtime.complete_task(task_id, {"decision": "approve"}, actor="ray")  # the new holder works it
    assert team.runtime.get_instance(instance_id).status == "completed"
    assert team.history.replay(instance_id).verified


def test_an_administrator_releases_another_users_claim(team: Casedesk) -> None:
    instance_id, task_id = review_task(team)
    team.runtime.claim_task(task_id, actor="rita")
    team.handover.release(task_id, actor="root")
    assert assignee(team, instance_id) is None
    team.runtime.claim_task(task_id, actor="ray")  # back with the group: anyone of it may take it
    assert team.history.replay(instance_id).verified


def test_the_holder_delegates_to_a_colleague_of_the_group(team: Casedesk) -> None:
    instance_id, task_id = review_task(team)
    team.runtime.claim_task(task_id, actor="rita")
    team.handover.delegate(task_id, "ray", actor="rita")
    assert assignee(team, instance_id) == "ray"
    assert [e.type for e in team.history.events(instance_id)][-1] == "task_delegated"
    assert team.history.replay(instance_id).verified


def test_who_may_not_hand_over_is_refused_and_nothing_changes(team: Casedesk) -> None:
    instance_id, task_id = review_task(team)
    team.runtime.claim_task(task_id, actor="rita")
    events = len(team.history.events(instance_id))
    with pytest.raises(Forbidden):
        team.handover.reassign(task_id, "ray", actor="alice")  # not the reviewers' head
    with pytest.raises(Forbidden):
        team.handover.release(task_id, actor="ray")  # a colleague cannot take the claim away
    with pytest.raises(Forbidden):
        team.handover.delegate(task_id, "ray", actor="ray")  # only the holder delegates
    with pytest.raises(InvalidInput, match="not in group"):
        team.handover.reassign(task_id, "alice", actor="hana")  # only to a member of the task's group
    with pytest.raises(InvalidInput, match="no active user"):
        team.handover.delegate(task_id, "nobody", actor="rita")
    assert len(team.history.events(instance_id)) == events
    assert assignee(team, instance_id) == "rita"

"""Owners migrate running instances from one version to another: a dry run says who can move and why not,
the move goes in batches as a recorded event, and every migrated instance still verifies and replays."""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from lxml import etree

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.definitions.migration import MOVED_ON
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.runtime.migration import MigrationReport
from engine.runtime.service import InstanceView
from engine.runtime.step import InstanceStep
from tests.conftest import PASSWORD

REVIEW_FILE = "document_review.bpmn"


def demo_files() -> dict[str, bytes]:
    return collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")


def edited(files: dict[str, bytes], *replacements: tuple[str, str]) -> dict[str, bytes]:
    text = files[REVIEW_FILE].decode()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return {**files, REVIEW_FILE: text.encode()}


# Version 2: the review task gets a new name (the inbox shows it) — every running instance can move.
RENAMED_REVIEW = ('name="Review the document"', 'name="Check the document"')


def without_review(files: dict[str, bytes]) -> dict[str, bytes]:
    """Version 3: the review task is gone (drafts go straight to the decision) — a token waiting at it cannot move."""
    tree = etree.fromstring(files[REVIEW_FILE])
    by_id = {e.get("id"): e for e in tree.iter() if e.get("id")}
    for gone in ("review", "flow_review_gateway", "review_di", "flow_review_gateway_di"):
        if gone in by_id:
            by_id[gone].getparent().remove(by_id[gone])
    by_id["flow_draft_review"].set("targetRef", "approved_gateway")
    for node in tree.iter():
        if node.text == "review":  # the lane's reference
            node.getparent().remove(node)
        elif node.text == "flow_review_gateway":  # the gateway's incoming flow
            node.text = "flow_draft_review"
    return {**files, REVIEW_FILE: etree.tostring(tree, xml_declaration=True, encoding="UTF-8")}


@pytest.fixture
def owner(app: Casedesk) -> str:
    app.users.add_user("owen", PASSWORD, ["process_owner"])
    return "owen"


def at_draft(app: Casedesk, title: str, claim: bool = False) -> InstanceView:
    view = app.runtime.start_instance("document_review", {"title": title}, actor="alice")
    if claim:
        app.runtime.claim_task(view.ready_tasks[0].id, actor="bob")
    return view


def at_review(app: Casedesk, title: str) -> InstanceView:
    view = at_draft(app, title)
    return app.runtime.complete_task(view.ready_tasks[0].id, {"body": f"text of {title}"}, actor="alice")


def inbox_titles(app: Casedesk, instance_id: str) -> list[tuple[str, str | None]]:
    return [(t.title, t.assignee) for t in app.runtime.list_tasks(instance_id=instance_id)]


def test_fifty_running_instances_migrate_in_batches_and_each_replays_verified(app: Casedesk, owner: str) -> None:
    drafting = [at_draft(app, f"draft {n}", claim=n % 2 == 0) for n in range(25)]
    reviewing = [at_review(app, f"review {n}") for n in range(25)]
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), owner)

    dry = app.migrations.dry_run("document_review", 1, 2, owner)
    assert len(dry.instances) == 50 and len(dry.movable) == 50 and not dry.refused
    one = {o.instance_id: o for o in dry.instances}[reviewing[0].id].as_dict()
    assert one["can_move"] is True and one["lost"] == []
    assert [(c["element"], c["state"], c["attributes"]) for c in one["changed"]] == [("review", "READY", ["name"])]
    assert all(app.runtime.get_instance(v.id).version == 1 for v in drafting + reviewing)  # a dry run moves nothing

    report = app.migrations.migrate("document_review", 1, 2, owner, batch_size=20)
    assert report.batches == 3 and len(report.moved) == 50 and not report.refused

    for view in reviewing:
        assert app.runtime.get_instance(view.id).version == 2
        assert inbox_titles(app, view.id) == [("Check the document", None)]
        event = app.history.events(view.id)[-1]
        assert event.type == "task_ready" and json.loads(event.payload)["title"] == "Check the document"
    for n, view in enumerate(drafting):
        assert inbox_titles(app, view.id) == [("Draft the document", "bob" if n % 2 == 0 else None)]
    for view in drafting + reviewing:
        migrated = [e for e in app.history.events(view.id) if e.type == "instance_migrated"]
        assert len(migrated) == 1 and migrated[0].actor == owner
        assert json.loads(migrated[0].payload)["to_version"] == 2
        assert app.history.verify(view.id).ok
        report_ = app.history.replay(view.id)
        assert report_.verified, report_.as_dict()

    # The migrated instances go on on version 2 and still replay, the next step from a warm or a cold workflow.
    for cold, view in ((False, reviewing[1]), (True, reviewing[2])):
        if cold:
            app.runtime.warm.clear()
        task = app.runtime.list_tasks(instance_id=view.id)[0]
        done = app.runtime.complete_task(task.id, {"decision": "approve"}, actor="rita")
        assert done.status == "completed" and done.version == 2
        assert app.history.replay(view.id).verified


def test_an_instance_that_cannot_move_is_reported_with_the_reason_and_left_untouched(
        app: Casedesk, owner: str) -> None:
    waiting_at_review = at_review(app, "stays")
    drafting = at_draft(app, "moves")
    app.definitions.deploy(without_review(demo_files()), owner)
    state_before = app.history.load(waiting_at_review.id).row.state
    events_before = len(app.history.events(waiting_at_review.id))

    dry = {o.instance_id: o for o in app.migrations.dry_run("document_review", 1, 2, owner).instances}
    refused = dry[waiting_at_review.id]
    assert not refused.check.can_move
    assert [t.element for t in refused.check.lost] == ["review"]
    assert "review (Review the document)" in refused.check.reasons[0]
    assert "does not have" in refused.check.reasons[0]
    assert dry[drafting.id].check.can_move

    report = app.migrations.migrate("document_review", 1, 2, owner)
    assert [o.instance_id for o in report.moved] == [drafting.id]
    assert [o.instance_id for o in report.refused] == [waiting_at_review.id]
    assert app.runtime.get_instance(waiting_at_review.id).version == 1
    assert app.history.load(waiting_at_review.id).row.state == state_before
    assert len(app.history.events(waiting_at_review.id)) == events_before
    assert app.history.replay(waiting_at_review.id).verified

    assert app.runtime.get_instance(drafting.id).version == 2
    assert inbox_titles(app, drafting.id) == [("Draft the document", None)]
    assert app.history.replay(drafting.id).verified


def test_only_owners_migrate_and_bad_versions_are_refused(app: Casedesk, owner: str) -> None:
    at_draft(app, "one")
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), owner)
    with pytest.raises(Forbidden):
        app.migrations.migrate("document_review", 1, 2, "alice")
    with pytest.raises(NotFound):
        app.migrations.dry_run("document_review", 1, 7, owner)
    with pytest.raises(InvalidInput):
        app.migrations.migrate("document_review", 2, 2, owner)
    with pytest.raises(InvalidInput):
        app.migrations.migrate("document_review", 1, 2, owner, batch_size=0)
    assert app.migrations.migrate("document_review", 1, 2, "root").moved


def test_two_migrations_at_once_move_each_instance_once_while_a_task_is_completed_and_stale_tasks_still_complete(
        app: Casedesk, owner: str) -> None:
    views = [at_draft(app, f"case {n}") for n in range(6)]
    drafts = {view.id: view.ready_tasks[0].id for view in views}  # task ids on pages opened before the move
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), owner)
    barrier = threading.Barrier(3)
    reports: list[MigrationReport] = []

    def migrate() -> None:
        barrier.wait()
        reports.append(app.migrations.migrate("document_review", 1, 2, owner, batch_size=2))

    def complete_during_the_move() -> None:
        barrier.wait()
        app.runtime.complete_task(drafts[views[0].id], {"body": "sent while the owner migrates"}, actor="alice")

    threads = [threading.Thread(target=work) for work in (migrate, migrate, complete_during_the_move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(reports) == 2
    moved = [o.instance_id for report in reports for o in report.moved]
    assert sorted(moved) == sorted(drafts)  # each instance moved once, by one of the two
    for report in reports:  # what the other found already moved is said so, nothing else
        assert {r.kind for o in report.refused for r in o.check.refusals} <= {MOVED_ON}
    for view in views:
        assert app.runtime.get_instance(view.id).version == 2
        assert [e.type for e in app.history.events(view.id)].count("instance_migrated") == 1
    # The task completed during the move went on to the review, which carries version 2's name either way.
    assert inbox_titles(app, views[0].id) == [("Check the document", None)]
    # A draft page opened before the move completes on version 2.
    after = app.runtime.complete_task(drafts[views[1].id], {"body": "from a stale page"}, actor="alice")
    assert after.version == 2 and [t.title for t in after.ready_tasks] == ["Check the document"]
    for view in views:
        report = app.history.replay(view.id)
        assert report.verified, report.as_dict()


def test_each_batch_is_its_own_transaction_so_a_crash_keeps_the_batches_before_it(
        app: Casedesk, owner: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(4):
        at_draft(app, f"case {n}")
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), owner)
    order = [o.instance_id for o in app.migrations.dry_run("document_review", 1, 2, owner).instances]
    move = InstanceStep.migrate

    def crash_at_the_last(step: InstanceStep, target: Any, actor: str) -> Any:
        if step.row.id == order[-1]:
            raise RuntimeError("the server went down")
        return move(step, target, actor)

    monkeypatch.setattr(InstanceStep, "migrate", crash_at_the_last)
    with pytest.raises(RuntimeError):
        app.migrations.migrate("document_review", 1, 2, owner, batch_size=2)

    # The first batch stays moved; the second (one instance moved, then the crash) is rolled back whole.
    assert [app.runtime.get_instance(i).version for i in order] == [2, 2, 1, 1]
    assert [[e.type for e in app.history.events(i)].count("instance_migrated") for i in order] == [1, 1, 0, 0]
    monkeypatch.undo()
    report = app.migrations.migrate("document_review", 1, 2, owner)  # run again: the rest move
    assert sorted(o.instance_id for o in report.moved) == sorted(order[2:])
    for instance_id in order:
        assert app.history.replay(instance_id).verified

"""Instance reads come from projections kept by each step, never from the event log (issue 14)."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event

from engine.access import Actor
from engine.bootstrap import Casedesk
from engine.runtime.readmodel import InstanceQuery, ReadModel
from engine.runtime.summary import fold


def review_rounds(app: Casedesk, rounds: int) -> str:
    """Document review sent back `rounds` times, then approved; alice drafts, rita reviews."""
    instance = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    for round_ in range(rounds + 1):
        (draft,) = app.runtime.list_tasks(user="alice", instance_id=instance.id)
        app.runtime.claim_task(draft.id, "alice")
        app.runtime.complete_task(draft.id, {"body": f"text {round_}"}, "alice")
        (review,) = app.runtime.list_tasks(user="rita", instance_id=instance.id)
        app.runtime.claim_task(review.id, "rita")
        decision = "approve" if round_ == rounds else "send_back"
        app.runtime.complete_task(review.id, {"decision": decision}, "rita")
    return instance.id


def folded_from_log(app: Casedesk, instance_id: str) -> tuple[dict, dict, set]:
    data: dict = {}
    completed: dict = {}
    actors = set()
    for e in app.history.events(instance_id):
        data = fold(data, completed, e.type, json.loads(e.payload))
        if e.actor:
            actors.add(e.actor)
    return data, completed, actors


def reads_the_log(statement: str) -> bool:
    return re.search(r"\b(FROM|JOIN)\s+instance_event\b", statement, re.IGNORECASE) is not None


@contextmanager
def statements(app: Casedesk) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001 - SQLAlchemy hook
        seen.append(statement)

    event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.db.engine, "before_cursor_execute", record)


def test_the_instance_page_data_equals_what_the_log_records(app: Casedesk) -> None:
    instance_id = review_rounds(app, 3)
    detail = ReadModel(app.db).instance(instance_id)
    data, completed, actors = folded_from_log(app, instance_id)
    assert detail.data == data and detail.data["decision"] == "approve"
    assert detail.completed_counts == completed and detail.completed_counts["draft"] == 4
    assert detail.facts.actors == actors == {"alice", "rita"}
    assert detail.event_count == len(app.history.events(instance_id))
    assert app.history.replay(instance_id).verified


def test_reading_an_instance_never_touches_the_event_log(app: Casedesk) -> None:
    instance_id = review_rounds(app, 2)
    reads = ReadModel(app.db)
    with statements(app) as seen:
        reads.instance(instance_id)
        reads.instances(Actor("rita", frozenset({"reviewer"})), InstanceQuery())
    assert seen and not [s for s in seen if reads_the_log(s)]


def test_completing_a_task_reads_no_history(app: Casedesk) -> None:
    instance = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    (draft,) = app.runtime.list_tasks(user="alice", instance_id=instance.id)
    app.runtime.claim_task(draft.id, "alice")
    with statements(app) as seen:
        app.runtime.complete_task(draft.id, {"body": "x"}, "alice")
    assert [s for s in seen if reads_the_log(s)] == []


def test_a_participant_sees_the_case_in_their_list_after_acting(app: Casedesk) -> None:
    instance_id = review_rounds(app, 0)
    rows = ReadModel(app.db).instances(Actor("rita", frozenset({"reviewer"})), InstanceQuery())
    assert [r.id for r in rows] == [instance_id]
    assert ReadModel(app.db).instances(Actor("bob", frozenset({"clerk"})), InstanceQuery()) == []

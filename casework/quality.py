"""Quality inspections (R-4.2): sampling a department's finished cases and the register of findings.

Every function works on the step's own connection, so what an inspection writes commits or rolls back
with the step that wrote it.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any, Iterable, cast

from sqlalchemy import Connection, Table, func, select

from engine.clock import isoformat
from engine.runtime.store import DEFINITIONS, EVENTS, INSTANCES, USERS
from engine.runtime.summary import SUMMARIES

from .quality_models import QualityFinding
from engine.errors import N_, RefusedValue, UnknownName

FINDINGS = cast(Table, QualityFinding.__table__)
CASE_PROCESS = "business_case"
CHECK_KINDS = ("self", "peer", "superior")


def finished_cases(conn: Connection, since: datetime, until: datetime) -> list[Any]:
    """Business cases completed in [since, until): id, case number, completion time, data, completed elements."""
    return list(conn.execute(
        select(INSTANCES.c.id, INSTANCES.c.business_key, INSTANCES.c.completed_at, SUMMARIES.c.data,
               SUMMARIES.c.completed)
        .select_from(INSTANCES.join(DEFINITIONS, DEFINITIONS.c.id == INSTANCES.c.definition_id)
                     .join(SUMMARIES, SUMMARIES.c.instance_id == INSTANCES.c.id))
        .where(DEFINITIONS.c.key == CASE_PROCESS, INSTANCES.c.status == "completed",
               INSTANCES.c.completed_at >= since, INSTANCES.c.completed_at < until)
        .order_by(INSTANCES.c.completed_at, INSTANCES.c.id)))


def handlers_of(conn: Connection, instance_ids: Iterable[str]) -> dict[str, str]:
    """Who handled each case (the last to complete its `handle_case` task), read by task spec, not by log scan."""
    ids = list(instance_ids)
    if not ids:
        return {}
    rows = conn.execute(select(EVENTS.c.instance_id, EVENTS.c.actor)
                        .where(EVENTS.c.instance_id.in_(ids), EVENTS.c.type == "task_done",
                               EVENTS.c.task_spec == "handle_case")
                        .order_by(EVENTS.c.instance_id, EVENTS.c.seq))
    return {row.instance_id: row.actor for row in rows if row.actor}


def sample_cases(conn: Connection, now: datetime, department: str, days: int, size: int,
                 seed: str) -> list[dict[str, Any]]:
    """Up to `size` cases of `department` finished in the last `days` days, chosen by a hash of the
    inspection's id (the same inspection always draws the same cases), listed by case number."""
    if days < 1 or size < 1:
        raise RefusedValue(N_("sample_days and sample_size must be at least 1, got %(days)s and %(size)s"), days=days,
                           size=size)
    rows = [row for row in finished_cases(conn, now - timedelta(days=days), now)
            if json.loads(row.data).get("department") == department]
    rows.sort(key=lambda row: hashlib.sha256(f"{seed}:{row.id}".encode()).hexdigest())
    chosen = rows[:size]
    handled_by = handlers_of(conn, (row.id for row in chosen))
    sample = []
    for row in chosen:
        data, completed = json.loads(row.data), json.loads(row.completed)
        sample.append({"case_number": row.business_key, "instance": row.id, "handled_by": handled_by.get(row.id, ""),
                       "finished_at": isoformat(row.completed_at), "satisfaction": data.get("satisfaction", ""),
                       "rectification_rounds": completed.get("rectify", 0)})
    return sorted(sample, key=lambda case: str(case["case_number"]))


def register_finding(conn: Connection, now: datetime, instance_id: str, findings: list[dict[str, Any]],
                     sample: list[dict[str, Any]], check_kind: str, department: str, case_number: str,
                     person: str, problem: str, cause: str, measure: str) -> list[dict[str, Any]]:
    """Record one finding (R-4.2.2) and return the inspection's findings with it. Refuses a case that was
    not sampled and a person who is no user, so the inspector corrects what they typed."""
    case_number, person = case_number.strip(), person.strip()
    sampled = [str(case["case_number"]) for case in sample]
    if case_number not in sampled:
        raise RefusedValue(N_("case %(case)s was not sampled in this inspection; sampled: %(sampled)s"),
                           case=case_number, sampled=sampled)
    if conn.execute(select(USERS.c.id).where(USERS.c.username == person)).first() is None:
        raise UnknownName(N_("no user named '%(person)s': name the person responsible by their user name"),
                          person=person)
    if check_kind not in CHECK_KINDS:
        raise RefusedValue(N_("unknown kind of check '%(kind)s'"), kind=check_kind)
    taken = conn.execute(select(func.count()).select_from(FINDINGS)
                         .where(FINDINGS.c.instance_id == instance_id)).scalar_one()
    finding = {"id": f"{instance_id}-{taken + 1}", "check_kind": check_kind, "department": department,
               "case_number": case_number, "person": person, "problem": problem, "cause": cause, "measure": measure}
    conn.execute(FINDINGS.insert().values(instance_id=instance_id, status="open", recorded_at=now, **finding))
    return [*findings, finding]


def close_finding(conn: Connection, now: datetime, finding_id: str) -> dict[str, Any]:
    """The corrective measure was verified as effective: the finding is closed."""
    closed = conn.execute(FINDINGS.update().where(FINDINGS.c.id == finding_id, FINDINGS.c.status == "open")
                          .values(status="closed", closed_at=now))
    if closed.rowcount != 1:
        raise UnknownName(N_("no open quality finding %(finding)s"), finding=finding_id)
    return {"finding": finding_id, "closed_at": isoformat(now)}

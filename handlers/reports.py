"""Periodic reports started by timers: weekly progress to leaders (R-2.2.3), monthly archive inventory (R-6.3).

Both read through the step's connection, so a report shows exactly what was committed when its timer fired.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from casework.archive_inventory import take_inventory
from engine.clock import isoformat
from engine.runtime.store import DEFINITIONS, HUMAN_TASKS, INSTANCES

from .context import HandlerContext

def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError("report handlers read through the step's connection; none was given")
    return ctx.connection


def weekly_progress_report(ctx: HandlerContext, process_key: str = "business_case") -> dict[str, Any]:
    """Every open case with the stage it waits in, who holds it and whether it is overdue."""
    rows = _connection(ctx).execute(
        select(INSTANCES.c.id, INSTANCES.c.business_key, INSTANCES.c.created_at, HUMAN_TASKS.c.title,
               HUMAN_TASKS.c.candidate_group, HUMAN_TASKS.c.assignee, HUMAN_TASKS.c.due_at)
        .select_from(INSTANCES.join(DEFINITIONS, DEFINITIONS.c.id == INSTANCES.c.definition_id)
                     .outerjoin(HUMAN_TASKS, HUMAN_TASKS.c.instance_id == INSTANCES.c.id))
        .where(DEFINITIONS.c.key == process_key, INSTANCES.c.status == "running")
        .order_by(INSTANCES.c.created_at, INSTANCES.c.id, HUMAN_TASKS.c.created_at))
    cases: dict[str, dict[str, Any]] = {}
    by_stage: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    for row in rows:
        case = cases.setdefault(row.id, {"instance": row.id, "case_number": row.business_key,
                                         "opened_at": isoformat(row.created_at), "stages": [], "overdue": False})
        if row.title is None:
            continue  # waiting on a timer or a service, no one's inbox
        overdue = row.due_at is not None and row.due_at < ctx.now
        case["stages"].append({"title": row.title, "group": row.candidate_group, "assignee": row.assignee,
                               "due_at": isoformat(row.due_at) if row.due_at else None, "overdue": overdue})
        case["overdue"] = case["overdue"] or overdue
        by_stage[row.title] += 1
        by_group[row.candidate_group or "-"] += 1
    overdue = [c for c in cases.values() if c["overdue"]]
    return {
        "as_of": isoformat(ctx.now),
        "open_cases": len(cases),
        "overdue_cases": len(overdue),
        "by_stage": dict(sorted(by_stage.items())),
        "by_group": dict(sorted(by_group.items())),
        "overdue": overdue,
        "opened_this_week": sum(1 for c in cases.values() if c["opened_at"] >= isoformat(ctx.now - timedelta(days=7))),
    }


def archive_inventory(ctx: HandlerContext) -> dict[str, Any]:
    """The archive register's own inventory (engine/archive_inventory.py), as the instance's report data."""
    report = take_inventory(_connection(ctx), ctx.now)
    return {
        "as_of": isoformat(report.taken_at),
        "archives": sum(report.archives_per_class.values()),
        "archives_per_class": report.archives_per_class,
        "items": report.items,
        "findings": [{"archive": f.number, "problem": f.problem} for f in report.findings],
        "complete": report.ok,
    }

"""Periodic reports started by timers: weekly progress to leaders (R-2.2.3), monthly archive inventory (R-6.3).

Both read through the step's connection, so a report shows exactly what was committed when its timer fired.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from engine.archive_register import ARCHIVES, BORROWINGS, CLASSES, ITEMS
from engine.clock import isoformat
from engine.instancestore import DEFINITIONS, HUMAN_TASKS, INSTANCES

from .context import HandlerContext

# An archive still collecting its records this long after it was opened is worth a look.
STALE_OPEN_ARCHIVE = timedelta(days=30)


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
    """Per class: archives held, complete or still collecting, empty ones, borrowings out and overdue."""
    conn = _connection(ctx)
    items = (select(ITEMS.c.archive_id, func.count().label("filed")).group_by(ITEMS.c.archive_id).subquery())
    archives = conn.execute(
        select(ARCHIVES.c.number, ARCHIVES.c.archive_class, ARCHIVES.c.status, ARCHIVES.c.opened_at,
               func.coalesce(items.c.filed, 0).label("filed"))
        .outerjoin(items, items.c.archive_id == ARCHIVES.c.id).order_by(ARCHIVES.c.number)).all()
    out = conn.execute(
        select(ARCHIVES.c.number, ARCHIVES.c.archive_class, BORROWINGS.c.borrower, BORROWINGS.c.expires_at)
        .join(ARCHIVES, ARCHIVES.c.id == BORROWINGS.c.archive_id)
        .where(BORROWINGS.c.status == "approved")).all()
    classes: dict[str, dict[str, Any]] = {name: {"archives": 0, "complete": 0, "collecting": 0, "empty": [],
                                                 "stale": [], "lent": 0, "overdue": []} for name in CLASSES}
    for archive in archives:
        summary = classes.setdefault(archive.archive_class, {"archives": 0, "complete": 0, "collecting": 0,
                                                             "empty": [], "stale": [], "lent": 0, "overdue": []})
        summary["archives"] += 1
        summary["complete" if archive.status == "complete" else "collecting"] += 1
        if archive.filed == 0:
            summary["empty"].append(archive.number)
        if archive.status != "complete" and archive.opened_at < ctx.now - STALE_OPEN_ARCHIVE:
            summary["stale"].append(archive.number)
    for lent in out:
        summary = classes[lent.archive_class]
        summary["lent"] += 1
        if lent.expires_at is not None and lent.expires_at < ctx.now:
            summary["overdue"].append({"archive": lent.number, "borrower": lent.borrower,
                                       "due": isoformat(lent.expires_at)})
    problems = sum(len(c["empty"]) + len(c["stale"]) + len(c["overdue"]) for c in classes.values())
    return {"as_of": isoformat(ctx.now), "archives": len(archives), "problems": problems, "classes": classes}

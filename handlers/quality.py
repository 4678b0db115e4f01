"""Quality inspection handlers (R-4.2): sample finished cases, register findings, close them when verified."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from casework import quality

from .context import HandlerContext


def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError("quality handlers work through the step's connection; none was given")
    return ctx.connection


def quality_sample(ctx: HandlerContext, department: str, sample_days: int, sample_size: int) -> list[dict[str, Any]]:
    """R-4.2.1: the department's finished cases to inspect (seeded by the inspection's task, so each
    department of one periodic check draws its own sample)."""
    return quality.sample_cases(_connection(ctx), ctx.now, department, int(sample_days), int(sample_size),
                                seed=ctx.task_id)


def quality_finding(ctx: HandlerContext, findings: list[dict[str, Any]], sample: list[dict[str, Any]],
                    check_kind: str, department: str, case_number: str, person: str, problem: str, cause: str,
                    measure: str) -> list[dict[str, Any]]:
    """R-4.2.2: one finding with its cause and corrective measure joins the register and the inspection."""
    return quality.register_finding(_connection(ctx), ctx.now, ctx.instance_id, list(findings), list(sample),
                                    check_kind, department, case_number, person, problem, cause, measure)


def close_quality_finding(ctx: HandlerContext, finding_id: str) -> dict[str, Any]:
    """R-4.2.2: the quality owner verified the measure: the finding is closed."""
    return quality.close_finding(_connection(ctx), ctx.now, finding_id)

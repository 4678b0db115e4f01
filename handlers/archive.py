"""Archive handlers: filing a case's materials and records (R-2.1.3, R-6.1) and the borrowing steps (R-6.4).

Each writes through the step's own connection, so its register rows commit or roll back with the step."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from casework import archive_register as register
from casework.archive_closing import file_unaccepted_case

from .context import HandlerContext


def _connection(ctx: HandlerContext) -> Connection:
    connection = ctx.connection
    if connection is None:
        raise RuntimeError(f"{ctx.task_spec}: the archive register needs the step's database connection")
    return connection


def file_materials(ctx: HandlerContext, case_number: str, business_type: str, title: str,
                   materials: list[str]) -> dict[str, Any]:
    """Open the case's archive in the class of its business type and file the application materials."""
    number = register.open_archive(_connection(ctx), ctx.now, case_number, business_type, title, materials,
                                   ctx.instance_id)
    return {"archive_number": number}


def file_case_records(ctx: HandlerContext, archive_number: str, records: dict[str, Any]) -> dict[str, Any]:
    """At the end of a case: file its processing records and feedback documents; `items` = how many."""
    items = register.file_case_records(_connection(ctx), ctx.now, archive_number, records, ctx.instance_id)
    return {"archive_number": archive_number, "items": items}


def file_unaccepted_case_records(ctx: HandlerContext, business_type: str, title: str,
                                 records: dict[str, Any]) -> dict[str, Any]:
    """A case that ends before acceptance (consultation only, application withdrawn): its own complete archive."""
    number, items = file_unaccepted_case(_connection(ctx), ctx.now, business_type, title, records, ctx.instance_id)
    return {"archive_number": number, "items": items}


def request_archive_borrowing(ctx: HandlerContext, archive_number: str, purpose: str, days: int) -> dict[str, Any]:
    return register.request_borrowing(_connection(ctx), ctx.now, ctx.instance_id, archive_number, purpose, days)


def grant_archive_borrowing(ctx: HandlerContext, borrowing_id: str, note: str = "") -> dict[str, Any]:
    return register.grant_borrowing(_connection(ctx), ctx.now, borrowing_id, note)


def reject_archive_borrowing(ctx: HandlerContext, borrowing_id: str, note: str = "") -> dict[str, Any]:
    return register.reject_borrowing(_connection(ctx), ctx.now, borrowing_id, note)


def remind_archive_borrower(ctx: HandlerContext, borrowing_id: str) -> dict[str, Any]:
    return register.remind_borrower(_connection(ctx), ctx.now, borrowing_id)


def mark_archive_overdue(ctx: HandlerContext, borrowing_id: str) -> dict[str, Any]:
    return register.mark_overdue(_connection(ctx), ctx.now, borrowing_id)


def return_archive_borrowing(ctx: HandlerContext, borrowing_id: str) -> dict[str, Any]:
    return register.return_borrowing(_connection(ctx), ctx.now, borrowing_id)

"""The one place where operator names are bound to handler functions."""
from __future__ import annotations

from . import archive
from .context import Handler
from .documents import publish_document
from .reports import archive_inventory, weekly_progress_report


def build_registry() -> dict[str, Handler]:
    return {
        "publish_document": publish_document,
        "file_materials": archive.file_materials,
        "file_case_records": archive.file_case_records,
        "request_archive_borrowing": archive.request_archive_borrowing,
        "grant_archive_borrowing": archive.grant_archive_borrowing,
        "reject_archive_borrowing": archive.reject_archive_borrowing,
        "remind_archive_borrower": archive.remind_archive_borrower,
        "mark_archive_overdue": archive.mark_archive_overdue,
        "return_archive_borrowing": archive.return_archive_borrowing,
        "weekly_progress_report": weekly_progress_report,
        "archive_inventory": archive_inventory,
    }

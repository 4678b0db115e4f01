"""The weekly progress report mailed to the leaders (R-2.2.3): the figures, the tracker's summary, a link."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, cast

from sqlalchemy import Connection, Table, select

from casework.digest_models import StaffNotificationSetting
from casework.outbox import Notice
from engine.models import Group, Membership, User

from .context import Handler, HandlerContext

USERS, GROUPS, MEMBERS, SETTINGS = (cast(Table, m.__table__) for m in (User, Group, Membership,
                                                                        StaffNotificationSetting))
Mailer = Callable[[Connection, Notice, datetime], None]

TEXT = {
    "en": {"subject": "Weekly progress report as of {as_of}", "open": "Open cases", "overdue": "Overdue cases",
           "opened": "Opened this week", "by_stage": "Open cases by stage", "late": "Overdue",
           "summary": "Summary of the week", "delays": "Delays and anomalies, with remedies",
           "link": "Open cases now"},
    "zh-Hans": {"subject": "每周进度报告（统计截至 {as_of}）", "open": "在办案件", "overdue": "逾期案件",
                "opened": "本周新增", "by_stage": "各环节在办案件", "late": "逾期",
                "summary": "本周进度摘要", "delays": "延误与异常及处理措施", "link": "当前在办案件"},
    "zh-Hant": {"subject": "每週進度報告（統計截至 {as_of}）", "open": "在辦案件", "overdue": "逾期案件",
                "opened": "本週新增", "by_stage": "各環節在辦案件", "late": "逾期",
                "summary": "本週進度摘要", "delays": "延誤與異常及處理措施", "link": "當前在辦案件"},
}


class NoReaders(RuntimeError):
    """Nobody active in the group: an outage of the organisation, retried like one, then an incident."""


@dataclass(frozen=True)
class Reader:
    username: str
    email: str
    language: str


def group_readers(connection: Connection, group: str, mail_domain: str) -> list[Reader]:
    """Active members of `group` with the address and language of their notification setting."""
    rows = connection.execute(
        select(USERS.c.username, SETTINGS.c.email, SETTINGS.c.language)
        .join(MEMBERS, MEMBERS.c.user_id == USERS.c.id).join(GROUPS, GROUPS.c.id == MEMBERS.c.group_id)
        .outerjoin(SETTINGS, SETTINGS.c.username == USERS.c.username)
        .where(GROUPS.c.name == group, USERS.c.active.is_(True)).order_by(USERS.c.username))
    return [Reader(r.username, r.email or f"{r.username}@{mail_domain}",
                   r.language if r.language in TEXT else "en") for r in rows]


def compose(report: dict[str, Any], summary: str, delays: str, language: str, link: str) -> tuple[str, str]:
    words = TEXT[language]
    lines = [f"{words['open']}: {report['open_cases']}", f"{words['overdue']}: {report['overdue_cases']}",
             f"{words['opened']}: {report['opened_this_week']}", "", f"{words['by_stage']}:"]
    lines += [f"  {stage}: {count}" for stage, count in report.get("by_stage", {}).items()] or ["  -"]
    late = [case.get("case_number") or case["instance"] for case in report.get("overdue", [])]
    if late:
        lines += ["", f"{words['late']}: {', '.join(late)}"]
    lines += ["", f"{words['summary']}:", summary]
    if delays:
        lines += ["", f"{words['delays']}:", delays]
    lines += ["", f"{words['link']}: {link}"]
    return words["subject"].format(as_of=report["as_of"]), "\n".join(lines)


def make_mail_progress_report(mailer: Mailer, public_url: str, mail_domain: str) -> Handler:
    """The `mail_progress_report` handler: one e-mail per member of the leaders' group, in their language,
    through the configured staff mail transport (the outbox or SMTP)."""
    link = f"{public_url.rstrip('/')}/tracker"

    def mail_progress_report(ctx: HandlerContext, report: dict[str, Any], summary: str, delays: str,
                             group: str = "leader") -> dict[str, Any]:
        """Mail the report; the result lists who it went to. No reader in the group is an error, never a silent drop."""
        if ctx.connection is None:
            raise RuntimeError("mail_progress_report needs the step's database connection")
        readers = group_readers(ctx.connection, group, mail_domain)
        if not readers:
            raise NoReaders(f"nobody to report to: the group {group!r} has no active member")
        for reader in readers:
            subject, body = compose(report, summary, delays, reader.language, link)
            mailer(ctx.connection, Notice("email", reader.email, subject, body,
                                          f"{ctx.instance_id}/{ctx.task_spec}", ctx.instance_id), ctx.now)
        return {"sent_at": ctx.now.isoformat(), "recipients": [r.email for r in readers]}

    return mail_progress_report

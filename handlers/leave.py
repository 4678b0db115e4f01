"""Leave handlers (R-3.1): the requester and their superior, the request and decision in the leave register,
telling the requester, and returning the tasks they hold when the leave begins.

Each writes through the step's own connection, so what it records commits or rolls back with the step."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, select

from casework import leave as register
from casework.digest_models import StaffNotificationSetting
from casework.outbox import Notice
from engine.errors import N_, RefusedType
from engine.runtime.handover import release_for_absence, restore_after_absence

from .context import Handler, HandlerContext
from .progress_mail import Mailer, Reader

SETTINGS = cast(Table, StaffNotificationSetting.__table__)

TYPES = {
    "annual": ("annual leave", "年假", "年假"), "sick": ("sick leave", "病假", "病假"),
    "personal": ("personal leave", "事假", "事假"), "marriage": ("marriage leave", "婚假", "婚假"),
    "maternity": ("maternity leave", "产假", "產假"), "bereavement": ("bereavement leave", "丧假", "喪假"),
}
TELLING = {
    "en": ("Your {type} from {first} to {last} is approved.", "Your {type} from {first} to {last} is not approved: "
           "{note}\nAmend the request or withdraw it in casedesk (task “Amend or withdraw the leave request”)."),
    "zh-Hans": ("您 {first} 至 {last} 的{type}已获批准。", "您 {first} 至 {last} 的{type}未获批准：{note}\n"
                "请在系统中修改或撤回申请（任务“修改或撤回请假申请”）。"),
    "zh-Hant": ("您 {first} 至 {last} 的{type}已獲批准。", "您 {first} 至 {last} 的{type}未獲批准：{note}\n"
                "請在系統中修改或撤回申請（任務「修改或撤回請假申請」）。"),
}
SUBJECTS = {"en": "Leave request: {decision}", "zh-Hans": "请假申请：{decision}", "zh-Hant": "請假申請：{decision}"}
DECISIONS = {"en": ("approved", "not approved"), "zh-Hans": ("已批准", "未批准"), "zh-Hant": ("已批准", "未批准")}


def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError(f"{ctx.task_spec}: the leave register needs the step's database connection")
    return ctx.connection


def leave_requester(ctx: HandlerContext, leaders: str = register.LEADER,
                    chiefs: str = register.GENERAL_MANAGER) -> dict[str, Any]:
    """Who asks for the leave (the starter) and whose approval it needs: `leaders` approve heads' leave,
    `chiefs` leaders' leave; never a group the requester is in (R-3.1)."""
    connection = _connection(ctx)
    if ctx.started_by is None:
        return register.requester_of(connection, ctx.instance_id, leaders, chiefs)
    return register.superior_of(connection, ctx.started_by, leaders, chiefs)


def make_record_leave_request(zone: str) -> Handler:
    def record_leave_request(ctx: HandlerContext, requester: dict[str, Any], leave_type: str, first_day: str,
                             last_day: str, reason: str, cover: str = "") -> dict[str, Any]:
        return register.record_request(_connection(ctx), ctx.now, zone, ctx.instance_id, requester, leave_type,
                                       first_day, last_day, reason, cover)
    return record_leave_request


def decide_leave(ctx: HandlerContext, leave_id: str, approved: bool, note: str = "") -> dict[str, Any]:
    if not isinstance(approved, bool):
        raise RefusedType(N_("%(field)s must be true or false"), field="approved")
    return register.decide(_connection(ctx), ctx.now, leave_id, approved, note)


def withdraw_leave(ctx: HandlerContext, leave_id: str) -> dict[str, Any]:
    return register.withdraw(_connection(ctx), ctx.now, leave_id)


def return_claimed_tasks(ctx: HandlerContext, leave_id: str) -> dict[str, Any]:
    """The leave begins: the tasks its requester holds go to the colleague they named to cover, where the
    cover may hold them, and otherwise back to their groups (R-3.1)."""
    connection = _connection(ctx)
    requester = register.mark_claims_returned(connection, ctx.now, leave_id)
    row = register.leave_facts(connection, leave_id)
    moved = release_for_absence(connection, requester, ctx.now,
                                {"leave_id": leave_id, "until": row.last_day.isoformat()},
                                skip_instance=ctx.instance_id, cover=row.cover or "",
                                absences=register.LeaveAbsences())
    return {"requester": requester, "returned": [
        {"task": t.id, "instance": t.instance_id, "group": t.candidate_group, "to": t.assignee} for t in moved]}


def make_change_leave(zone: str) -> Handler:
    def change_leave(ctx: HandlerContext, leave_id: str, change: str, new_last_day: str = "") -> dict[str, Any]:
        """The requester cancels or shortens approved leave (R-3.1); the answer replaces the decision."""
        return register.change(_connection(ctx), ctx.now, zone, leave_id, change, new_last_day)
    return change_leave


def give_back_tasks(ctx: HandlerContext, leave_id: str) -> dict[str, Any]:
    """The leave ended early: the tasks it sent to the cover or back to their groups that nobody took since
    come back (R-3.1)."""
    connection = _connection(ctx)
    row = register.leave_facts(connection, leave_id)
    restored = restore_after_absence(connection, row.requester, ctx.now, {"leave_id": leave_id})
    return {"requester": row.requester, "given_back": [{"task": t.id, "instance": t.instance_id}
                                                       for t in restored]}


def make_tell_leave_requester(mailer: Mailer, mail_domain: str) -> Handler:
    """The `tell_leave_requester` handler: the decision, mailed to the requester in their language."""

    def tell_leave_requester(ctx: HandlerContext, leave_id: str) -> dict[str, Any]:
        connection = _connection(ctx)
        row = register.leave_facts(connection, leave_id)
        reader = reader_of(connection, row.requester, mail_domain)
        language = reader.language if reader.language in TELLING else "en"
        approved = row.status == "approved"
        kind = TYPES[row.leave_type][("en", "zh-Hans", "zh-Hant").index(language)]
        text = TELLING[language][0 if approved else 1].format(type=kind, first=row.first_day.isoformat(),
                                                               last=row.last_day.isoformat(), note=row.decision_note)
        subject = SUBJECTS[language].format(decision=DECISIONS[language][0 if approved else 1])
        mailer(connection, Notice("email", reader.email, subject, text, f"{ctx.instance_id}/{ctx.task_spec}",
                                  ctx.instance_id), ctx.now)
        return {"recipient": reader.email, "decision": row.status, "sent_at": ctx.now.isoformat()}

    return tell_leave_requester


def reader_of(connection: Connection, username: str, mail_domain: str) -> Reader:
    """The requester's address and language from their notification setting (else user@domain, English)."""
    row = connection.execute(select(SETTINGS.c.email, SETTINGS.c.language)
                             .where(SETTINGS.c.username == username)).first()
    email = row.email if row is not None and row.email else f"{username}@{mail_domain}"
    language = row.language if row is not None and row.language in TELLING else "en"
    return Reader(username, email, language)

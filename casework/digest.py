"""Staff notifications (R-2.2.1): an e-mail digest per user of new, soon-due and overdue tasks, and inbox counts.

A task is named in a user's digest at most once per reason (`staff_digest_sent`), so a digest run every
hour tells each thing once. Mail goes through the configured notice transport (the outbox in the demo).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, cast

from sqlalchemy import Connection, ColumnElement, Table, and_, delete, false, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from casework.digest_models import StaffDigestSent, StaffNotificationSetting
from casework.outbox import Notice
from engine.access import RESERVED_GROUPS
from engine.definitions.translations import BundleMessages
from engine.errors import InvalidInput, N_
from engine.models import Group, HumanTask, Membership, User
from engine.persistence import Database

SENT, SETTINGS = (cast(Table, m.__table__) for m in (StaffDigestSent, StaffNotificationSetting))
TASKS, USERS, GROUPS, MEMBERS = (cast(Table, m.__table__) for m in (HumanTask, User, Group, Membership))
REASONS = ("new", "due_soon", "overdue")
DUE_SOON = timedelta(hours=24)
LANGUAGES = ("en", "zh-Hans", "zh-Hant")
# Sends one prepared notice (the outbox row, or SMTP) inside the caller's transaction; raises when it cannot.
Mailer = Callable[[Connection, Notice, datetime], None]

TEXT = {
    "en": {"subject": "casedesk: {count} task(s) for you", "new": "New tasks for your groups",
           "due_soon": "Due within a day", "overdue": "Overdue", "due": "due {due}",
           "footer": "Switch this digest off on your account page: {url}"},
    "zh-Hans": {"subject": "casedesk：您有 {count} 项任务", "new": "您所在组的新任务", "due_soon": "一天内到期",
                "overdue": "已逾期", "due": "到期 {due}", "footer": "可在账户页面关闭此摘要：{url}"},
    "zh-Hant": {"subject": "casedesk：您有 {count} 項任務", "new": "您所在組的新任務", "due_soon": "一天內到期",
                "overdue": "已逾期", "due": "到期 {due}", "footer": "可在帳戶頁面關閉此摘要：{url}"},
}


@dataclass(frozen=True)
class TaskCounts:
    ready: int
    overdue: int


@dataclass(frozen=True)
class NotificationSetting:
    digest: bool
    email: str
    language: str


@dataclass(frozen=True)
class DigestLine:
    task_id: str
    reason: str
    title: str
    due_at: datetime | None


def workable_by(username: str, staff_groups: set[str] | frozenset[str]) -> ColumnElement[bool]:
    """The inbox's rule: claimed by the user, or unclaimed in one of their groups (any staff: no group)."""
    # "Unclaimed" as coalesce(...) = '' so that SQLite looks the branch up by group, not by the (huge)
    # set of unclaimed rows in the assignee index; PostgreSQL's plan is the same either way.
    # Three flat branches, each answered by an index of its own (assignee; group; group IS NULL).
    unclaimed = func.coalesce(TASKS.c.assignee, "") == ""
    branches = [TASKS.c.assignee == username]
    if staff_groups:
        branches += [and_(TASKS.c.candidate_group.in_(sorted(staff_groups)), unclaimed),
                     and_(TASKS.c.candidate_group.is_(None), unclaimed)]
    return or_(*branches)


def task_counts(conn: Connection, username: str, staff_groups: frozenset[str], now: datetime) -> TaskCounts:
    """Ready tasks the user may work, and how many of them are overdue: one statement on human_task's indexes."""
    ready, overdue = conn.execute(
        select(func.count(), func.count().filter(TASKS.c.due_at <= now))
        .where(workable_by(username, staff_groups))).one()
    return TaskCounts(int(ready), int(overdue))


class StaffDigest:
    def __init__(self, db: Database, mailer: Mailer, public_url: str, mail_domain: str):
        self.db = db
        self.mailer = mailer
        self.public_url = public_url.rstrip("/")
        self.mail_domain = mail_domain
        self.bundle_texts = BundleMessages(db)  # task names in the reader's language, from the bundles

    def counts(self, username: str, staff_groups: frozenset[str], now: datetime) -> TaskCounts:
        """For the navigation: the user's ready tasks and the overdue ones among them."""
        with self.db.unit_of_work(write=False) as session:  # every page asks: never wait for the writer
            return task_counts(session.connection(), username, staff_groups, now)

    # -- settings (the account page) -------------------------------------------------------------

    def setting(self, username: str) -> NotificationSetting:
        with self.db.unit_of_work(write=False) as session:
            row = session.execute(select(SETTINGS).where(SETTINGS.c.username == username)).first()
        return self._setting(username, row)

    def save_setting(self, username: str, digest: bool, email: str, language: str) -> NotificationSetting:
        """Store the user's choice; an empty address means the default one (name@domain)."""
        email = email.strip()
        if email and not _looks_like_email(email):
            raise InvalidInput(N_("not an e-mail address: '%(email)s'"), {"email": ["email"]}, email=email)
        if language not in LANGUAGES:
            raise InvalidInput(N_("unknown language '%(language)s'"), {"language": ["unknown"]}, language=language)
        with self.db.transaction() as conn:
            values = {"digest": digest, "email": email or None, "language": language}
            done = conn.execute(SETTINGS.update().where(SETTINGS.c.username == username).values(**values))
            if done.rowcount == 0:
                conn.execute(insert(SETTINGS).values(username=username, **values))
        return self.setting(username)

    def _setting(self, username: str, row: Any) -> NotificationSetting:
        if row is None:
            return NotificationSetting(True, self.default_address(username), "en")
        return NotificationSetting(bool(row.digest), row.email or self.default_address(username), row.language)

    def default_address(self, username: str) -> str:
        return f"{username}@{self.mail_domain}"

    # -- the digest (the job worker runs it) -----------------------------------------------------

    def send_due(self, now: datetime) -> dict[str, int]:
        """Mail each active staff member what is new, soon due or overdue for them and not yet told;
        one transaction per user, so one address the mailer refuses does not hold back the others."""
        with self.db.transaction() as conn:
            # Rows of tasks that are no longer ready have done their work.
            conn.execute(delete(SENT).where(SENT.c.task_id.not_in(select(TASKS.c.id))))
            staff = self._staff(conn)
        sent: dict[str, int] = {}
        failures = []
        for username, groups in staff.items():
            try:
                with self.db.transaction() as conn:
                    count = self._send_one(conn, username, groups, now)
            except IntegrityError:
                continue  # another worker told this user the same thing at the same moment
            except Exception as exc:  # noqa: BLE001 - the next user is still told; the job reports the failure
                failures.append(f"{username}: {exc}")
                continue
            if count:
                sent[username] = count
        if failures:
            raise RuntimeError(f"digest not sent to {len(failures)} user(s): {'; '.join(failures)[:800]}")
        return sent

    def _staff(self, conn: Connection) -> dict[str, frozenset[str]]:
        """Active users with at least one staff group, and those groups, unless they switched the digest off."""
        opted_out = select(SETTINGS.c.username).where(SETTINGS.c.digest == false())
        rows = conn.execute(
            select(USERS.c.username, GROUPS.c.name).join(MEMBERS, MEMBERS.c.user_id == USERS.c.id)
            .join(GROUPS, GROUPS.c.id == MEMBERS.c.group_id)
            .where(USERS.c.active.is_(True), USERS.c.username.not_in(opted_out)))
        staff: dict[str, set[str]] = {}
        for username, group in rows:
            staff.setdefault(username, set()).add(group)
        return {name: frozenset(groups - RESERVED_GROUPS) for name, groups in sorted(staff.items())
                if groups - RESERVED_GROUPS}

    def _send_one(self, conn: Connection, username: str, groups: frozenset[str], now: datetime) -> int:
        lines = self.pending_lines(conn, username, groups, now)
        if not lines:
            return 0
        conn.execute(insert(SENT), [{"username": username, "task_id": line.task_id, "reason": line.reason,
                                     "sent_at": now} for line in lines])
        setting = self._setting(username, conn.execute(select(SETTINGS).where(SETTINGS.c.username == username)).first())
        subject, body = self.compose(lines, setting.language)
        self.mailer(conn, Notice("email", setting.email, subject, body, f"digest/{username}", None), now)
        return len(lines)

    def pending_lines(self, conn: Connection, username: str, groups: frozenset[str], now: datetime) -> list[DigestLine]:
        """What the user has not been told yet: each ready task they may work is new once, due soon once
        (due within a day) and overdue once."""
        told = {(r.task_id, r.reason) for r in conn.execute(
            select(SENT.c.task_id, SENT.c.reason).where(SENT.c.username == username))}
        rows = conn.execute(select(TASKS.c.id, TASKS.c.title, TASKS.c.due_at)
                            .where(workable_by(username, groups)).order_by(TASKS.c.created_at, TASKS.c.id))
        lines = []
        for row in rows:
            reason = ("overdue" if row.due_at is not None and row.due_at <= now
                      else "due_soon" if row.due_at is not None and row.due_at <= now + DUE_SOON else None)
            for why in ("new", reason):
                if why is not None and (row.id, why) not in told:
                    lines.append(DigestLine(row.id, why, row.title, row.due_at))
        return lines

    def compose(self, lines: list[DigestLine], language: str) -> tuple[str, str]:
        """The subject and plain-text body: one section per reason, each task with its link."""
        text = TEXT.get(language, TEXT["en"])
        parts: list[str] = []
        shown: set[str] = set()
        for reason in ("overdue", "due_soon", "new"):  # a task is listed once, under its most urgent reason
            section = [line for line in lines if line.reason == reason and line.task_id not in shown]
            shown.update(line.task_id for line in section)
            if not section:
                continue
            parts.append(text[reason])
            for line in section:
                due = f" ({text['due'].format(due=line.due_at.strftime('%Y-%m-%d %H:%M UTC'))})" if line.due_at else ""
                title = self.bundle_texts.translate(line.title, language)
                parts.append(f"- {title}{due}\n  {self.public_url}/tasks/{line.task_id}")
            parts.append("")
        parts.append(text["footer"].format(url=f"{self.public_url}/account"))
        tasks = len({line.task_id for line in lines})
        return text["subject"].format(count=tasks), "\n".join(parts)


def _looks_like_email(text: str) -> bool:
    name, at, domain = text.partition("@")
    return bool(name and at and "." in domain and not any(c.isspace() for c in text) and len(text) <= 200)

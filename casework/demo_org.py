"""The demo organisation (`casedesk demo-org`, `make run`): one or more users per group of the regulation.

Only for the embedded demo set-up; a production deployment creates its own users.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.clock import Clock
from engine.errors import InvalidInput
from engine.models import Group, User
from engine.persistence import Database
from engine.users import hash_password

STAFF = "staff"


@dataclass(frozen=True)
class DemoUser:
    name: str
    display_name: str
    groups: tuple[str, ...]


# Group names are the BPMN lane / candidateGroups names; every staff member is also in `staff`.
DEMO_USERS = (
    DemoUser("ivy", "Ivy 受理員 (intake clerk)", ("intake",)),
    DemoUser("sam", "Sam 銷售部 (sales)", ("sales",)),
    DemoUser("sue", "Sue 銷售部主管 (sales head)", ("sales_head",)),
    DemoUser("pat", "Pat 採購部 (procurement)", ("procurement",)),
    DemoUser("peg", "Peg 採購部主管 (procurement head)", ("procurement_head",)),
    DemoUser("fay", "Fay 財務部 (finance)", ("finance",)),
    DemoUser("fred", "Fred 財務部主管 (finance head)", ("finance_head",)),
    DemoUser("gus", "Gus 綜合部 (general)", ("general",)),
    DemoUser("gil", "Gil 綜合部主管 (general head)", ("general_head",)),
    DemoUser("tom", "Tom 進度跟蹤員 (progress tracker)", ("tracker",)),
    DemoUser("ann", "Ann 檔案管理員 (archivist)", ("archivist",)),
    DemoUser("rex", "Rex 風險管理員 (risk owner)", ("risk_owner",)),
    DemoUser("leo", "Leo 公司領導 (leader)", ("leader",)),
    DemoUser("alice", "Alice (document review clerk)", ("clerk",)),
    DemoUser("rita", "Rita (document reviewer)", ("reviewer",)),
    DemoUser("audrey", "Audrey 審計員 (auditor)", ("auditor",)),
    DemoUser("owen", "Owen 流程負責人 (process owner)", ("process_owner",)),
    DemoUser("quinn", "Quinn 質量負責人 (quality owner)", ("quality", "process_owner")),
    DemoUser("root", "Root 系統管理員 (administrator)", ("admin",)),
)
ROLE_GROUPS = frozenset({"admin", "process_owner", "auditor"})


def member_groups(user: DemoUser) -> list[str]:
    """The user's groups, with `staff` added for everyone who is not only a reserved role."""
    groups = set(user.groups)
    if not groups <= ROLE_GROUPS:
        groups.add(STAFF)
    return sorted(groups)


def seed_demo_org(db: Database, clock: Clock, password: str) -> list[tuple[DemoUser, list[str]]]:
    """Create (or reset to the demo password and groups) every demo user, in one transaction;
    idempotent. The password is hashed once: the demo users share it, and it is printed anyway."""
    if len(password) < 8:
        raise InvalidInput("the demo password needs at least 8 characters")
    password_hash = hash_password(password)
    seeded = []
    with db.unit_of_work() as session:
        groups_by_name = {g.name: g for g in session.scalars(select(Group))}
        for demo in DEMO_USERS:
            names = member_groups(demo)
            for name in names:
                if name not in groups_by_name:
                    groups_by_name[name] = Group(name=name)
                    session.add(groups_by_name[name])
            user = session.scalar(select(User).where(User.username == demo.name))
            if user is None:
                user = User(username=demo.name, created_at=clock.now(), display_name=demo.display_name)
                session.add(user)
            user.display_name = demo.display_name
            user.active = True
            user.password_hash = password_hash
            user.groups = [groups_by_name[name] for name in names]
            seeded.append((demo, names))
    return seeded

"""The demo organisation (`casedesk demo-org`, `make run`): one or more users per group of the regulation.

Only for the embedded demo set-up; a production deployment creates its own users.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.clock import Clock
from engine.errors import InvalidInput, N_
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
    DemoUser("ivy", "Ivy (intake clerk)", ("intake",)),
    DemoUser("sam", "Sam (sales)", ("sales",)),
    DemoUser("sue", "Sue (sales head)", ("sales_head",)),
    DemoUser("pat", "Pat (procurement)", ("procurement",)),
    DemoUser("peg", "Peg (procurement head)", ("procurement_head",)),
    DemoUser("fay", "Fay (finance)", ("finance",)),
    DemoUser("fred", "Fred (finance head)", ("finance_head",)),
    DemoUser("gus", "Gus (general)", ("general",)),
    DemoUser("gil", "Gil (general head)", ("general_head", "training")),
    DemoUser("tom", "Tom (progress tracker)", ("tracker",)),
    DemoUser("ann", "Ann (archivist)", ("archivist",)),
    DemoUser("rex", "Rex (risk owner)", ("risk_owner",)),
    DemoUser("leo", "Leo (leader)", ("leader", "training")),
    DemoUser("gwen", "Gwen (general manager)", ("general_manager",)),
    DemoUser("alice", "Alice (document review clerk)", ("clerk",)),
    DemoUser("rita", "Rita (document reviewer)", ("reviewer",)),
    DemoUser("audrey", "Audrey (auditor)", ("auditor",)),
    DemoUser("owen", "Owen (process owner)", ("process_owner",)),
    DemoUser("quinn", "Quinn (quality owner)", ("quality", "process_owner")),
    DemoUser("root", "Root (administrator)", ("admin",)),
)
ROLE_GROUPS = frozenset({"admin", "process_owner", "auditor"})
# What staff read instead of each group's code: (en, zh-Hans, zh-Hant); an administrator may rename them.
GROUP_TITLES: dict[str, tuple[str, str, str]] = {
    "intake": ("Intake clerks", "受理员", "受理員"),
    "sales": ("Sales", "销售部", "銷售部"),
    "sales_head": ("Head of sales", "销售部主管", "銷售部主管"),
    "procurement": ("Procurement", "采购部", "採購部"),
    "procurement_head": ("Head of procurement", "采购部主管", "採購部主管"),
    "finance": ("Finance", "财务部", "財務部"),
    "finance_head": ("Head of finance", "财务部主管", "財務部主管"),
    "general": ("General affairs", "综合部", "綜合部"),
    "general_head": ("Head of general affairs", "综合部主管", "綜合部主管"),
    "tracker": ("Progress trackers", "进度跟踪员", "進度跟蹤員"),
    "archivist": ("Archivists", "档案管理员", "檔案管理員"),
    "risk_owner": ("Risk owners", "风险管理员", "風險管理員"),
    "leader": ("Company leaders", "公司领导", "公司領導"),
    "general_manager": ("General manager", "总经理", "總經理"),
    "quality": ("Quality", "质量管理", "質量管理"),
    "training": ("Training owners", "培训负责人", "培訓負責人"),
    "clerk": ("Document clerks", "文件起草人", "文件起草人"),
    "reviewer": ("Document reviewers", "文件审核人", "文件審核人"),
    "auditor": ("Auditors", "审计员", "審計員"),
    "process_owner": ("Process owners", "流程负责人", "流程負責人"),
    "admin": ("Administrators", "系统管理员", "系統管理員"),
    "staff": ("All staff", "全体员工", "全體員工"),
}


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
        raise InvalidInput(N_("the demo password needs at least 8 characters"))
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
                group = groups_by_name[name]
                if name in GROUP_TITLES and not group.title_en:  # an administrator's renaming stays
                    group.title_en, group.title_zh_hans, group.title_zh_hant = GROUP_TITLES[name]
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

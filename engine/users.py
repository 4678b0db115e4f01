"""Users, groups and password hashing (scrypt from the standard library)."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import InvalidInput, NotFound
from engine.models import Group, Membership, User
from engine.persistence import Database

RESERVED_GROUPS = ("admin", "process_owner", "auditor")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


_GROUPS_OF = (
    select(User.id, Group.name)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Group, Group.id == Membership.group_id)
    .where(User.username == bindparam("b_name"), User.active.is_(True))
)


def groups_of(session: Session | Connection, username: str) -> set[str]:
    """The groups of an active user (one query); NotFound for an unknown or inactive one."""
    rows = session.execute(_GROUPS_OF, {"b_name": username}).all()
    if not rows:
        raise NotFound(f"no active user {username!r}")
    return {name for _, name in rows if name is not None}


class UserService:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def add_user(self, username: str, password: str, groups: list[str], display_name: str = "") -> None:
        """Create a user, or reset the password and groups of an existing one."""
        if not username or len(password) < 8:
            raise InvalidInput("a user needs a name and a password of at least 8 characters")
        with self.db.unit_of_work() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, created_at=self.clock.now(), display_name=display_name or username)
                session.add(user)
            user.password_hash = hash_password(password)
            user.groups = [self._group(session, name) for name in sorted(set(groups))]

    def authenticate(self, username: str, password: str) -> bool:
        with self.db.unit_of_work(write=False) as session:
            user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
            return user is not None and check_password(user.password_hash, password)

    def groups(self, username: str) -> set[str]:
        with self.db.unit_of_work(write=False) as session:
            return groups_of(session, username)

    @staticmethod
    def _group(session: Session, name: str) -> Group:
        group = session.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name)
            session.add(group)
            session.flush()
        return group

"""Users, groups and password hashing (scrypt from the standard library)."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import InvalidInput, N_, NotFound
from engine.account_models import UserSession
from engine.models import ApiToken, Group, Membership, User
from engine.persistence import Database
from engine.runtime.prepared import Prepared
from engine.throttle import Throttled, clear, locked_for, record_failure, throttle_keys

RESERVED_GROUPS = ("admin", "process_owner", "auditor")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


@functools.lru_cache(maxsize=4)
def _decoy_hash(n: int, r: int, p: int) -> str:
    salt = b"casedesk-decoy!!"
    digest = hashlib.scrypt(b"no such user", salt=salt, dklen=32, n=n, r=r, p=p)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_sign_in(session: Session, username: str, password: str, address: str | None,
                   now: datetime) -> User | None:
    """The active user when the password matches, else None with the failure counted; Throttled when
    the name or address is locked. An unknown name costs the same scrypt as a known one, so timing
    does not tell which names exist. The caller commits, failures included."""
    keys = throttle_keys(username, address)
    wait = locked_for(session, keys, now)
    if wait is not None:
        raise Throttled(wait)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    stored = user.password_hash if user is not None else _decoy_hash(_SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"])
    if check_password(stored, password) and user is not None:
        clear(session, username)
        return user
    record_failure(session, keys, now)
    return None


def end_sign_ins(session: Session, user_id: int) -> None:
    """Every browser session and API token of the user ends (sign-out, new password, deactivation)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def _check_new_user(username: str, password: str) -> None:
    if not username or len(password) < 8:
        raise InvalidInput(N_("a user needs a name and a password of at least 8 characters"))
    if len(username) > 80 or any(c.isspace() or ord(c) < 32 for c in username):
        raise InvalidInput(N_("a user name has at most 80 characters and no spaces or control characters"))


_GROUPS_OF = (
    select(User.id, Group.name)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Group, Group.id == Membership.group_id)
    .where(User.username == bindparam("b_name"), User.active.is_(True))
)
_GROUPS_OF_ON_THE_DRIVER = Prepared(_GROUPS_OF)  # a step's own connection (a start checks its starter)


def groups_of(session: Session | Connection, username: str) -> set[str]:
    """The groups of an active user (one query); NotFound for an unknown or inactive one."""
    if isinstance(session, Connection):
        rows = [(row["id"], row["name"]) for row in _GROUPS_OF_ON_THE_DRIVER.all(session, {"b_name": username})]
    else:
        rows = session.execute(_GROUPS_OF, {"b_name": username}).all()
    if not rows:
        raise NotFound(N_("no active user '%(user)s'"), user=username)
    return {name for _, name in rows if name is not None}


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    active: bool
    groups: tuple[str, ...]


class UserService:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def add_user(self, username: str, password: str, groups: list[str], display_name: str = "") -> None:
        """Create a user, or reset the password and groups of an existing one (ending their sign-ins)."""
        _check_new_user(username, password)
        with self.db.unit_of_work() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, created_at=self.clock.now(), display_name=display_name or username)
                session.add(user)
            else:
                end_sign_ins(session, user.id)
            user.password_hash = hash_password(password)
            user.groups = [self._group(session, name) for name in sorted(set(groups))]

    def set_password(self, username: str, password: str) -> None:
        """A new password; every session and API token of the user ends."""
        _check_new_user(username, password)
        with self.db.unit_of_work() as session:
            user = self._existing(session, username)
            user.password_hash = hash_password(password)
            end_sign_ins(session, user.id)

    def set_active(self, username: str, active: bool) -> None:
        """Deactivate (signed out everywhere, tokens revoked, no sign-in) or reactivate a user."""
        with self.db.unit_of_work() as session:
            user = self._existing(session, username)
            user.active = active
            if not active:
                end_sign_ins(session, user.id)

    def authenticate(self, username: str, password: str, address: str | None = None) -> bool:
        """Whether the password is right; throttled per name and address (raises Throttled when locked)."""
        with self.db.unit_of_work() as session:
            return verify_sign_in(session, username, password, address, self.clock.now()) is not None

    def sign_in(self, username: str, password: str, address: str | None = None) -> str | None:
        """A new browser session id when the password is right (None otherwise); throttled like authenticate."""
        session_id = secrets.token_urlsafe(32)
        with self.db.unit_of_work() as session:
            user = verify_sign_in(session, username, password, address, self.clock.now())
            if user is None:
                return None
            session.add(UserSession(id_hash=session_digest(session_id), user_id=user.id, created_at=self.clock.now()))
        return session_id

    def session_user(self, session_id: str) -> tuple[str, set[str]] | None:
        """The active user a browser session belongs to and their groups; None once it has ended."""
        with self.db.unit_of_work(write=False) as session:
            username = session.scalar(
                select(User.username).join(UserSession, UserSession.user_id == User.id)
                .where(UserSession.id_hash == session_digest(session_id), User.active.is_(True)))
            if username is None:
                return None
            return username, groups_of(session, username)

    def sign_out(self, session_id: str) -> None:
        """Ends this browser session (a copy of its cookie never works again) and revokes the user's API
        tokens; their sessions in other browsers go on."""
        with self.db.unit_of_work() as session:
            user_id = session.scalar(select(UserSession.user_id)
                                     .where(UserSession.id_hash == session_digest(session_id)))
            session.execute(delete(UserSession).where(UserSession.id_hash == session_digest(session_id)))
            if user_id is not None:
                session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))

    @staticmethod
    def _existing(session: Session, username: str) -> User:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(N_("no user '%(user)s'"), user=username)
        return user

    def groups(self, username: str) -> set[str]:
        with self.db.unit_of_work(write=False) as session:
            return groups_of(session, username)

    def exists(self, username: str) -> bool:
        with self.db.unit_of_work(write=False) as session:
            return session.scalar(select(User.id).where(User.username == username)) is not None

    def list_users(self) -> list[UserRow]:
        """Every user, active or not, with their groups (the administrators' page)."""
        with self.db.unit_of_work(write=False) as session:
            users = session.scalars(select(User).order_by(User.username)).all()
            return [UserRow(u.username, u.display_name, u.active, tuple(sorted(g.name for g in u.groups)))
                    for u in users]

    def list_groups(self) -> list[str]:
        with self.db.unit_of_work(write=False) as session:
            return list(session.scalars(select(Group.name).order_by(Group.name)))

    def set_groups(self, username: str, groups: list[str]) -> None:
        """Group membership replaced; the user's sessions go on with the new groups at their next request."""
        if any(not name or len(name) > 80 or not name.replace("_", "").replace("-", "").isalnum() for name in groups):
            raise InvalidInput(N_("group names are letters, digits, '_' and '-' (at most 80)"),
                               {"groups": ["letters, digits, '_' and '-' only"]})
        with self.db.unit_of_work() as session:
            user = self._existing(session, username)
            user.groups = [self._group(session, name) for name in sorted(set(groups))]

    @staticmethod
    def _group(session: Session, name: str) -> Group:
        group = session.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name)
            session.add(group)
            session.flush()
        return group

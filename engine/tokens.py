"""API bearer tokens: issued after a password check, stored only as a SHA-256 hash, expiring."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import CasedeskError, N_, NotFound
from engine.models import ApiToken, Group, Membership, User
from engine.persistence import Database
from engine.runtime.prepared import Prepared
from engine.users import verify_sign_in

if TYPE_CHECKING:
    from engine.runtime.readmodel import Reading

DEFAULT_LIFETIME = timedelta(hours=12)


class AuthenticationFailed(CasedeskError):
    """Wrong name or password, or a token that is unknown, expired or of an inactive user."""


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    username: str
    expires_at_iso: str


def token_digest(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough: no dictionary to attack.
    return hashlib.sha256(token.encode()).hexdigest()


# Built once and run on the driver's cursor (`Prepared`): the bearer check runs before every API call.
# One row per group of the token's user.
_CALLER = Prepared(select(User.username.label("username"), ApiToken.expires_at.label("expires_at"),
                          Group.name.label("group_name"))
                   .select_from(ApiToken)
                   .join(User, User.id == ApiToken.user_id)
                   .outerjoin(Membership, Membership.user_id == User.id)
                   .outerjoin(Group, Group.id == Membership.group_id)
                   .where(ApiToken.token_hash == bindparam("b_hash"), User.active.is_(True)))


class TokenService:
    def __init__(self, db: Database, clock: Clock, lifetime: timedelta = DEFAULT_LIFETIME,
                 reading: Reading | None = None):
        self.db = db
        self.clock = clock
        self.lifetime = lifetime
        self._reading: Reading = reading or db.reading  # where the bearer check reads (ReadModel's note)

    def issue(self, username: str, password: str, address: str | None = None) -> IssuedToken:
        """A new token for an active user whose password matches; the clear token is never stored.
        Throttled per user name and address like the sign-in page (raises Throttled when locked)."""
        now, token = self.clock.now(), secrets.token_urlsafe(32)
        with self.db.unit_of_work() as session:
            user = verify_sign_in(session, username, password, address, now)
            if user is not None:
                self._store(session, user.id, now, token)
        if user is None:  # refused after the commit, so that the failure stays counted
            raise AuthenticationFailed("unknown user or wrong password")
        return IssuedToken(token=token, username=username, expires_at_iso=(now + self.lifetime).isoformat())

    def _store(self, session: Session, user_id: int, now: datetime, token: str) -> None:
        # Expired tokens of this user are useless; drop them so the table does not grow forever.
        session.execute(delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at < now))
        session.add(ApiToken(user_id=user_id, token_hash=token_digest(token), created_at=now,
                             expires_at=now + self.lifetime))

    def tokens_of(self, username: str) -> list[TokenInfo]:
        """The user's unexpired tokens (never the tokens themselves: only their hash is stored)."""
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(
                select(ApiToken.id, ApiToken.created_at, ApiToken.expires_at).join(User, User.id == ApiToken.user_id)
                .where(User.username == username).order_by(ApiToken.id)).all()
        now = self.clock.now()
        return [TokenInfo(id, username, created, expires) for id, created, expires in rows
                if expires is None or expires > now]

    def revoke_by_id(self, token_id: int, actor: str, may_revoke_any: bool) -> None:
        """Revoke one token: its owner may, and an administrator may revoke anyone's."""
        with self.db.unit_of_work() as session:
            owner = session.scalar(select(User.username).join(ApiToken, ApiToken.user_id == User.id)
                                   .where(ApiToken.id == token_id))
            if owner is None or (owner != actor and not may_revoke_any):
                raise NotFound(N_("no token %(token)s of yours"), token=token_id)
            session.execute(delete(ApiToken).where(ApiToken.id == token_id))


    def caller(self, token: str) -> tuple[str, frozenset[str]]:
        """The name and groups of the active user holding an unexpired `token`, in one statement: every
        API call asks, so a revoked token, a deactivated user or a changed membership applies at once."""
        with self._reading() as conn:
            rows = _CALLER.all(conn, {"b_hash": token_digest(token)})
        if not rows:
            raise AuthenticationFailed("unknown token")
        expires_at = rows[0]["expires_at"]
        if expires_at is not None and expires_at <= self.clock.now():
            raise AuthenticationFailed("the token has expired; ask for a new one")
        return str(rows[0]["username"]), frozenset(row["group_name"] for row in rows if row["group_name"] is not None)

    def resolve(self, token: str) -> str:
        """The name of the active user holding an unexpired `token`."""
        return self.caller(token)[0]

    def revoke(self, token: str) -> None:
        with self.db.unit_of_work() as session:
            session.execute(delete(ApiToken).where(ApiToken.token_hash == token_digest(token)))

"""API bearer tokens: issued after a password check, stored only as a SHA-256 hash, expiring."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from engine.clock import Clock
from engine.errors import CasedeskError
from engine.models import ApiToken, User
from engine.persistence import Database
from engine.users import check_password

DEFAULT_LIFETIME = timedelta(hours=12)


class AuthenticationFailed(CasedeskError):
    """Wrong name or password, or a token that is unknown, expired or of an inactive user."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    username: str
    expires_at_iso: str


def token_digest(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough: no dictionary to attack.
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(self, db: Database, clock: Clock, lifetime: timedelta = DEFAULT_LIFETIME):
        self.db = db
        self.clock = clock
        self.lifetime = lifetime

    def issue(self, username: str, password: str) -> IssuedToken:
        """A new token for an active user whose password matches; the clear token is never stored."""
        with self.db.unit_of_work() as session:
            user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
            if user is None or not check_password(user.password_hash, password):
                raise AuthenticationFailed("unknown user or wrong password")
            now = self.clock.now()
            # Expired tokens of this user are useless; drop them so the table does not grow forever.
            session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < now))
            token = secrets.token_urlsafe(32)
            expires = now + self.lifetime
            session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=now, expires_at=expires))
        return IssuedToken(token=token, username=username, expires_at_iso=expires.isoformat())

    def resolve(self, token: str) -> str:
        """The name of the active user holding an unexpired `token`."""
        with self.db.unit_of_work(write=False) as session:
            row = session.execute(
                select(User.username, ApiToken.expires_at)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == token_digest(token), User.active.is_(True))
            ).first()
        if row is None:
            raise AuthenticationFailed("unknown token")
        username, expires_at = row
        if expires_at is not None and expires_at <= self.clock.now():
            raise AuthenticationFailed("the token has expired; ask for a new one")
        return str(username)

    def revoke(self, token: str) -> None:
        with self.db.unit_of_work() as session:
            session.execute(delete(ApiToken).where(ApiToken.token_hash == token_digest(token)))

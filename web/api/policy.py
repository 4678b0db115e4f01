"""Role checks the API makes before calling the engine (until engine/access.py lands on main)."""
from __future__ import annotations

from typing import Collection

from engine.errors import Forbidden

READ_ONLY_ROLES = frozenset({"auditor"})


def require_deployer(groups: Collection[str]) -> None:
    """Only process owners deploy definitions."""
    if "process_owner" not in groups:
        raise Forbidden("only process owners deploy definitions")


def require_may_change(groups: Collection[str]) -> None:
    """Auditors read everything and change nothing; a user with no other group is read-only."""
    if not set(groups) - READ_ONLY_ROLES:
        raise Forbidden("auditors read and change nothing")

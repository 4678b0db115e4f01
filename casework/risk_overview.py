"""What the risk register page shows (R-5): the register, the indicators against their thresholds, open warnings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casework import risk_indicators, risk_register
from engine.errors import InvalidInput, N_, NotFound
from engine.persistence import Database

# Who reads the register: the risk owner who keeps it, the leaders who approve its plans, administrators.
RISK_REGISTER_READERS = frozenset({"risk_owner", "leader", "admin"})


# Who sets the indicators' thresholds: the risk owner and administrators (leaders read them).
THRESHOLD_SETTERS = frozenset({"risk_owner", "admin"})


def may_read_risk_register(groups: frozenset[str]) -> bool:
    return bool(groups & RISK_REGISTER_READERS)


def may_set_thresholds(groups: frozenset[str]) -> bool:
    return bool(groups & THRESHOLD_SETTERS)


def change_threshold(db: Database, now: datetime, code: str, text: str, user: str) -> float:
    """R-5.3: the risk owner sets an indicator's warning threshold; refused input stores nothing."""
    try:
        threshold = float(text.strip())
    except ValueError:
        raise InvalidInput(N_("the threshold is not a number"), {"threshold": ["Enter a number above 0."]}) from None
    with db.unit_of_work() as session:
        try:
            risk_indicators.set_threshold(session.connection(), now, code, threshold, user)
        except ValueError:  # the one refusal of set_threshold's value
            raise InvalidInput(N_("a threshold is a number above 0"),
                               {"threshold": ["Enter a number above 0."]}) from None
        except LookupError:  # the one unknown name set_threshold refuses
            raise NotFound(N_("no risk indicator '%(code)s'"), code=code) from None
    return threshold


@dataclass(frozen=True)
class RiskOverview:
    risks: list[risk_register.RiskEntry]
    indicators: list[Any]
    open_warnings: list[Any]


def read_overview(db: Database) -> RiskOverview:
    """One read-only transaction over the register tables (a few hundred rows at most: no paging). The
    default indicators are entered on the first visit, so that their thresholds can be set before any check."""
    with db.unit_of_work(write=False) as session:
        missing = not risk_indicators.indicators(session.connection())
    if missing:
        with db.unit_of_work() as session:
            risk_indicators.ensure_indicators(session.connection())
    with db.unit_of_work(write=False) as session:
        connection = session.connection()
        return RiskOverview(risk_register.register(connection), risk_indicators.indicators(connection),
                            risk_indicators.open_warnings(connection))

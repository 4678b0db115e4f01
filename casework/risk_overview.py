"""What the risk register page shows (R-5): the register, the indicators against their thresholds, open warnings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casework import risk_indicators, risk_register
from engine.persistence import Database

# Who reads the register: the risk owner who keeps it, the leaders who approve its plans, administrators.
RISK_REGISTER_READERS = frozenset({"risk_owner", "leader", "admin"})


def may_read_risk_register(groups: frozenset[str]) -> bool:
    return bool(groups & RISK_REGISTER_READERS)


@dataclass(frozen=True)
class RiskOverview:
    risks: list[risk_register.RiskEntry]
    indicators: list[Any]
    open_warnings: list[Any]


def read_overview(db: Database) -> RiskOverview:
    """One read-only transaction over the register tables (a few hundred rows at most: no paging)."""
    with db.unit_of_work(write=False) as session:
        connection = session.connection()
        return RiskOverview(risk_register.register(connection), risk_indicators.indicators(connection),
                            risk_indicators.open_warnings(connection))

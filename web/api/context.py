"""Per-request access to the composition root's services and the authenticated API caller."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from engine.access import Actor
from engine.bootstrap import Casedesk
from engine.definitions.catalog import DefinitionCatalog
from engine.runtime.readmodel import ReadModel
from engine.tokens import TokenService


@dataclass(frozen=True)
class ApiServices:
    """Read models and token store the API needs beside `Casedesk` (built once per app)."""

    tokens: TokenService
    reads: ReadModel
    catalog: DefinitionCatalog

    @classmethod
    def build(cls, app: Casedesk) -> "ApiServices":
        return cls(TokenService(app.db, app.clock), ReadModel(app.db, app.runtime.absences),
                   DefinitionCatalog(app.db))


def casedesk() -> Casedesk:
    return current_app.extensions["casedesk"]  # type: ignore[no-any-return]


def services() -> ApiServices:
    return current_app.extensions["casedesk_api"]  # type: ignore[no-any-return]


def caller() -> Actor:
    """The API caller as the access policy sees them (set by the bearer-token check)."""
    return g.api_caller  # type: ignore[no-any-return]

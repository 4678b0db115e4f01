"""Per-request access to the composition root's services, the request's read connection and the API caller."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Iterator

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import Connection

from engine.access import Actor
from engine.bootstrap import Casedesk
from engine.definitions.catalog import DefinitionCatalog
from engine.persistence import Database
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
        reading = partial(request_reading, app.db)
        return cls(TokenService(app.db, app.clock, reading=reading),
                   ReadModel(app.db, app.runtime.absences, reading=reading), DefinitionCatalog(app.db))


@contextmanager
def request_reading(db: Database) -> Iterator[Connection]:
    """The read connection of this API request. On PostgreSQL the reads before a step (the bearer check, the
    task at hand or the version to start) share one autocommit connection, and those of a plain read: taking a
    connection from the pool and giving it back costs about twice the CPU of the statement itself. Each
    statement still sees everything committed before it. SQLite reads in transactions, whose snapshot would
    hide the request's own step from the answer: a connection per read there."""
    if not db.is_postgres or not has_request_context():
        with db.reading() as conn:
            yield conn
        return
    if "api_reads" not in g:
        g.api_reads = ExitStack()
        g.api_read_connection = g.api_reads.enter_context(db.reading())
    yield g.api_read_connection


def release_reading() -> None:
    """Give the request's read connection back to the pool before a step, so that a start or a completion
    never holds two (the pool is sized for one per serving thread); reads after the step take another."""
    reads = g.pop("api_reads", None)
    g.pop("api_read_connection", None)
    if reads is not None:
        reads.close()


def _release_at_teardown(_error: BaseException | None) -> None:
    release_reading()


def init_app(app: Flask) -> None:
    app.teardown_request(_release_at_teardown)


def casedesk() -> Casedesk:
    return current_app.extensions["casedesk"]  # type: ignore[no-any-return]


def services() -> ApiServices:
    return current_app.extensions["casedesk_api"]  # type: ignore[no-any-return]


def caller() -> Actor:
    """The API caller as the access policy sees them (set by the bearer-token check)."""
    return g.api_caller  # type: ignore[no-any-return]

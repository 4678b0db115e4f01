"""Values no column can hold are refused before they reach the database, the same on SQLite and PostgreSQL.

PostgreSQL fails on a value longer than its VARCHAR and on a NUL byte in any text; SQLite keeps both
silently. Checking every statement's parameters against the column types of its compiled binds
gives both databases PostgreSQL's rule, as an InvalidInput (a 4xx), with the transaction rolled back."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from engine.errors import InvalidInput


class UnstorableValue(InvalidInput):
    """A text longer than its column (or with a NUL byte, which no text column holds)."""


def _refuse(context: Any) -> None:
    compiled = getattr(context, "compiled", None)
    if compiled is None:
        return
    table = getattr(compiled.statement, "table", None) if context.isinsert or context.isupdate else None
    for parameters in context.compiled_parameters:
        for name, value in parameters.items():
            if type(value) is not str:
                continue
            bind = compiled.binds.get(name) if table is not None else None
            length = getattr(bind.type, "length", None) if bind is not None else None
            refuse_text(value, length, _column_name(table, name) if length is not None else name)


def refuse_text(value: str, length: int | None, column: str) -> None:
    """The rule for one text bound for `column` (which holds at most `length` characters, if limited)."""
    if "\x00" in value:
        raise UnstorableValue("a text cannot hold a NUL character; nothing was changed")
    if length is not None and len(value) > length:
        raise UnstorableValue(f"{column} holds at most {length} characters (this value has {len(value)}); "
                              "nothing was changed", {column: [f"at most {length} characters"]})


def _column_name(table: Any, bind_name: str) -> str:
    """The column a bind writes: its own name, or a multi-row insert's `name_m0` without the row number."""
    if bind_name not in table.c:
        bind_name = re.sub(r"_m?\d+$", "", bind_name)
    return f"{table.name}.{bind_name}"


def refuse_unstorable_values(engine: Engine) -> Engine:
    """Check every statement on `engine` before it is sent (a loop over its parameters, no round trip)."""
    @event.listens_for(engine, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any,
                _executemany: bool) -> None:
        _refuse(context)
    return engine

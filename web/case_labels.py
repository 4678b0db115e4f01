"""How pages name a case: its case number once it has one (R-2.1.3), else its readable reference
(engine/runtime/references.py) — never its internal id."""
from __future__ import annotations

from typing import Iterable, cast

from flask import Flask, current_app, g

from engine.bootstrap import Casedesk
from engine.runtime.references import references_of


def remember_case_labels(instance_ids: Iterable[str]) -> None:
    """Read the references of a page's cases in one query, so a list of 100 rows costs one read, not 100."""
    known: dict[str, str] = g.setdefault("case_references", {})
    wanted = {i for i in instance_ids if i and i not in known}
    if wanted:
        casedesk = cast(Casedesk, current_app.extensions["casedesk"])
        with casedesk.db.unit_of_work(write=False) as session:
            found = references_of(session.connection(), wanted)
        known.update({i: found.get(i, "") for i in wanted})


def case_label(instance_id: str | None, business_key: str | None = None) -> str:
    if business_key:
        return business_key
    if not instance_id:
        return ""
    remember_case_labels([instance_id])
    known: dict[str, str] = g.setdefault("case_references", {})
    # An instance started before references existed is named by the start of its id.
    return known.get(instance_id) or instance_id[:8]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["case_label"] = case_label

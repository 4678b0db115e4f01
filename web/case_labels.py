"""How pages name a case: its case number once it has one (R-2.1.3), else its readable reference
(engine/runtime/references.py) — never its internal id."""
from __future__ import annotations

from typing import cast

from flask import Flask, current_app, g

from engine.bootstrap import Casedesk
from engine.runtime.references import references_of


def case_label(instance_id: str | None, business_key: str | None = None) -> str:
    if business_key:
        return business_key
    if not instance_id:
        return ""
    known: dict[str, str] = g.setdefault("case_references", {})
    if instance_id not in known:
        casedesk = cast(Casedesk, current_app.extensions["casedesk"])
        with casedesk.db.unit_of_work(write=False) as session:
            known.update(references_of(session.connection(), [instance_id]))
    # An instance started before references existed is named by the start of its id.
    return known.get(instance_id) or instance_id[:8]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["case_label"] = case_label

"""What every page module needs: the services, the clock and the signed-in actor."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask import current_app, request, url_for

from engine.runtime.readmodel import ReadModel
from engine.runtime.service import Runtime

from ..auth import casedesk


def reads() -> ReadModel:
    return cast(ReadModel, current_app.extensions["casedesk_reads"])


def runtime() -> Runtime:
    return casedesk().runtime


def now() -> datetime:
    return casedesk().clock.now()


def back_or(endpoint: str, **values: Any) -> str:
    """Where a posted action returns to: the page it came from (on this site), else `endpoint`."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for(endpoint, **values)

"""The one place where operator names are bound to handler functions."""
from __future__ import annotations

from .context import Handler
from .documents import publish_document


def build_registry() -> dict[str, Handler]:
    return {
        "publish_document": publish_document,
    }

"""Handlers of the document review demo process."""
from __future__ import annotations

from typing import Any

from .context import HandlerContext
from engine.errors import N_, RefusedValue


def publish_document(ctx: HandlerContext, title: str) -> dict[str, Any]:
    """Give an approved document its reference number and publication time."""
    if not title:
        raise RefusedValue(N_("a document needs a title to be published"))
    reference = f"DOC-{ctx.now:%Y%m%d}-{ctx.instance_id[:8].upper()}"
    return {"reference": reference, "title": title, "published_at": ctx.now.isoformat()}

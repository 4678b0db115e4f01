"""An event's hash is sha256(prev_hash ‖ canonical JSON of its fields), whichever way the runtime spells it."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import isoformat
from engine.history.eventlog import GENESIS, HASHED_FIELDS, canonical_json, event_hash

AT = datetime(2026, 12, 1, 13, 45, 35, 798720, tzinfo=timezone.utc)


def _by_definition(prev_hash: str, fields: dict) -> str:
    body = canonical_json({name: fields[name] for name in HASHED_FIELDS} | {"at": isoformat(fields["at"])})
    return hashlib.sha256(prev_hash.encode("ascii") + body.encode("utf-8")).hexdigest()


def _event(**changes: object) -> dict:
    fields = {"instance_id": "6fe460fc-4b57-4dfe-a82b-05e2d3a541d4", "seq": 7, "at": AT, "actor": "rita",
              "category": "effect", "type": "task_done", "task_id": "22c88140-7272-4686-9809-92e901bf2293",
              "task_spec": "review",
              "payload": canonical_json({"element": "review", "delta": {"set": {"note": 'a "quoted"\n审核'}}})}
    return fields | changes


@pytest.mark.parametrize("changes", [
    {},
    {"actor": None, "task_id": None, "task_spec": None},
    {"actor": "王小明", "task_spec": "审核 \"review\"\t\\ \u2028 \x01"},
    {"payload": canonical_json({"emoji": "\U0001F600", "nested": [1, 2.5, None, True]})},
    {"seq": 1, "at": AT.replace(microsecond=0)},
    {"at": AT.astimezone(timezone(timedelta(hours=8)))},
    {"seq": 10**12},
])
def test_the_hash_is_the_canonical_json_of_the_fields(changes: dict) -> None:
    fields = _event(**changes)
    assert event_hash(GENESIS, fields) == _by_definition(GENESIS, fields)


@pytest.mark.parametrize("changes", [{"seq": True}, {"actor": 5}, {"payload": {"not": "text"}}])
def test_fields_of_other_types_are_hashed_by_the_encoder(changes: dict) -> None:
    fields = _event(**changes)
    assert event_hash("f" * 64, fields) == _by_definition("f" * 64, fields)


def test_a_changed_field_changes_the_hash() -> None:
    assert event_hash(GENESIS, _event()) != event_hash(GENESIS, _event(actor="alice"))

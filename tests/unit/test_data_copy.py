"""A step's snapshots of task data (what a task changed is measured against them) are copies, not views."""
from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timezone
from decimal import Decimal

from engine.runtime.step import data_copy, data_delta


def test_a_copy_equals_the_data_and_shares_nothing_that_can_change() -> None:
    data = {"title": "审核", "rounds": 2, "ratio": 0.5, "ok": True, "none": None,
            "items": [{"name": "a", "tags": ["x"]}], "nested": {"list": [1, [2, 3]]}}
    copy = data_copy(data)
    assert copy == data
    copy["items"][0]["tags"].append("y")
    copy["nested"]["list"][1].append(4)
    copy["items"].append({})
    assert data["items"] == [{"name": "a", "tags": ["x"]}] and data["nested"]["list"] == [1, [2, 3]]


def test_other_values_are_deep_copied_as_before() -> None:
    moment = datetime(2026, 12, 1, tzinfo=timezone.utc)
    data = {"when": moment, "day": date(2026, 12, 1), "amount": Decimal("1.10"), "set": {1, 2},
            "pair": ([1], "b"), "ordered": OrderedDict(a=[1])}
    copy = data_copy(data)
    assert copy == data and type(copy["ordered"]) is OrderedDict
    copy["pair"][0].append(2)
    copy["ordered"]["a"].append(2)
    copy["set"].add(3)
    assert data["pair"] == ([1], "b") and data["ordered"]["a"] == [1] and data["set"] == {1, 2}


def test_a_change_made_after_the_snapshot_shows_in_the_delta() -> None:
    data = {"items": [1], "keep": "k", "gone": 1}
    before = data_copy(data)
    data["items"].append(2)
    del data["gone"]
    assert data_delta(before, data) == {"set": {"items": [1, 2]}, "removed": ["gone"]}

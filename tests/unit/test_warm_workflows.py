"""Workflows kept warm between steps: how many, and which user tasks lead to them (issue 14, item 3)."""
from __future__ import annotations

from typing import Any

from engine.config import Settings
from engine.runtime.warm import WarmWorkflows


class Workflow:
    script_engine: Any = "the step's"


def test_an_office_with_a_thousand_open_cases_keeps_them_warm_by_default_and_the_setting_changes_it() -> None:
    assert Settings().warm_instances == Settings.from_env({}).warm_instances == 1024
    assert Settings.from_env({"CASEDESK_WARM_INSTANCES": "64"}).warm_instances == 64
    assert Settings.from_env({"CASEDESK_WARM_INSTANCES": "-3"}).warm_instances == 0


def test_the_oldest_instance_goes_first_and_its_tasks_no_longer_lead_anywhere() -> None:
    warm = WarmWorkflows(size=2)
    for number in range(3):
        warm.put(f"instance {number}", number + 1, Workflow(), tasks=(f"task {number}",))
    assert warm.version_for_task("task 0") is None and warm.take("instance 0", 1) is None
    assert warm.version_for_task("task 1") == 2 and warm.version_for_task("task 2") == 3


def test_a_step_that_takes_an_instance_or_moves_it_on_changes_which_tasks_lead_to_it() -> None:
    warm = WarmWorkflows()
    warm.put("case", 4, Workflow(), tasks=("draft",))
    assert warm.take("case", 4) is not None
    assert warm.version_for_task("draft") is None  # taken while its step runs: nobody else trusts it
    warm.put("case", 5, Workflow(), tasks=("review",))
    assert warm.version_for_task("draft") is None and warm.version_for_task("review") == 5
    warm.rekey("case", 5, 6)  # a claim moved the row on
    assert warm.version_for_task("review") == 6
    warm.clear()
    assert warm.version_for_task("review") is None


def test_none_kept_when_turned_off() -> None:
    warm = WarmWorkflows(size=0)
    warm.put("case", 1, Workflow(), tasks=("draft",))
    assert warm.take("case", 1) is None and warm.version_for_task("draft") is None

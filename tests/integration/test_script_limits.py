"""A script over its OS limits refuses the step naming the element; the engine and other instances go on."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import ScriptRejected
from engine.sandbox import isolation

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "limits"


def test_a_slow_single_call_refuses_the_start_naming_the_element_and_stores_nothing(
        app: Casedesk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "CPU_SECONDS", 1)
    app.definitions.deploy(collect_files(FIXTURES), "owen")
    with pytest.raises(ScriptRejected) as refused:
        app.runtime.start_instance("rounding", {"amount": 1234, "digits": 10**8}, actor="alice")
    assert "round_amount (Round the amount)" in str(refused.value) and "CPU time" in str(refused.value)
    assert app.runtime.list_instances() == []

    ordinary = app.runtime.start_instance("rounding", {"amount": 1234, "digits": 2}, actor="alice")
    task = ordinary.ready_tasks[0]
    done = app.runtime.complete_task(task.id, {}, actor="alice")
    assert done.status == "completed"
    assert app.history.replay(done.id).verified

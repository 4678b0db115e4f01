"""Issue #12: a gateway condition, a routing expression and a DMN input expression are bounded by the OS limits
too: a single slow call refuses the step naming the element, stores nothing, and ordinary data still runs."""
from __future__ import annotations

import time

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import CasedeskError
from engine.sandbox import isolation

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "limits_elements"
ELEMENTS = {"costly_condition": "which_way", "costly_routing": "handle", "costly_decision": "decide"}


@pytest.fixture
def limited(app: Casedesk, monkeypatch: pytest.MonkeyPatch) -> Casedesk:
    monkeypatch.setattr(isolation, "CPU_SECONDS", 1)
    app.definitions.deploy(collect_files(FIXTURES), "owen")
    return app


@pytest.mark.parametrize("process, element", ELEMENTS.items(), ids=ELEMENTS.keys())
def test_a_slow_call_in_a_condition_routing_or_decision_refuses_the_step_naming_the_element(
        limited: Casedesk, process: str, element: str) -> None:
    began = time.monotonic()
    with pytest.raises(CasedeskError) as refused:
        limited.runtime.start_instance(process, {"amount": 1234, "digits": 10**8}, actor="alice")
    assert time.monotonic() - began < 20
    assert element in str(refused.value) and "CPU time" in str(refused.value)
    assert limited.runtime.list_instances(process_key=process) == []

    ordinary = limited.runtime.start_instance(process, {"amount": 1234, "digits": 2}, actor="alice")
    assert ordinary.status == "running" and ordinary.ready_tasks
    assert limited.history.replay(ordinary.id).verified

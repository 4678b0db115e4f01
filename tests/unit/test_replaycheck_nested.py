"""canonical_state names the tasks of nested subprocesses the same way whatever their uuids are
(a process called from inside a called process, e.g. feedback → rectification, R-2.3.3)."""
from __future__ import annotations

import json
from typing import Any

from engine.history.replaycheck import canonical_state


def _tree(prefix: str, specs: list[str]) -> dict[str, Any]:
    ids = [f"{prefix}-{n}" for n in range(len(specs))]
    tasks = {tid: {"id": tid, "task_spec": spec, "children": [ids[i + 1]] if i + 1 < len(ids) else []}
             for i, (tid, spec) in enumerate(zip(ids, specs))}
    return {"root": ids[0], "tasks": tasks}


def state(feedback_uuid: str) -> str:
    top = _tree("t", ["Start", "call_feedback"])
    feedback = _tree(feedback_uuid, ["Start", "call_rectification"])
    rectification = _tree("r", ["Start", "rectify"])
    # subprocesses are keyed by the id of the task that called them: the nested one by a task
    # inside the feedback subprocess, which has no name until that subprocess is named
    return json.dumps({**top, "subprocesses": {"t-1": feedback, f"{feedback_uuid}-1": rectification}})


def test_nested_subprocess_names_do_not_depend_on_uuid_order() -> None:
    # "00…" sorts before the caller's name "call_feedback#1", "ff…" after it.
    assert canonical_state(state("00aa")) == canonical_state(state("ffaa"))

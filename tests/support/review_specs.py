"""The demo document review parsed straight from processes/, and a script engine whose publishing service
answers a fixed reference: for tests that drive the library's workflow objects without a casedesk."""
from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.config import PROJECT_ROOT


class FixedReferencePublisher(PythonScriptEngine):
    def call_service(self, task: Any, operation_name: str = "", operation_params: Any = None, **_: Any) -> str:
        return json.dumps({"reference": "DOC-1", "at": "2026-12-01"})


def document_review_specs() -> tuple[Any, Any]:
    """(process spec, subprocess specs) of processes/demo/document_review.bpmn."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(PROJECT_ROOT / "processes" / "demo" / "document_review.bpmn"))
    return parser.get_spec("document_review"), parser.get_subprocess_specs("document_review")

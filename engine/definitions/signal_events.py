"""Signal end events: SpiffWorkflow 3.2's end event parser leaves the signal out and quietly makes a
plain end event (nothing is thrown); this parser reads it like every other end event definition."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import (CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH,
                                                     MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH,
                                                     TERMINATION_EVENT_XPATH)
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.spiff.parser.event_parsers import SpiffEndEventParser
from SpiffWorkflow.bpmn.specs.defaults import EndEvent


class EndEventParser(SpiffEndEventParser):
    def create_task(self) -> Any:
        event_definition = self.get_event_definition([MESSAGE_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH,
                                                      ESCALATION_EVENT_XPATH, SIGNAL_EVENT_XPATH,
                                                      TERMINATION_EVENT_XPATH])
        task = self._create_task(event_definition)
        task.connect(self.spec.end)
        return task


# Merged into the parser's OVERRIDE_PARSER_CLASSES (engine/definitions/parsing.py).
PARSER_OVERRIDES = {full_tag("endEvent"): (EndEventParser, EndEvent)}

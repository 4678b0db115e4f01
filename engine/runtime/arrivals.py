"""What reaches a waiting instance from outside its step: a due timer, a message, a signal."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task

from engine.clock import isoformat
from engine.definitions.timer_events import fire_timer as mark_fired
from engine.errors import Conflict, N_
from engine.history.eventlog import INPUT
from engine.messaging.signals import catches_signal, signal_event
from engine.messaging.subscriptions import describe_wait, incoming_event
from engine.runtime.waits import HELD


class Arrivals:
    """Mixed into InstanceStep: each arrival is recorded as an input (replay repeats it), then the instance advances."""

    def waiting_task(self, task_id: str) -> Task | None:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, SpiffWorkflowException):
            return None
        return task if task is not None and task.state & HELD else None

    def fire_timer(self, task: Task, due: str, worker: str) -> None:
        """A job found this waiting timer due: record the firing (what replay needs to repeat it), move on."""
        self.record(INPUT, "timer_fired", {"element": task.task_spec.bpmn_id, "due": due,
                                           "fired_at": isoformat(self.now), "worker": worker}, task=task)
        self._run(lambda: mark_fired(task), task)
        self.advance()

    def receive_message(self, name: str, correlation: dict[str, Any], data: Any, sender: dict[str, Any],
                        actor: str | None = None) -> None:
        """A message for this instance arrived (from another instance or from outside): record it, catch it."""
        event = incoming_event(self.workflow, name, correlation, data)
        catching = [t for t in self.workflow.event_manager.tasks.values() if t.task_spec.catches(t, event)]
        if not catching:
            raise Conflict(N_("instance %(instance)s does not wait for %(wait)s"), instance=self.row.id,
                           wait=describe_wait(name, correlation))
        self.record(INPUT, "message_received", {"name": name, "correlation": correlation, "data": data,
                                                "from": sender}, actor=actor)
        self._run(lambda: self.workflow.send_event(event))
        self.advance()

    def receive_signal(self, name: str, data: Any, sender: dict[str, Any]) -> bool:
        """A signal another instance threw: record and catch it if this instance still waits for it."""
        if not catches_signal(self.workflow, name):
            return False
        self.record(INPUT, "signal_received", {"name": name, "data": data, "from": sender})
        self._run(lambda: self.workflow.catch(signal_event(name, data)))
        self.advance()
        return True

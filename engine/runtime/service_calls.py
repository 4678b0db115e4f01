"""A step's service tasks: call the handler, record its result, park a failure for retry or an incident."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.task import Task

from handlers.context import BpmnError, HandlerContext

from engine.errors import HandlerFailed, HandlerRefused, InvalidInput
from engine.history.eventlog import EFFECT, INPUT
from engine.runtime.bpmn_errors import BusinessErrorRaised
from engine.runtime.waits import (ServiceParked, default_retry_policy, park_failed_service, refuses_input,
                                  remember_default_policy, resume_service, retry_policy)


class ServiceCalls:
    """Mixed into InstanceStep: the script engine calls `_call_handler` for every service task."""

    def _call_handler(self, task: Task, operator: str, params: dict[str, Any]) -> Any:
        handler = self.handlers.get(operator)
        if handler is None:
            raise HandlerFailed(self.row.id, task.task_spec.name, operator, LookupError("no handler registered"))
        context = HandlerContext(
            instance_id=self.row.id, task_id=str(task.id), task_spec=task.task_spec.name,
            process_key=self.definition.key, now=self.now, connection=self.store.conn,
            started_by=self.row.started_by,
        )
        policy = retry_policy(task)
        by_default = policy is None and self._after_human_input
        if by_default:
            policy = default_retry_policy()
        # A retried handler's failure is committed with the step, so its own writes must go: a savepoint.
        savepoint = self.store.savepoint() if policy is not None else None
        try:
            result = handler(context, **params)
        except BpmnError as error:
            # A business outcome: recorded as the call's result (replay raises it again), then thrown.
            if savepoint is not None:
                savepoint.commit()
            payload = {"code": error.code, "message": error.message, "data": error.data}
            self.record(INPUT, "service_result", {"operator": operator, "params": params, "bpmn_error": payload},
                        task=task)
            raise BusinessErrorRaised(task, error.code, error.message, error.data) from error
        except Exception as exc:
            # A handler's InvalidInput refuses what a person just gave, whatever the task's retry policy: retrying
            # would refuse it again, so it goes back to them; under the default policy so do ValueError and kin.
            refused = ((by_default and refuses_input(exc))
                       or (self._person_gave_input and isinstance(exc, InvalidInput)))
            if policy is None or savepoint is None or refused:
                # What the handler refused as input goes back to whoever gave it, field by field (a 422), with
                # nothing stored; any other failure without a retry policy is the step's failure.
                failure = HandlerRefused if refused or isinstance(exc, InvalidInput) else HandlerFailed
                raise failure(self.row.id, task.task_spec.name, operator, exc) from exc
            savepoint.rollback()
            if by_default:
                remember_default_policy(task)
            self._park(task, operator, params, policy, f"{type(exc).__name__}: {exc}")
        if savepoint is not None:
            savepoint.commit()
        self.record(INPUT, "service_result", {"operator": operator, "params": params, "result": result}, task=task)
        return result

    def _park(self, task: Task, operator: str, params: dict[str, Any], policy: Any, error: str) -> None:
        outcome = park_failed_service(task, policy, error, self.now)
        self.record(INPUT, "service_failed", {"operator": operator, "params": params, "error": error, **outcome},
                    task=task)
        if outcome["retry_at"] is None:
            self.record(EFFECT, "incident_opened", {"element": task.task_spec.bpmn_id, "operator": operator,
                                                    "error": error, "attempts": outcome["attempt"]}, task=task)
        raise ServiceParked(task)

    def retry_service(self, task: Task, type_: str, payload: dict[str, Any], actor: str | None = None) -> None:
        """Run a parked service task again (a retry job, or an administrator's retry of its incident)."""
        self.record(INPUT, type_, {"element": task.task_spec.bpmn_id, **payload}, actor=actor, task=task)
        resume_service(task, manual=actor is not None)
        self._after_human_input = True  # what follows a parked service continues a submission's chain
        self.incidents_resolved_by = actor
        self.advance()

"""The end of a step: project inbox rows, waits, incidents, messages and signals, set the status, save."""
from __future__ import annotations

from SpiffWorkflow.task import Task

from engine.definitions.migration import CAME_FROM
from engine.history.eventlog import EFFECT
from engine.jobs.store import JobStore
from engine.messaging.signals import drop_signal_events, waiting_signals
from engine.messaging.subscriptions import take_sent_messages, waiting_messages
from engine.runtime.binding import bound_version
from engine.runtime.bpmn_errors import drop_uncaught_escalations
from engine.runtime.instructions import ready_task_instructions
from engine.runtime.routing import route
from engine.runtime.tasktree import compact, has_unfinished_work, ready_manual_tasks
from engine.runtime.step_write import StepWrite, write_step
from engine.runtime.store import TaskView
from engine.runtime.summary import KnownSummary
from engine.runtime.waits import StuckService, Wait, pending_waits, stuck_services


def form_files(task: Task) -> tuple[str | None, str | None]:
    properties = getattr(task.task_spec, "extensions", {}).get("properties", {})
    return properties.get("formJsonSchemaFilename"), properties.get("formUiSchemaFilename")


class StepProjection:
    """Mixed into InstanceStep: everything `finish` writes besides the state, in the caller's transaction."""

    def finish(self, is_new: bool = False) -> None:
        """Compact, project ready user tasks into the inbox, set the status, save — all in the caller's transaction.
        The instance row, inbox rows, events and projections go in one write (step_write), then jobs and incidents."""
        sent = take_sent_messages(self.workflow)
        for message in sent:
            self.record(EFFECT, "message_sent", {"name": message.name, "element": message.element,
                                                 "correlation": message.correlation, "data": message.data},
                        task_spec=message.element)
        compact(self.workflow)
        drop_uncaught_escalations(self.workflow)
        drop_signal_events(self.workflow)
        if self.failure is not None and self.row.status == "running":
            self.row.status = "failed"
            self.record(EFFECT, "instance_failed", {"error": self.failure.describe(), **self.failure.as_payload()})
        gone, new = self._project_human_tasks(self._inbox(is_new))
        waits, stuck = self._project_waits()
        if self.row.status == "running" and not has_unfinished_work(self.workflow):
            self.row.status = "completed"
            self.row.completed_at = self.now
            self.record(EFFECT, "instance_completed", {"data": self.workflow.data})
        self.row.state = self.codec.dump(self.workflow)
        self.row.updated_at = self.now
        outcome = (self.row.status, self.row.business_key, self.row.completed_at)
        if is_new and self.summary is None:
            self.summary = KnownSummary()  # nothing stored yet
        self.summary = write_step(self.store, StepWrite(
            self.row, is_new, outcome_changed=outcome != self._outcome_at_load, gone=gone, new=new,
            events=self._events, known=self.summary))
        self._events = []
        if not is_new and self.row.definition_id != self._definition_at_load:
            self.store.repin_definition(self.row.id, self.row.definition_id)
        if self.failure is not None and self.row.status == "failed":
            self._job_store().open_failure_incident(self.row.id, self.failure, self.now)
        elif self._outcome_at_load[0] == "failed" and self.row.status != "failed":
            self._job_store().close_failure_incidents(self.row.id, self.now, ended=self.row.status == "cancelled")
        if waits != self._waits_at_load or stuck != self._stuck_at_load:
            jobs = self._job_store()
            jobs.sync_waits(self.row.id, self._waits_at_load, waits, self.now)
            jobs.sync_incidents(self.row.id, self._stuck_at_load, stuck, self.now, self.incidents_resolved_by,
                                ended=self.row.status in ("cancelled", "failed"))
            self._waits_at_load, self._stuck_at_load = waits, stuck
        if self.mailroom is not None:
            messages = waiting_messages(self.workflow) if self.row.status == "running" else {}
            self.mailroom.project(self.store.conn, self.row.id, self._messages_at_load, messages)
            self._messages_at_load = messages
            self.mailroom.send_from(self, sent)
        if self.signals is not None:
            signals = waiting_signals(self.workflow) if self.row.status == "running" else {}
            self.signals.project(self.store.conn, self.row.id, self._signals_at_load, signals)
            self._signals_at_load = signals
            thrown, self._thrown_signals = self._thrown_signals, []
            self.signals.broadcast(self, thrown)

    def _job_store(self) -> JobStore:
        # A seam: replay, which has no database, projects waits and incidents nowhere.
        return JobStore(self.store.conn, self.store.lock_rows)

    def _project_waits(self) -> tuple[dict[tuple[str, str], Wait], dict[str, StuckService]]:
        """Timers and retries the instance now waits for, and its stuck service tasks (job/incident rows)."""
        if self.row.status in ("cancelled", "failed"):
            return {}, {}
        waits, stuck = pending_waits(self.workflow), stuck_services(self.workflow)
        for task_id in self._stuck_at_load.keys() - stuck.keys():
            element = self._stuck_at_load[task_id].element
            self.record(EFFECT, "incident_resolved", {"element": element}, actor=self.incidents_resolved_by,
                        task_id=task_id, task_spec=element)
        return waits, stuck

    def _inbox(self, is_new: bool) -> dict[str, TaskView | None]:
        """Inbox rows by task id. A row's content matters only if it stays or is withdrawn: when
        every task ready at load was completed in this step, the ids suffice and the read is skipped."""
        if is_new or self._ready_at_load <= self._completed_user_tasks:
            return dict.fromkeys(self._ready_at_load)
        return dict(self.store.human_tasks(self.row.id))

    def _project_human_tasks(
        self, inbox: dict[str, TaskView | None]
    ) -> tuple[list[str], list[TaskView]]:
        """Which inbox rows go and which come, recording each change as an effect."""
        ready = {str(t.id): t for t in ready_manual_tasks(self.workflow)} if self.row.status == "running" else {}
        gone = [task_id for task_id in inbox if task_id not in ready or self._reproject]
        for task_id in gone:
            row = inbox[task_id]
            if task_id not in self._completed_user_tasks and row is not None and task_id not in ready:
                self.record(EFFECT, "task_withdrawn", {"element": row.task_spec}, task_id=task_id,
                            task_spec=row.task_spec)
        new = []
        for task_id, task in ready.items():
            kept = inbox.get(task_id)
            if kept is not None and not self._reproject:
                self.ready.append(kept)
                continue
            schema_file, ui_file = form_files(task)
            routing = self._evaluating(route, task, self.now)
            title = getattr(task.task_spec, "bpmn_name", None) or task.task_spec.name
            # A task re-derived after a migration keeps its claim and its place in the inbox.
            assignee = routing.assignee or (kept.assignee if kept is not None else None)
            new.append(TaskView(
                id=task_id, instance_id=self.row.id, process_key=self.definition.key,
                task_spec=task.task_spec.name, title=title, candidate_group=routing.candidate_group,
                assignee=assignee, form_file=schema_file, ui_form_file=ui_file,
                created_at=kept.created_at if kept is not None else self.now, due_at=routing.due_at,
                instructions=ready_task_instructions(task.task_spec, task.data),
                definition_id=self.row.definition_id,
                form_definition_id=bound_version(task) or self.row.definition_id,
            ))
            payload = {"element": task.task_spec.bpmn_id, "process": task.workflow.spec.name,
                       "from": task.internal_data.get(CAME_FROM),
                       "title": title, "candidate_group": routing.candidate_group, "form": schema_file}
            if assignee is not None:
                payload["assignee"] = assignee
            if routing.due_at is not None:
                payload["due_at"] = routing.due_at.isoformat()
            self.record(EFFECT, "task_ready", payload, task=task)
        self.ready.extend(new)
        return gone, new

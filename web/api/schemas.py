"""Marshmallow schemas of the API's request and response bodies (the OpenAPI document's components)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .errors import ProblemSchema


class TaskSchema(ma.Schema):
    id = fields.String(required=True)
    instance_id = fields.String(required=True)
    instance_reference = fields.String(allow_none=True, metadata={
        "description": "the readable reference of the task's case (`C-20261130-0007`), as the pages name it; "
                       "null for a case started before references existed"})
    process_key = fields.String(required=True)
    task_spec = fields.String(required=True, metadata={"description": "BPMN element id"})
    title = fields.String(required=True)
    candidate_group = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    form_file = fields.String(allow_none=True)
    ui_form_file = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True, metadata={"description": "when the task is due (UTC), if it has a deadline"})


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True, metadata={"description": "JSON Schema of the task's form"})
    ui_schema = fields.Dict(allow_none=True, metadata={"description": "UI schema of the form, if any"})
    instructions = fields.String(metadata={"description": "the task's instructionsForEndUser rendered over the "
                                                          "case data, as Markdown ('' when it has none)"})
    instructions_html = fields.String(metadata={"description": "the same as sanitized HTML"})
    instructions_error = fields.String(allow_none=True, metadata={
        "description": "why the instructions could not be shown (a broken template), else null"})


class TaskQuerySchema(ma.Schema):
    scope = fields.String(load_default=None, validate=validate.OneOf(["mine", "groups"]),
                          metadata={"description": "mine: claimed by me; groups: unclaimed in my groups; "
                                                   "absent: both"})
    instance_id = fields.String(load_default=None)


class DataSchema(ma.Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "form data / start data, a JSON object"})


class CancelSchema(ma.Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class InstanceSummarySchema(ma.Schema):
    id = fields.String(required=True)
    reference = fields.String(allow_none=True, metadata={
        "description": "the case's readable reference (`C-20261130-0007`), given when it starts, as the pages name "
                       "it until it has a case number; null for a case started before references existed"})
    process_key = fields.String(required=True)
    process_name = fields.String()
    version = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "running, completed, cancelled or failed (an uncaught BPMN error; see its incident)"})
    business_key = fields.String(allow_none=True, metadata={"description": "the case number, once known"})
    started_by = fields.String(required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class InstanceSchema(InstanceSummarySchema):
    events = fields.Integer(metadata={"description": "number of history events"})
    ready_tasks = fields.List(fields.Nested(TaskSchema))
    data = fields.Dict(metadata={"description": "the instance's data as its history recorded it"})


class InstanceQuerySchema(ma.Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(["running", "completed", "cancelled", "failed"]))
    process = fields.String(load_default=None)
    case_number = fields.String(load_default=None, metadata={"description": "part of the case number"})
    started_by = fields.String(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class HistoryQuerySchema(ma.Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0),
                           metadata={"description": "cursor: only events with a larger seq (0: from the start)"})
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class EventSchema(ma.Schema):
    seq = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(allow_none=True)
    category = fields.String(required=True, metadata={"description": "input or effect"})
    type = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    task_spec = fields.String(allow_none=True)
    payload = fields.Raw(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class VersionSchema(ma.Schema):
    version = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    deployed_by = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)
    files = fields.List(fields.String())
    origin = fields.String(metadata={"description": "files, upload or modeler"})
    executable = fields.Boolean(metadata={"description": "false for a view-only model"})
    retired_by = fields.String(allow_none=True, metadata={"description": "who retired it (no new instances)"})
    retired_at = fields.DateTime(allow_none=True)
    model_problems = fields.List(fields.Nested(ProblemSchema), metadata={
        "description": "a view-only model: why it cannot run, element by element"})


class ProcessSchema(ma.Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    latest_version = fields.Integer(required=True)
    can_start = fields.Boolean(required=True, metadata={"description": "whether the caller may start it"})
    retired = fields.Boolean(metadata={"description": "retired by an owner: no new instances, running ones go on"})
    error = fields.String(allow_none=True, metadata={
        "description": "why the version new instances start from cannot be loaded (owners and admins only)"})
    versions = fields.List(fields.Nested(VersionSchema))


class UploadSchema(ma.Schema):
    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True,
                        metadata={"description": ".bpmn, .dmn and .json (form) files of one bundle"})


class DeployOptionsSchema(ma.Schema):
    as_model = fields.Boolean(load_default=False, metadata={
        "description": "when the bundle cannot run, store its well-formed BPMN as view-only model versions "
                       "(with the report of why) instead of refusing it"})
    strict = fields.Boolean(load_default=False, metadata={
        "description": "refuse the deploy (422, nothing stored) when a saved test case of a process fails on it"})


class DeployedSchema(ma.Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    created = fields.Boolean(required=True, metadata={"description": "false when the content was unchanged"})
    kept_reason = fields.String(metadata={"description": "why nothing was stored although `version` is not "
                                                         "this content's newest version"})
    failing_test_cases = fields.List(fields.String(), metadata={
        "description": "saved test cases of the process that fail on this content (a warning; see ?strict)"})


class RetirementSchema(ma.Schema):
    retired = fields.Boolean(required=True, metadata={
        "description": "true: no new instances (running ones go on); false: bring it back"})
    version = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "only this version; omitted: the whole process"})


class RetirementResultSchema(ma.Schema):
    key = fields.String(required=True)
    version = fields.Integer(allow_none=True)
    retired = fields.Boolean(required=True)
    changed = fields.Boolean(required=True, metadata={"description": "false when it already was so"})


class MigrationRequestSchema(ma.Schema):
    from_version = fields.Integer(required=True, validate=validate.Range(min=1))
    to_version = fields.Integer(required=True, validate=validate.Range(min=1))
    dry_run = fields.Boolean(load_default=True, metadata={"description": "only report; the default"})
    batch_size = fields.Integer(load_default=25, validate=validate.Range(min=1, max=1000),
                                metadata={"description": "instances moved per transaction"})


class TaskChangeSchema(ma.Schema):
    element = fields.String(required=True)
    name = fields.String(required=True)
    process = fields.String(required=True)
    state = fields.String(required=True)
    detail = fields.String()


class MigratedInstanceSchema(ma.Schema):
    instance = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    can_move = fields.Boolean(required=True)
    moved = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": "why it cannot move"})
    lost = fields.List(fields.Nested(TaskChangeSchema), metadata={"description": "tokens on elements the "
                                                                                "target lacks"})
    changed = fields.List(fields.Nested(TaskChangeSchema), metadata={"description": "tasks whose element changed"})
    added = fields.List(fields.String(), metadata={"description": "elements new in the target version"})


class MigrationReportSchema(ma.Schema):
    process = fields.String(required=True)
    from_version = fields.Integer(required=True)
    to_version = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    batches = fields.Integer(required=True)
    running = fields.Integer(required=True)
    can_move = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    instances = fields.List(fields.Nested(MigratedInstanceSchema), required=True)

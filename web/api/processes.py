"""API: deployed processes (list, deploy by upload) and starting an instance of one."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import PurePosixPath
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage

from engine.access import may_deploy, may_migrate, may_see_load_errors, may_start
from engine.definitions.authoring import CHECKERS, MAX_SOURCE_CHARS, check_code, operator_catalog
from engine.errors import DefinitionInvalid, DefinitionUnloadable, Forbidden, InvalidInput, N_, Problem
from engine.definitions.specinfo import starts_by_hand
from engine.runtime.service import start_groups

from .auth import authenticate_request
from .common import stepped_body
from .context import caller, casedesk, release_reading, services
from .errors import install_error_handlers
from .schemas import (DataSchema, DeployedSchema, DeployOptionsSchema, InstanceSchema, MigrationReportSchema,
                      MigrationRequestSchema, ProcessSchema, RetirementResultSchema, RetirementSchema, UploadSchema)

blp = install_error_handlers(Blueprint("api_processes", __name__, description="Deployed process definitions"))
blp.before_request(authenticate_request)
UPLOAD_SUFFIXES = (".bpmn", ".dmn", ".json")


@blp.route("", methods=["GET"])
@blp.doc(operationId="listProcesses")
@blp.response(200, ProcessSchema(many=True))
def list_processes() -> list[dict[str, Any]]:
    """Every deployed process with all its versions, newest first, and whether the caller may start it.

    A process whose startable version does not load is listed, with its `error`, to process owners and
    administrators only; it never hides the other processes."""
    app, me = casedesk(), caller()
    startable = services().reads.startable_definition_ids()
    retired = app.lifecycle.retired_processes()
    by_key: dict[str, dict[str, Any]] = {}
    for version in services().catalog.versions():
        entry = by_key.get(version.key)
        if entry is None:
            entry = by_key[version.key] = {"key": version.key, "name": version.name,
                                           "latest_version": version.version, "can_start": False,
                                           "retired": version.key in retired, "error": None, "versions": []}
            definition_id = startable.get(version.key)
            if definition_id is not None:
                try:
                    spec = app.definitions.load(definition_id).spec
                    entry["can_start"] = may_start(me, start_groups(spec)) and starts_by_hand(spec)
                except DefinitionUnloadable as exc:
                    entry["error"] = str(exc)
        entry["versions"].append(version)
    shown = may_see_load_errors(me)
    return [entry for entry in by_key.values() if shown or entry["error"] is None]


@blp.route("", methods=["POST"])
@blp.doc(operationId="deployProcesses")
@blp.arguments(UploadSchema(), location="files")
@blp.arguments(DeployOptionsSchema(), location="query")
@blp.response(201, DeployedSchema(many=True))
def deploy_processes(upload: dict[str, Any], options: dict[str, Any]) -> list[Any]:
    """Deploy a bundle of .bpmn/.dmn/.json files; 422 lists every problem element by element,
    and nothing is stored unless the whole bundle is valid (process owners only). With
    `?as_model=true` a bundle that cannot run is stored as view-only models instead."""
    me = caller()
    if not may_deploy(me):
        raise Forbidden(N_("only process owners deploy definitions"))
    files = uploaded_files(upload["files"])
    try:
        failing = test_cases_failing(files, options["strict"])
        return [{**asdict(r), "failing_test_cases": failing.get(r.key, [])}
                for r in casedesk().definitions.deploy(files, deployed_by=me.username, origin="upload")]
    except DefinitionInvalid:
        if not options["as_model"]:
            raise
        return casedesk().definitions.store_model(files, deployed_by=me.username, origin="upload")


@blp.route("/<key>/retirement", methods=["POST"])
@blp.doc(operationId="setProcessRetired")
@blp.arguments(RetirementSchema())
@blp.response(200, RetirementResultSchema)
def set_retired(body: dict[str, Any], key: str) -> dict[str, Any]:
    """Retire a process or one version (no new instances; running ones go on), or bring it back
    (process owners only)."""
    me = caller()
    if not may_deploy(me):
        raise Forbidden(N_("only process owners retire and restore processes"))
    changed = casedesk().lifecycle.set_retired(key, body["version"], body["retired"], me.username)
    return {"key": key, "version": body["version"], "retired": body["retired"], "changed": changed}


def test_cases_failing(files: dict[str, bytes], strict: bool) -> dict[str, list[str]]:
    """Names of the saved test cases failing on the files, by process; under `strict` any refuses the deploy."""
    if not casedesk().testcases.keys_with_cases():
        return {}
    try:
        failing = casedesk().testcases.failing_on_draft(files)
    except DefinitionInvalid:
        return {}  # the deploy itself reports every problem of the files
    names = {key: [o.case.name for o in outcomes] for key, outcomes in failing.items()}
    if strict and names:
        raise InvalidInput(N_("saved test cases fail on these files; nothing was deployed (strict)"),
                           {f"test_cases.{key}": [f"{o.case.name}: {'; '.join(o.differences)}" for o in outcomes]
                            for key, outcomes in failing.items()})
    return names


def uploaded_files(uploads: list[Any]) -> dict[str, bytes]:
    """Uploaded files by base name; refuses other kinds of file and a name given twice."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for upload in uploads:
        if not isinstance(upload, FileStorage) or not upload.filename:
            raise InvalidInput(N_("every part of `files` must be a file with a name"), {"files": ["not a file"]})
        name = PurePosixPath(upload.filename.replace("\\", "/")).name
        if not name.endswith(UPLOAD_SUFFIXES):
            problems.append(Problem(name, "", "", "only .bpmn, .dmn and .json files can be deployed"))
        elif name in files:
            problems.append(Problem(name, "", "", "the same file name was uploaded twice"))
        else:
            files[name] = upload.read()
    if problems:
        raise DefinitionInvalid(problems)
    if not any(name.endswith(".bpmn") for name in files):
        raise DefinitionInvalid([Problem("", "", "", "the upload holds no .bpmn file")])
    return files


@blp.route("/<key>/instances", methods=["POST"])
@blp.doc(operationId="startInstance")
@blp.arguments(DataSchema())
@blp.response(201, InstanceSchema)
def start_instance(body: dict[str, Any], key: str) -> dict[str, Any]:
    """Start an instance of the newest version of process `key` with start data."""
    app, me = casedesk(), caller()
    definition_id = services().reads.startable_definition_id(key)
    if definition_id is None:
        raise services().reads.not_startable(key)
    if not may_start(me, start_groups(app.definitions.load(definition_id).spec)):
        raise Forbidden(N_("you may not start '%(key)s'"), key=key)
    release_reading()
    return stepped_body(app.runtime.start_instance(key, body["data"], me.username))


@blp.route("/<key>/migrations", methods=["POST"])
@blp.doc(operationId="migrateInstances")
@blp.arguments(MigrationRequestSchema())
@blp.response(200, MigrationReportSchema)
def migrate_instances(body: dict[str, Any], key: str) -> dict[str, Any]:
    """Move running instances of version `from_version` to `to_version` (process owners and administrators).
    `dry_run` (the default) lists per instance whether it can move and why not, changing nothing; otherwise
    those that can move are moved, `batch_size` per transaction, each as a recorded `instance_migrated` event."""
    me = caller()
    if not may_migrate(me):
        raise Forbidden(N_("only process owners and administrators migrate instances"))
    migrations = casedesk().migrations
    if body["dry_run"]:
        report = migrations.dry_run(key, body["from_version"], body["to_version"], me.username)
    else:
        report = migrations.migrate(key, body["from_version"], body["to_version"], me.username,
                                    batch_size=body["batch_size"])
    return report.as_dict()


class OperatorParameterSchema(ma.Schema):
    name = ma.fields.String(required=True)
    required = ma.fields.Boolean(required=True)


class OperatorSchema(ma.Schema):
    name = ma.fields.String(required=True)
    parameters = ma.fields.List(ma.fields.Nested(OperatorParameterSchema), required=True)


class CodeCheckSchema(ma.Schema):
    source = ma.fields.String(required=True, validate=ma.validate.Length(max=MAX_SOURCE_CHARS))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(sorted(CHECKERS)))


class CodeProblemSchema(ma.Schema):
    line = ma.fields.Integer(allow_none=True)
    message = ma.fields.String(required=True)


class CodeCheckResultSchema(ma.Schema):
    ok = ma.fields.Boolean(required=True)
    problems = ma.fields.List(ma.fields.Nested(CodeProblemSchema), required=True)


@blp.route("/operators", methods=["GET"])
@blp.doc(operationId="listServiceOperators")
@blp.response(200, OperatorSchema(many=True))
def list_operators() -> list[dict[str, Any]]:
    """The service-task operators this server has handlers for, with each handler's parameter names
    (what a service task's `spiffworkflow:serviceTaskOperator` may name; process owners only)."""
    if not may_deploy(caller()):
        raise Forbidden(N_("only process owners list service operators"))
    return [asdict(operator) for operator in operator_catalog(casedesk().handlers)]


@blp.route("/code-checks", methods=["POST"])
@blp.doc(operationId="checkCode")
@blp.arguments(CodeCheckSchema())
@blp.response(200, CodeCheckResultSchema)
def check_source(body: dict[str, Any]) -> dict[str, Any]:
    """The deploy-time sandbox check of one script (`kind` script) or condition (`kind` expression):
    every problem deploying would report for it, none when it may be deployed (process owners only)."""
    if not may_deploy(caller()):
        raise Forbidden(N_("only process owners check scripts"))
    problems = check_code(body["source"], body["kind"])
    return {"ok": not problems, "problems": [asdict(problem) for problem in problems]}

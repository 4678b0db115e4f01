"""API: test runs of a process (a draft's files or a stored version) and its saved test cases (process owners)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from engine.access import may_deploy
from engine.definitions.testrun import TestScript
from engine.errors import Forbidden, InvalidInput, N_

from .auth import authenticate_request
from .context import caller, casedesk
from .errors import install_error_handlers

blp = install_error_handlers(Blueprint("api_testruns", __name__, description="Test runs and test cases of processes"))
blp.before_request(authenticate_request)
MAX_DRAFT_FILES = 500  # a whole processes/ folder with its forms


class TestRunRequestSchema(ma.Schema):
    __test__ = False
    script = ma.fields.Dict(load_default=dict, metadata={
        "description": "{data, answers: {user task id: [answer, ...]}, results: {service task id: [result, ...]}}"})
    version = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1),
                                metadata={"description": "a stored version (default: the newest); ignored with files"})
    files = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), load_default=None,
                           metadata={"description": "a draft: file name → text (BPMN, DMN, forms); nothing stored"})
    save = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=200),
                            metadata={"description": "save the script as a test case of this name"})


class CaseQuerySchema(ma.Schema):
    version = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1))


def _owner() -> str:
    me = caller()
    if not may_deploy(me):
        raise Forbidden(N_("only process owners run and read test cases"))
    return me.username


@blp.route("/<key>/test-runs", methods=["POST"])
@blp.doc(operationId="runTest")
@blp.arguments(TestRunRequestSchema())
@blp.response(200)
def run_test(body: dict[str, Any], key: str) -> dict[str, Any]:
    """Run the process in memory with the script: each element completed with its data, the flows taken and
    where it stopped. With `files` a draft runs (validated as deploy does); `save` keeps it as a test case."""
    user = _owner()
    script = TestScript.from_json(body["script"])
    testcases = casedesk().testcases
    if body["files"] is not None:
        if len(body["files"]) > MAX_DRAFT_FILES:
            raise InvalidInput(N_("at most %(limit)s files"), {"files": ["too many files"]}, limit=MAX_DRAFT_FILES)
        files = {name: text.encode("utf-8") for name, text in body["files"].items()}
        run = testcases.run_draft(files, key, script)
    else:
        run = testcases.run_version(key, body["version"], script)
    answer = run.as_json()
    if body["save"]:
        testcases.save(key, body["save"], script, run, user)
        answer["saved"] = body["save"]
    return answer


@blp.route("/<key>/test-cases", methods=["GET"])
@blp.doc(operationId="checkTestCases")
@blp.arguments(CaseQuerySchema(), location="query")
@blp.response(200)
def check_cases(query: dict[str, Any], key: str) -> dict[str, Any]:
    """Re-run every saved test case of the process on a version (default: the newest): pass or fail, and how."""
    _owner()
    outcomes = casedesk().testcases.check_version(key, query["version"])
    return {"process": key, "cases": [{"name": o.case.name, "passed": o.passed, "differences": o.differences,
                                       "version": o.run.version, "expected": o.case.expected, "run": o.run.as_json()}
                                      for o in outcomes]}

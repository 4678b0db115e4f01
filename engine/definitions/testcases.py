"""Test cases of a process: run a draft or a stored version with a script, save the outcome, re-check it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from sqlalchemy import select

from engine.clock import Clock
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.parsing import parse_bundle
from engine.definitions.service import DefinitionService, build_loaded, load_problems, version_files
from engine.definitions.testcase_models import ProcessTestCase
from engine.definitions.testrun import FormCompiler, TestRun, TestRunner, TestScript, compare
from engine.errors import DefinitionInvalid, InvalidInput, N_, NotFound
from engine.history.coverage import sequence_flows
from engine.persistence import Database

NAME_LIMIT = 200


@dataclass(frozen=True)
class SavedCase:
    name: str
    script: TestScript
    expected: dict[str, Any]
    saved_by: str
    saved_on_version: int | None


@dataclass(frozen=True)
class CaseOutcome:
    case: SavedCase
    run: TestRun
    differences: list[str]

    @property
    def passed(self) -> bool:
        return not self.differences


def expectation(run: TestRun) -> dict[str, Any]:
    """What a saved case holds a later version to: the same elements in order, stopping the same way."""
    return {"path": run.path, "stop": {"kind": run.stop.kind, "element": run.stop.element}}


class TestCaseService:
    def __init__(self, db: Database, definitions: DefinitionService, environment: BasePythonScriptEngineEnvironment,
                 compile_form: FormCompiler, clock: Clock):
        self.db = db
        self.definitions = definitions
        self.environment = environment
        self.compile_form = compile_form
        self.clock = clock

    def run_draft(self, files: dict[str, bytes], key: str | None, script: TestScript) -> TestRun:
        """Validate and parse the files as deploy does (nothing stored), then run `key` in memory."""
        return self.draft_runner(files, key).run(script, version=None)

    def draft_runner(self, files: dict[str, bytes], key: str | None) -> TestRunner:
        """A runner on files not deployed: validated and loaded exactly as deploy would (once per bundle)."""
        problems = self.definitions.validate(files)
        if problems:
            raise DefinitionInvalid(problems)
        bundle = parse_bundle(files)
        keys = sorted(bundle.process_keys())
        if key is None:
            if len(keys) != 1:
                raise InvalidInput(N_("the files define %(count)s processes (%(keys)s); name the one to run"),
                                   {"process": ["name the process to run"]}, count=len(keys), keys=", ".join(keys))
            key = keys[0]
        if key not in keys:
            raise NotFound(N_("the files define no executable process '%(key)s' (they define: %(keys)s)"), key=key,
                           keys=", ".join(keys))
        own = {name: files[name] for name in sorted(version_files(bundle, key))}
        problems = load_problems(own, key)
        if problems:
            raise DefinitionInvalid(problems)
        return TestRunner(build_loaded(0, key, 0, own), sequence_flows(own), self.environment, self.compile_form,
                          self.clock.now())

    def run_version(self, key: str, version: int | None, script: TestScript) -> TestRun:
        """Run a stored version (default: the newest executable one); calls bind as they would live."""
        found = self._version(key, version)
        files = DefinitionCatalog(self.db).files(key, found.version)
        runner = TestRunner(self.definitions.load(found.id), sequence_flows(files), self.environment,
                            self.compile_form, self.clock.now(), resolve=self.definitions.load)
        return runner.run(script, version=found.version)

    def _version(self, key: str, version: int | None) -> Any:
        versions = [v for v in DefinitionCatalog(self.db).versions(key) if v.executable]
        chosen = next((v for v in versions if version is None or v.version == version), None)
        if chosen is None:
            raise (NotFound(N_("process '%(key)s' has no executable version"), key=key) if version is None else
                   NotFound(N_("process '%(key)s' has no executable version %(version)s"), key=key, version=version))
        return chosen

    def save(self, key: str, name: str, script: TestScript, run: TestRun, saved_by: str) -> SavedCase:
        """Keep `script` as a test case of `key`, expecting what `run` gave; a case of the same name is replaced."""
        name = name.strip()
        if not name or len(name) > NAME_LIMIT:
            raise InvalidInput(N_("a test case needs a name of 1 to 200 characters"), {"name": ["1 to 200 characters"]})
        if run.key != key:
            raise InvalidInput(N_("the run is of process '%(run)s', not '%(key)s'"), {"process": ["not the run's"]},
                               run=run.key, key=key)
        expected = expectation(run)
        with self.db.unit_of_work() as session:
            row = session.scalar(select(ProcessTestCase).where(ProcessTestCase.process_key == key,
                                                               ProcessTestCase.name == name))
            if row is None:
                row = ProcessTestCase(process_key=key, name=name)
                session.add(row)
            row.script = json.dumps(script.as_json(), sort_keys=True)
            row.expected = json.dumps(expected, sort_keys=True)
            row.saved_by, row.saved_at, row.saved_on_version = saved_by, self.clock.now(), run.version
        return SavedCase(name, script, expected, saved_by, run.version)

    def cases(self, key: str) -> list[SavedCase]:
        with self.db.unit_of_work(write=False) as session:
            rows = session.scalars(select(ProcessTestCase).where(ProcessTestCase.process_key == key)
                                   .order_by(ProcessTestCase.name))
            return [SavedCase(r.name, TestScript.from_json(json.loads(r.script)), json.loads(r.expected),
                              r.saved_by, r.saved_on_version) for r in rows]

    def keys_with_cases(self) -> set[str]:
        with self.db.unit_of_work(write=False) as session:
            return set(session.scalars(select(ProcessTestCase.process_key).distinct()))

    def delete(self, key: str, name: str) -> None:
        with self.db.unit_of_work() as session:
            row = session.scalar(select(ProcessTestCase).where(ProcessTestCase.process_key == key,
                                                               ProcessTestCase.name == name))
            if row is None:
                raise NotFound(N_("process '%(key)s' has no test case '%(name)s'"), key=key, name=name)
            session.delete(row)

    def check_version(self, key: str, version: int | None = None) -> list[CaseOutcome]:
        """Re-run every saved case of `key` on a stored version; each says how it differs, if it does."""
        outcomes = []
        for case in self.cases(key):
            run = self.run_version(key, version, case.script)
            outcomes.append(CaseOutcome(case, run, compare(case.expected, run)))
        return outcomes

    def failing_on_draft(self, files: dict[str, bytes]) -> dict[str, list[CaseOutcome]]:
        """By process key: the saved cases that fail on files about to be deployed (only keys that have cases)."""
        tested = self.keys_with_cases()
        if not tested:
            return {}
        failing = {}
        for key in sorted(tested & set(parse_bundle(files).process_keys())):
            failed = [o for o in self.check_draft(files, key) if not o.passed]
            if failed:
                failing[key] = failed
        return failing

    def check_draft(self, files: dict[str, bytes], key: str) -> list[CaseOutcome]:
        """Re-run every saved case of `key` on files not deployed yet (a deploy's check before it stores)."""
        cases = self.cases(key)
        if not cases:
            return []
        runner = self.draft_runner(files, key)
        outcomes = []
        for case in cases:
            run = runner.run(case.script, version=None)
            outcomes.append(CaseOutcome(case, run, compare(case.expected, run)))
        return outcomes

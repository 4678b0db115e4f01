"""The test-run commands of the `casedesk` CLI: run a draft or a version with a script, save it, re-check saved cases."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import PROCESS_SUFFIXES, collect_files
from engine.definitions.testcases import CaseOutcome
from engine.definitions.testrun import TestRun, TestScript
from engine.errors import InvalidInput

FORMS_DIR = PROJECT_ROOT / "forms"
Command = Callable[..., argparse.ArgumentParser]


def _element_json(text: str) -> tuple[str, Any]:
    element, sep, value = text.partition("=")
    if not sep or not element:
        raise argparse.ArgumentTypeError("expected ELEMENT=JSON, e.g. review='{\"decision\": \"approve\"}'")
    try:
        return element, json.loads(value)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{element}: not valid JSON: {exc}") from exc


def draft_files(paths: list[str]) -> dict[str, bytes]:
    """Files or folders as `validate` and `deploy` read them (forms from beside them and from forms/)."""
    files: dict[str, bytes] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.update(collect_files(path, FORMS_DIR))
            continue
        files[path.name] = path.read_bytes()
        for form in [*path.parent.glob("*.json"), *FORMS_DIR.rglob("*.json")]:
            files.setdefault(form.name, form.read_bytes())
    return files


def build_script(args: argparse.Namespace) -> TestScript:
    base: dict[str, Any] = {}
    if args.script:
        try:
            base = json.loads(Path(args.script).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"cannot read the script {args.script}: {exc}") from exc
        if not isinstance(base, dict):
            raise InvalidInput(f"the script {args.script} must hold a JSON object")
    if args.data is not None:
        base["data"] = args.data
    timers = base.setdefault("timers", [])
    if args.timer and isinstance(timers, list):  # anything else is left for the script's check to name
        timers.extend(args.timer)
    for key, pairs in (("answers", args.answer), ("results", args.result)):
        if pairs:
            queues = base.setdefault(key, {})
            for element, value in pairs:
                if isinstance(queues, dict):
                    queues.setdefault(element, []).append(value)
    return TestScript.from_json(base)


def print_run(run: TestRun) -> None:
    what = "draft" if run.version is None else f"v{run.version}"
    print(f"test run of {run.key} ({what})")
    for number, step in enumerate(run.steps, 1):
        came = f" from {step.came_from}" if step.came_from else ""
        changed = json.dumps(step.changed, ensure_ascii=False, sort_keys=True) if step.changed else "-"
        print(f"{number:>4}. {step.element} ({step.name}) {step.kind}{came}  set: {changed}")
    print(f"flows: {', '.join(run.flows) or '-'}")
    print(f"data: {json.dumps(run.data, ensure_ascii=False, sort_keys=True)}")
    print(f"stopped: {run.stop.kind}{' at ' + run.stop.element if run.stop.element else ''}: {run.stop.message}")
    for element, left in sorted(run.unused.items()):
        print(f"unused: {left} scripted answer(s)/result(s) for {element}")


def cmd_test_run(app: Casedesk, args: argparse.Namespace) -> int:
    script = build_script(args)
    target = args.target
    is_draft = len(target) > 1 or Path(target[0]).exists()
    if is_draft:
        files = draft_files(target)
        if not any(name.endswith(PROCESS_SUFFIXES) for name in files):
            print("no .bpmn or .dmn file given", file=sys.stderr)
            return 1
        run = app.testcases.run_draft(files, args.process, script)
    else:
        run = app.testcases.run_version(target[0], args.version, script)
    if args.json:
        print(json.dumps(run.as_json(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print_run(run)
    if args.save:
        if not args.user:
            print("casedesk: --save needs --user (recorded as who saved the test case)", file=sys.stderr)
            return 1
        app.testcases.save(run.key, args.save, script, run, args.user)
        print(f"saved as test case {args.save!r} of {run.key}: expects this path and this stop")
    return 0


def print_outcomes(key: str, outcomes: list[CaseOutcome]) -> int:
    """One line per case, then the differences of each failing one; the number failing."""
    failed = 0
    for outcome in outcomes:
        where = "draft" if outcome.run.version is None else f"v{outcome.run.version}"
        print(f"{'PASS' if outcome.passed else 'FAIL'}  {key} {where}  {outcome.case.name}")
        for difference in outcome.differences:
            print(f"      {difference}")
        failed += not outcome.passed
    return failed


def cmd_test(app: Casedesk, args: argparse.Namespace) -> int:
    if args.key is None and (args.files or args.version):
        print("casedesk: --files and --version need a process KEY", file=sys.stderr)
        return 2
    keys = [args.key] if args.key else sorted(app.testcases.keys_with_cases())
    total = failed = 0
    for key in keys:
        if args.files:
            outcomes = app.testcases.check_draft(draft_files(args.files), key)
        else:
            outcomes = app.testcases.check_version(key, args.version)
        if not outcomes:
            print(f"{key}: no saved test cases (save one with casedesk test-run ... --save NAME)")
        failed += print_outcomes(key, outcomes)
        total += len(outcomes)
    if total:
        print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


def check_before_deploy(app: Casedesk, files: dict[str, bytes], strict: bool) -> bool:
    """Re-run the saved test cases of every process in the bundle on its files before they are stored.

    A failing case warns; under `strict` it stops the deploy (returns False). Unchanged processes are
    checked too: the files are what the stored version holds."""
    failing = app.testcases.failing_on_draft(files)
    failed = sum(len(outcomes) for outcomes in failing.values())
    for key, outcomes in failing.items():
        print_outcomes(key, outcomes)
    if failed:
        verdict = "nothing deployed (--strict)" if strict else "deploying anyway (--strict would stop here)"
        print(f"warning: {failed} saved test case(s) fail on these files; {verdict}", file=sys.stderr)
    return not (failed and strict)


def register(command: Command) -> None:
    p = command("test-run", cmd_test_run, "run a draft (files) or a deployed process (KEY) in memory with a script")
    p.add_argument("target", nargs="+", metavar="PATH|KEY",
                   help="BPMN files or a folder (a draft, nothing stored), or a deployed process key")
    p.add_argument("--process", help="the process to run when the files define several")
    p.add_argument("--version", type=int, help="with KEY: this version (default: the newest)")
    p.add_argument("--script", help="a JSON file: {data, answers: {element: [..]}, results: {element: [..]}}")
    p.add_argument("--data", type=json.loads, help="start data (JSON object)")
    p.add_argument("--answer", type=_element_json, action="append", metavar="ELEMENT=JSON",
                   help="the next answer to user task ELEMENT (repeat, in order)")
    p.add_argument("--result", type=_element_json, action="append", metavar="ELEMENT=JSON",
                   help="the next result of service task ELEMENT: a value, {\"bpmn_error\": {\"code\": ..}} "
                        "or {\"fail\": \"why\"}")
    p.add_argument("--timer", action="append", metavar="ELEMENT",
                   help="fire the waiting timer at ELEMENT when no answer moves the run (repeat, in order)")
    p.add_argument("--json", action="store_true", help="print the run as JSON")
    p.add_argument("--save", metavar="NAME", help="save the script as a test case expecting this run's outcome")
    p.add_argument("--user", help="who saves the test case")
    p = command("test", cmd_test, "re-run the saved test cases of KEY (default: of every process); exit 1 if any fails")
    p.add_argument("key", nargs="?")
    p.add_argument("--version", type=int, help="default: the newest version")
    p.add_argument("--files", nargs="+", metavar="PATH", help="check these files (not deployed) instead")

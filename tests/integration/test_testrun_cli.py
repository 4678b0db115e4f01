"""`casedesk test-run`, `casedesk test KEY` and `deploy --strict`: what they print and their exit codes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from tests.integration.test_cli import Cli, cli  # noqa: F401  (the fixture)

DEMO_DIR = PROJECT_ROOT / "processes" / "demo"
APPROVE = "decision == 'approve'"
ANSWERS = ["--data", '{"title": "Policy"}', "--answer", 'draft={"body": "v1"}',
           "--answer", 'review={"decision": "approve"}', "--result", 'publish={"reference": "DOC-1"}']


def changed_demo(tmp_path: Path, condition: str) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder)
    bpmn = folder / "document_review.bpmn"
    bpmn.write_text(bpmn.read_text().replace(APPROVE, condition))
    return folder


def test_test_run_of_a_draft_prints_path_data_and_stop(app: Casedesk, cli: Cli) -> None:
    ran = cli("test-run", str(DEMO_DIR), *ANSWERS)
    assert ran.code == 0, ran.err
    assert "   4. review (Review the document) UserTask from draft" in ran.out
    assert "flows: flow_start_prepare, flow_prepare_draft" in ran.out
    assert "stopped: completed: the process completed" in ran.out
    waiting = cli("test-run", str(DEMO_DIR), "--json", "--data", '{"title": "Policy"}')
    assert waiting.code == 0
    assert json.loads(waiting.out)["stop"]["element"] == "draft"


def test_bad_script_or_bad_draft_exits_1_and_stores_nothing(app: Casedesk, cli: Cli, tmp_path: Path) -> None:
    refused = cli("test-run", str(DEMO_DIR), "--data", "[1]")
    assert refused.code == 1 and "data: start data must be a JSON object" in refused.err
    broken = cli("test-run", str(changed_demo(tmp_path, "decision ==")))
    assert broken.code == 1 and "nothing was stored" in broken.err
    assert cli("test-run", "document_review", "--save", "x").code == 1  # --save needs --user
    assert app.testcases.cases("document_review") == []


def test_saved_case_passes_then_fails_on_changed_routing_and_strict_deploy_stops(
        app: Casedesk, cli: Cli, tmp_path: Path) -> None:
    saved = cli("test-run", "document_review", *ANSWERS, "--save", "approve at once", "--user", "owen")
    assert saved.code == 0 and "saved as test case 'approve at once'" in saved.out
    passed = cli("test", "document_review")
    assert passed.code == 0 and "PASS  document_review v1  approve at once" in passed.out
    changed = changed_demo(tmp_path, "decision == 'never'")
    draft = cli("test", "document_review", "--files", str(changed))
    assert draft.code == 1 and "FAIL  document_review draft  approve at once" in draft.out
    strict = cli("deploy", str(changed), "--strict", "--replace-edits")
    assert strict.code == 1 and "nothing deployed (--strict)" in strict.err
    assert [d.version for d in app.definitions.list_definitions()] == [1]
    warned = cli("deploy", str(changed), "--replace-edits")
    assert warned.code == 0 and "deploying anyway" in warned.err and "v2 deployed" in warned.out
    failed = cli("test", "document_review")
    assert failed.code == 1 and "path: expected" in failed.out and "0 passed, 1 failed" in failed.out
    assert cli("test", "document_review", "--version", "1").code == 0
    every = cli("test")  # every process with saved cases, on its newest version
    assert every.code == 1 and "FAIL  document_review v2  approve at once" in every.out
    assert cli("test", "--version", "1").code == 2


def test_a_process_without_cases_passes_with_a_hint(app: Casedesk, cli: Cli) -> None:
    ran = cli("test", "document_review")
    assert ran.code == 0 and "no saved test cases" in ran.out


def test_a_scripted_timer_fires_from_the_command_line(app: Casedesk, cli: Cli) -> None:
    wait = str(PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "timers" / "wait.bpmn")
    waiting = cli("test-run", wait, "--data", '{"due": "2026-02-01T00:00:00Z"}')
    assert waiting.code == 0 and "stopped: timer at until: waiting for a timer at until" in waiting.out
    fired = cli("test-run", wait, "--data", '{"due": "2026-02-01T00:00:00Z"}', "--timer", "until")
    assert fired.code == 0 and "stopped: completed" in fired.out

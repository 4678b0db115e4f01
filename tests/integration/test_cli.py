"""The `casedesk` command line on SQLite and PostgreSQL, as an operator would use it.

`main()` bootstraps from CASEDESK_DATABASE_URL, which each test points at the database the
`app` fixture set up (demo process deployed, demo users added).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from cli.main import main

DEMO_DIR = PROJECT_ROOT / "processes" / "demo"
DEMO_BPMN = DEMO_DIR / "document_review.bpmn"
PASSWORD = "correct-horse-1"

INSTANCE_LINE = re.compile(
    r"^instance (?P<id>[0-9a-f-]{36})  (?P<key>\S+) v(?P<version>\d+)  (?P<status>\w+)  events: (?P<events>\d+)$",
    re.MULTILINE,
)
TASK_LINE = re.compile(
    r"^  task (?P<id>[0-9a-f-]{36})  (?P<title>.+?)  \[(?P<who>[^\]]+)\]  instance (?P<instance>[0-9a-f-]{36})$",
    re.MULTILINE,
)

EXTERNAL_ENTITY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file://{secret}">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="leak_definitions" targetNamespace="http://casedesk.example/bpmn">
  <bpmn:process id="leak" name="&secret;" isExecutable="true">
    <bpmn:startEvent id="start" />
  </bpmn:process>
</bpmn:definitions>
"""

EVIL_SCRIPT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="evil_definitions" targetNamespace="http://casedesk.example/bpmn">
  <bpmn:process id="evil_process" name="Looks harmless" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:outgoing>to_evil</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="to_evil" sourceRef="start" targetRef="evil" />
    <bpmn:scriptTask id="evil" name="Evil script">
      <bpmn:incoming>to_evil</bpmn:incoming>
      <bpmn:outgoing>to_end</bpmn:outgoing>
      <bpmn:script>import os
os.system("touch {marker}")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="evil" targetRef="end" />
    <bpmn:endEvent id="end">
      <bpmn:incoming>to_end</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def tasks(self) -> list[dict[str, str]]:
        return [m.groupdict() for m in TASK_LINE.finditer(self.out)]

    def instance(self) -> dict[str, str]:
        match = INSTANCE_LINE.search(self.out)
        assert match is not None, self.out
        return match.groupdict()


Cli = Callable[..., Run]


@pytest.fixture
def cli(app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    """cli("start", "document_review", ...) runs `casedesk …` against the test database."""
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    capsys.readouterr()

    def run(*argv: str) -> Run:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def definitions(app: Casedesk) -> list[tuple[str, int, str]]:
    return [(d.key, d.version, d.content_hash) for d in app.definitions.list_definitions()]


def start_document(cli: Cli, title: str = "x") -> tuple[str, str]:
    started = cli("start", "document_review", "--user", "alice", "--data", json.dumps({"title": title}))
    assert started.code == 0, started.err
    (draft,) = started.tasks()
    return started.instance()["id"], draft["id"]


def revised_demo(tmp_path: Path) -> Path:
    """A copy of the demo directory whose process has a new name."""
    directory = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, directory)
    bpmn = directory / "document_review.bpmn"
    source = bpmn.read_text(encoding="utf-8")
    assert 'name="Document review"' in source
    bpmn.write_text(source.replace('name="Document review"', 'name="Document review, revised"'),
                    encoding="utf-8")
    return directory


# -- running the demo ----------------------------------------------------------------------------


def test_document_review_runs_start_to_end_from_the_command_line(app: Casedesk, cli: Cli) -> None:
    started = cli("start", "document_review", "--user", "alice", "--data", '{"title":"x"}')
    assert started.code == 0, started.err
    instance = started.instance()
    assert (instance["key"], instance["version"], instance["status"]) == ("document_review", "1", "running")
    (draft,) = started.tasks()
    assert (draft["title"], draft["who"], draft["instance"]) == ("Draft the document", "group clerk",
                                                                 instance["id"])

    inbox = cli("tasks", "--user", "alice")
    assert inbox.code == 0 and [t["id"] for t in inbox.tasks()] == [draft["id"]]
    assert cli("tasks", "--user", "rita").out.strip() == "no ready tasks"

    claimed = cli("claim", draft["id"], "--user", "alice")
    assert claimed.code == 0 and claimed.tasks()[0]["who"] == "alice"
    assert cli("tasks", "--user", "bob").out.strip() == "no ready tasks"

    drafted = cli("complete", draft["id"], "--user", "alice", "--data", '{"body":"The travel policy text"}')
    assert drafted.code == 0, drafted.err
    (review,) = drafted.tasks()
    assert review["who"] == "group reviewer" and review["title"] == "Review the document"
    assert [t["id"] for t in cli("tasks", "--user", "rita").tasks()] == [review["id"]]

    done = cli("complete", review["id"], "--user", "rita", "--data", '{"decision":"approve"}')
    assert done.code == 0, done.err
    assert done.instance()["status"] == "completed" and done.tasks() == []
    assert app.runtime.get_instance(instance["id"]).status == "completed"
    assert cli("tasks").out.strip() == "no ready tasks"
    assert cli("verify", instance["id"]).code == 0


def test_a_user_added_on_the_command_line_can_work_their_groups_tasks(app: Casedesk, cli: Cli) -> None:
    _, draft = start_document(cli)

    added = cli("users", "add", "carol", "--password", PASSWORD, "--group", "clerk")
    assert added.code == 0 and added.out.strip() == "user carol in groups: clerk"
    assert app.users.authenticate("carol", PASSWORD)

    assert [t["id"] for t in cli("tasks", "--user", "carol").tasks()] == [draft]
    assert cli("complete", draft, "--user", "carol", "--data", '{"body":"b"}').code == 0


def test_adding_a_user_with_a_short_password_is_refused(app: Casedesk, cli: Cli) -> None:
    refused = cli("users", "add", "dave", "--password", "short", "--group", "clerk")
    assert refused.code == 1 and "at least 8 characters" in refused.err
    assert not app.users.authenticate("dave", "short")


def test_a_wrong_form_value_exits_1_and_names_the_field(app: Casedesk, cli: Cli) -> None:
    instance_id, draft = start_document(cli)
    events = app.runtime.get_instance(instance_id).events

    refused = cli("complete", draft, "--user", "alice", "--data", '{"body": 42}')

    assert refused.code == 1
    assert "nothing was saved" in refused.err
    assert re.search(r"^\s+body: .*string", refused.err, re.MULTILINE), refused.err
    assert app.runtime.get_instance(instance_id).events == events
    assert [t["id"] for t in cli("tasks", "--instance", instance_id).tasks()] == [draft]


def test_completing_a_task_of_another_group_exits_1_with_a_clear_message(app: Casedesk, cli: Cli) -> None:
    instance_id, draft = start_document(cli)

    refused = cli("complete", draft, "--user", "rita", "--data", '{"body":"b"}')

    assert refused.code == 1 and refused.out == ""
    assert "rita" in refused.err and "clerk" in refused.err and "Forbidden" in refused.err
    assert [t["id"] for t in cli("tasks", "--instance", instance_id).tasks()] == [draft]


def test_completing_a_task_twice_exits_1_saying_it_is_no_longer_ready(app: Casedesk, cli: Cli) -> None:
    _, draft = start_document(cli)
    assert cli("complete", draft, "--user", "alice", "--data", '{"body":"b"}').code == 0

    again = cli("complete", draft, "--user", "bob", "--data", '{"body":"b"}')

    assert again.code == 1 and "no longer ready" in again.err


def test_data_that_is_not_a_json_object_is_refused_before_anything_runs(app: Casedesk, cli: Cli) -> None:
    with pytest.raises(SystemExit) as refused:
        cli("start", "document_review", "--user", "alice", "--data", "{title: x}")
    assert refused.value.code == 2
    assert app.history.instance_ids() == []


# -- validating definitions -----------------------------------------------------------------


def test_validate_accepts_the_demo_process(app: Casedesk, cli: Cli) -> None:
    checked = cli("validate", str(DEMO_BPMN))
    assert checked.code == 0, checked.out + checked.err
    assert checked.out.strip() == "ok: 1 file(s) valid"


def test_validate_refuses_an_external_entity_without_reading_it(app: Casedesk, cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731")
    hostile = tmp_path / "leak.bpmn"
    hostile.write_text(EXTERNAL_ENTITY_BPMN.format(secret=secret))

    checked = cli("validate", str(hostile))

    assert checked.code == 1
    assert any(line.startswith("leak.bpmn (the whole file): ") and "DOCTYPE" in line for line in checked.out.splitlines()), checked.out
    assert "TOP-SECRET" not in checked.out + checked.err


def test_validate_refuses_a_script_that_imports_os_naming_the_element(app: Casedesk, cli: Cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hostile = tmp_path / "evil.bpmn"
    hostile.write_text(EVIL_SCRIPT_BPMN.format(marker=marker))

    checked = cli("validate", str(hostile))

    assert checked.code == 1, checked.out
    lines = [line for line in checked.out.splitlines() if line.startswith("evil.bpmn: evil (Evil script):")]
    assert lines, checked.out
    assert not marker.exists()


# -- deploying definitions -------------------------------------------------------------------


def test_deploying_an_invalid_directory_exits_1_and_stores_nothing(app: Casedesk, cli: Cli, tmp_path: Path) -> None:
    directory = revised_demo(tmp_path)  # a valid, changed process next to a hostile one: all or nothing
    (directory / "leak.bpmn").write_text(EXTERNAL_ENTITY_BPMN.format(secret="/etc/hostname"))
    before = definitions(app)

    refused = cli("deploy", str(directory))

    assert refused.code == 1
    assert "leak.bpmn" in refused.err and "nothing was stored" in refused.err
    assert definitions(app) == before


def test_deploying_a_missing_directory_exits_1(app: Casedesk, cli: Cli, tmp_path: Path) -> None:
    before = definitions(app)
    refused = cli("deploy", str(tmp_path / "no-such-dir"))
    assert refused.code == 1 and "no such directory" in refused.err
    assert definitions(app) == before


def test_redeploying_unchanged_processes_creates_no_version(app: Casedesk, cli: Cli) -> None:
    before = definitions(app)

    again = cli("deploy", str(DEMO_DIR))

    assert again.code == 0
    assert again.out.startswith("document_review v1 unchanged")
    assert definitions(app) == before


def test_a_changed_process_becomes_version_2_and_running_instances_stay_on_1(
    app: Casedesk, cli: Cli, tmp_path: Path
) -> None:
    old_instance, old_draft = start_document(cli, title="before")

    deployed = cli("deploy", str(revised_demo(tmp_path)), "--user", "owen")

    assert deployed.code == 0, deployed.err
    assert deployed.out.startswith("document_review v2 deployed")
    assert [(key, version) for key, version, _ in definitions(app)] == [("document_review", 1),
                                                                        ("document_review", 2)]
    newest = app.definitions.list_definitions()[-1]
    assert (newest.name, newest.deployed_by) == ("Document review, revised", "owen")

    new_instance, _ = start_document(cli, title="after")
    assert app.runtime.get_instance(new_instance).version == 2
    assert app.runtime.get_instance(old_instance).version == 1
    # The old instance keeps running on version 1 to its end.
    review = cli("complete", old_draft, "--user", "alice", "--data", '{"body":"b"}').tasks()[0]
    done = cli("complete", review["id"], "--user", "rita", "--data", '{"decision":"approve"}')
    assert done.instance()["version"] == "1" and done.instance()["status"] == "completed"

    assert cli("deploy", str(tmp_path / "demo")).out.startswith("document_review v2 unchanged")


def test_deploy_without_a_directory_reads_casedesk_processes_dir(
    app: Casedesk, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README: CASEDESK_PROCESSES_DIR is "where `casedesk deploy` looks by default"."""
    monkeypatch.setenv("CASEDESK_PROCESSES_DIR", str(revised_demo(tmp_path)))

    deployed = cli("deploy")

    assert deployed.code == 0, deployed.err
    assert deployed.out.startswith("document_review v2 deployed"), deployed.out
    assert app.definitions.list_definitions()[-1].name == "Document review, revised"


def test_instances_lists_newest_first_with_a_status_filter_and_show_prints_ready_tasks(
    app: Casedesk, cli: Cli
) -> None:
    first = app.runtime.start_instance("document_review", {"title": "first"}, actor="alice")
    second = app.runtime.start_instance("document_review", {"title": "second"}, actor="alice")
    app.runtime.cancel_instance(first.id, actor="root")

    listed = cli("instances")
    assert listed.code == 0
    assert {line.split()[0] for line in listed.out.splitlines()} == {first.id, second.id}
    running = cli("instances", "--status", "running")
    assert [line.split()[0] for line in running.out.splitlines()] == [second.id]
    shown = cli("show", second.id)
    assert shown.code == 0 and "running" in shown.out and "Draft the document" in shown.out


def test_history_shows_times_in_the_terminals_time_zone(
    app: Casedesk, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events are stored in UTC (the fake clock says 09:00Z) and shown in TZ, here UTC+8."""
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    original = os.environ.get("TZ")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        shown = cli("history", started.id)
    finally:
        if original is None:
            monkeypatch.delenv("TZ")
        else:
            monkeypatch.setenv("TZ", original)
        time.tzset()
    assert shown.code == 0
    assert "2026-01-05 17:00:00+0800" in shown.out.splitlines()[0]


def test_validate_takes_a_folder_and_reports_every_problem(app: Casedesk, cli: Cli) -> None:
    broken = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "many_broken"
    before = definitions(app)

    checked = cli("validate", str(broken))

    assert checked.code == 1
    lines = checked.out.splitlines()
    for prefix in ("malformed.bpmn: fill_in (Fill in): ", "intake.bpmn: list_files (unnamed script task): ",
                   "intake.bpmn: archive (Archive the case): ", "followup.bpmn: no (no): ",
                   "level.dmn: rule_small_amount (Amount): "):
        assert any(line.startswith(prefix) for line in lines), (prefix, checked.out)
    assert lines[-1].endswith("problem(s) in 5 file(s)")
    assert definitions(app) == before  # validating stores nothing


def test_validate_names_the_whole_file_when_no_element_can_be_named(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "garbage.bpmn").write_text("not xml at all")
    checked = cli("validate", str(tmp_path))
    assert checked.code == 1
    assert checked.out.startswith("garbage.bpmn (the whole file): not well-formed XML"), checked.out
    assert "(-)" not in checked.out


def test_validate_accepts_the_shipped_process_folder(app: Casedesk, cli: Cli) -> None:
    checked = cli("validate", str(PROJECT_ROOT / "processes"))
    assert checked.code == 0, checked.out + checked.err
    assert checked.out.startswith("ok: ")

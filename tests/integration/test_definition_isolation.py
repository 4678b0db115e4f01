"""Every stored version loads, and one that still does not (e.g. after an upgrade) hurts nobody else:
timers of other processes fire, lists and the Start page show the others, owners see the error,
/healthz reports it; owners retire a process or a version and bring it back."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterator

import pytest
from sqlalchemy import update

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files, load_problems
from engine.errors import DefinitionUnloadable, NotFound
from engine.models import DefinitionFile, ProcessDefinition
from tests.conftest import PASSWORD
from tests.integration.test_cli import Cli, cli  # noqa: F401  (the cli fixture)
from web.app import create_app

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"


def corrupt(app: Casedesk, key: str, version: int = 1) -> None:
    """What an upgrade that no longer understands a stored file looks like: the stored diagram breaks."""
    with app.db.unit_of_work() as session:
        definition_id = session.query(ProcessDefinition.id).filter_by(key=key, version=version).scalar()
        session.execute(update(DefinitionFile)
                        .where(DefinitionFile.definition_id == definition_id, DefinitionFile.name.like("%.bpmn"))
                        .values(content=b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>"
                                        b"<bpmn:process id='half'"))


@pytest.fixture
def restarted(app: Casedesk, clock: FakeClock) -> Iterator[Casedesk]:
    """A fresh node (empty caches) on the same database, as after an upgrade and restart."""
    node = bootstrap(app.settings, clock=clock)
    yield node
    node.close()


@pytest.fixture(autouse=True)
def owen(app: Casedesk) -> str:
    """The process owner who retires and restores."""
    app.users.add_user("owen", PASSWORD, ["process_owner"])
    return "owen"


def test_a_file_with_two_executable_processes_deploys_versions_that_each_load(app: Casedesk) -> None:
    results = app.definitions.deploy(collect_files(FIXTURES / "two_processes"), "owen", origin="upload")

    assert sorted((r.key, r.version, r.created) for r in results) == [
        ("followup", 1, True), ("intake", 1, True), ("notify", 1, True)]
    catalog = DefinitionCatalog(app.db)
    # intake's file also defines followup, which calls notify: its version carries what loading that file needs.
    assert catalog.version("intake", 1).files == ["followup.schema.json", "intake.schema.json",
                                                 "intake_and_followup.bpmn", "notify.bpmn"]
    node = bootstrap(app.settings, clock=app.clock)
    try:
        for version in catalog.latest():
            assert node.definitions.load_error(version.id) is None, version.key
        started = node.runtime.start_instance("intake", {}, actor="alice")
        (record,) = started.ready_tasks
        done = node.runtime.complete_task(record.id, {"request": "a callback"}, actor="alice")
        followup = node.runtime.start_instance("followup", {}, actor="alice")
    finally:
        node.close()
    assert done.status == "completed" and [t.title for t in followup.ready_tasks] == ["Call the customer"]
    for instance_id in (done.id, followup.id):
        report = app.history.replay(instance_id)
        assert report.verified, report.as_dict()


def test_a_deploy_refuses_a_bundle_whose_version_would_not_load(app: Casedesk) -> None:
    files = collect_files(FIXTURES / "two_processes")
    problems = app.definitions.validate(files)
    assert problems == []
    # What the old per-process file selection stored for intake: the file without followup's callee.
    stripped = {n: files[n] for n in ("intake_and_followup.bpmn", "intake.schema.json")}
    (problem,) = load_problems(stripped, "intake")
    assert (problem.file, problem.element_id, problem.element_name) == (
        "intake_and_followup.bpmn", "notify_customer", "Notify the customer")
    assert "would not load" in problem.message and "'notify'" in problem.message


def test_an_unloadable_version_does_not_stop_other_timers_lists_or_starts(
        app: Casedesk, clock: FakeClock, restarted: Casedesk) -> None:
    app.definitions.deploy(collect_files(FIXTURES / "timers"), "owen")
    good = app.runtime.start_instance("wait_until", {"due": isoformat(clock.now() + timedelta(days=1))}, actor="alice")
    stuck = app.runtime.start_instance("reply_with_reminders", {"reply_within": "P2D", "reminders": 0}, actor="alice")
    corrupt(app, "reply_with_reminders")
    for name, groups in {"owner": ["process_owner"], "carla": ["clerk"]}.items():
        app.users.add_user(name, PASSWORD, groups)

    clock.advance(timedelta(days=1, hours=1))
    ran = restarted.jobs.run_due("test")

    assert ran == 1 and restarted.runtime.get_instance(good.id).status == "completed"
    (incident,) = restarted.incidents.list(instance_id=stuck.id)
    assert "cannot be loaded" in incident.error and "reply_with_reminders" in incident.error
    assert restarted.jobs.run_due("test") == 0  # the worker goes on polling; nothing else is due
    assert app.history.replay(good.id).verified
    with pytest.raises(DefinitionUnloadable):
        restarted.runtime.start_instance("reply_with_reminders", {"reply_within": "P2D"}, actor="alice")
    assert restarted.runtime.start_instance("document_review", {"title": "t"}, actor="alice").status == "running"

    web = create_app({"CASEDESK": restarted, "TESTING": True, "WTF_CSRF_ENABLED": False})
    health = web.test_client().get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert [(b["key"], b["version"]) for b in health["broken_definitions"]] == [("reply_with_reminders", 1)]

    def listed(user: str) -> dict[str, dict[str, object]]:
        client = web.test_client()
        token = client.post("/api/v1/auth/tokens", json={"username": user, "password": PASSWORD}).get_json()["token"]
        answer = client.get("/api/v1/processes", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        return {p["key"]: p for p in answer.get_json()}

    assert set(listed("carla")) == {"document_review", "wait_until"}
    by_owner = listed("owner")
    assert "cannot be loaded" in str(by_owner["reply_with_reminders"]["error"])
    assert by_owner["document_review"]["error"] is None
    assert "cannot be loaded" in str(listed("root")["reply_with_reminders"]["error"])  # administrators too

    def start_page(user: str) -> str:
        client = web.test_client()
        client.post("/login", data={"username": user, "password": PASSWORD})
        answer = client.get("/start")
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    clerk_page, owner_page = start_page("carla"), start_page("owner")
    assert 'data-process="document_review"' in clerk_page and "reply_with_reminders" not in clerk_page
    assert 'data-broken-process="reply_with_reminders"' in owner_page and "cannot be loaded" in owner_page
    owner = web.test_client()
    owner.post("/login", data={"username": "owner", "password": PASSWORD})
    definitions = owner.get("/owner/processes").get_data(as_text=True)
    assert 'data-broken-version="1"' in definitions and "not well-formed XML" in definitions
    assert "cannot be loaded" in owner.get("/owner/processes/reply_with_reminders/1").get_data(as_text=True)
    admin = web.test_client()
    admin.post("/login", data={"username": "root", "password": PASSWORD})
    assert 'data-broken-version="1"' in admin.get("/owner/processes").get_data(as_text=True)


def test_retiring_stops_new_instances_while_running_ones_go_on_and_restore_brings_it_back(app: Casedesk) -> None:
    running = app.runtime.start_instance("document_review", {"title": "before"}, actor="alice")
    assert app.lifecycle.set_retired("document_review", None, True, "owen") is True
    assert app.lifecycle.set_retired("document_review", None, True, "owen") is False

    with pytest.raises(NotFound, match="retired"):
        app.runtime.start_instance("document_review", {"title": "after"}, actor="alice")
    draft = running.ready_tasks[0]
    assert app.runtime.complete_task(draft.id, {"body": "text"}, actor="alice").status == "running"

    app.lifecycle.set_retired("document_review", None, False, "owen")
    app.definitions.deploy(revised(), "owen", origin="upload")
    app.lifecycle.set_retired("document_review", 2, True, "owen")
    assert app.runtime.start_instance("document_review", {"title": "v1 again"}, actor="alice").version == 1
    app.lifecycle.set_retired("document_review", 1, True, "owen")
    with pytest.raises(NotFound, match="every version"):
        app.runtime.start_instance("document_review", {"title": "none"}, actor="alice")
    app.lifecycle.set_retired("document_review", 2, False, "owen")
    assert app.runtime.start_instance("document_review", {"title": "v2"}, actor="alice").version == 2
    assert DefinitionCatalog(app.db).version("document_review", 1).retired_by == "owen"
    assert app.history.replay(running.id).verified


def revised() -> dict[str, bytes]:
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    name = "document_review.bpmn"
    files[name] = files[name].replace('name="Document review"'.encode(), b'name="Document review, v2"')
    return files


def test_owners_retire_and_restore_from_the_cli_api_and_owner_page(app: Casedesk, cli: Cli) -> None:
    run = cli
    retired = run("retire", "document_review", "--user", "owen")
    assert retired.code == 0 and "retired" in retired.out
    again = run("retire", "document_review", "--user", "owen")
    assert "already retired" in again.out
    web = create_app({"CASEDESK": app, "TESTING": True, "WTF_CSRF_ENABLED": False})
    app.users.add_user("owner", PASSWORD, ["process_owner"])
    client = web.test_client()
    client.post("/login", data={"username": "owner", "password": PASSWORD})
    page = client.get("/owner/processes").get_data(as_text=True)
    assert 'data-retired="document_review"' in page
    back = client.post("/owner/processes/document_review/retirement", data={"retired": "0"}, follow_redirects=True)
    assert back.status_code == 200 and 'data-retired="document_review"' not in back.get_data(as_text=True)
    for malformed in ({"retired": "1", "version": "one"}, {"retired": "yes"}, {}):  # never the whole process
        refused = client.post("/owner/processes/document_review/retirement", data=malformed)
        assert refused.status_code == 400, malformed
    assert app.lifecycle.retired_processes() == {} and DefinitionCatalog(app.db).version("document_review", 1).retired_at is None
    version_back = client.post("/owner/processes/document_review/retirement", data={"retired": "1", "version": "1"})
    assert version_back.status_code == 302 and DefinitionCatalog(app.db).version("document_review", 1).retired_by == "owner"
    client.post("/owner/processes/document_review/retirement", data={"retired": "0", "version": "1"})
    client.get("/language/zh_Hans")
    chinese = client.get("/owner/processes").get_data(as_text=True)
    assert "来源" in chinese and "停用该流程" in chinese and "新实例从此版本发起" in chinese
    api = web.test_client()
    token = api.post("/api/v1/auth/tokens", json={"username": "owner", "password": PASSWORD}).get_json()["token"]
    answer = api.post("/api/v1/processes/document_review/retirement", json={"retired": True, "version": 1},
                      headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json() == {
        "key": "document_review", "version": 1, "retired": True, "changed": True}
    clerk = api.post("/api/v1/auth/tokens", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    refused = api.post("/api/v1/processes/document_review/instances", json={"data": {"title": "t"}},
                       headers={"Authorization": f"Bearer {clerk}"})
    assert refused.status_code == 404 and "every version" in refused.get_json()["error"]["message"]
    unknown = api.post("/api/v1/processes/document_review/retirement", json={"retired": True, "version": 9},
                       headers={"Authorization": f"Bearer {token}"})
    assert unknown.status_code == 404
    for who, said in (("alice", "only process owners retire and restore"), ("nobody", "no active user 'nobody'")):
        refused = run("restore", "document_review", "--version", "1", "--user", who)  # changes nothing
        assert refused.code == 1 and said in refused.err
    assert DefinitionCatalog(app.db).version("document_review", 1).retired_by == "owner"
    restored = run("restore", "document_review", "--version", "1", "--user", "owen")
    assert restored.code == 0 and "restored" in restored.out
    assert app.lifecycle.startable_ids() == {"document_review": app.definitions.list_definitions()[0].id}



def test_a_retired_timer_started_process_starts_nothing_until_it_is_brought_back(app: Casedesk,
                                                                                 clock: FakeClock) -> None:
    app.definitions.deploy(collect_files(FIXTURES / "timer_start"), "owen")
    assert app.jobs.run_due("test") == 0  # the first weekly tick is next Monday
    app.lifecycle.set_retired("weekly_tick", None, True, "owen")

    clock.advance(timedelta(days=8))
    assert app.jobs.run_due("test") == 0
    assert app.runtime.list_instances(process_key="weekly_tick") == []

    app.lifecycle.set_retired("weekly_tick", None, False, "owen")
    assert app.jobs.run_due("test") == 0  # the worker's next poll: the missed Monday is not made up
    clock.advance(timedelta(days=7))
    assert app.jobs.run_due("test") == 1
    (tick,) = app.runtime.list_instances(process_key="weekly_tick")
    assert tick.started_by == "timer" and app.history.replay(tick.id).verified

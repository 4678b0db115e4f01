"""Once deployed, the database is the source of truth: a deploy of files never undoes an edit made in
the modeler or uploaded, equal content never makes a newer version, and `casedesk export` brings a
version back to files that deploy as a no-op."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from tests.integration.test_cli import Cli, cli, revised_demo  # noqa: F401  (the cli fixture)
from tests.web.conftest import LoginAs, login_as, web  # noqa: F401  (web fixtures)
from tests.web.test_owner_diff import DEMO, demo_with_stamp_task

FORMS = PROJECT_ROOT / "forms"


def versions(app: Casedesk, key: str = "document_review") -> list[tuple[int, str, str]]:
    return [(v.version, v.origin, v.deployed_by) for v in DefinitionCatalog(app.db).versions(key)]


def modeler_edit(login_as: LoginAs) -> str:
    """The owner adds a stamp task to the demo review in the web modeler; returns the edited diagram."""
    edited = demo_with_stamp_task()[DEMO].decode()
    saved = login_as("process_owner").post("/owner/processes/document_review/1/edit",
                                           data={"file": DEMO, "xml": edited})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:400]
    return edited


def test_a_modeler_edit_survives_the_deploy_that_make_run_does(app: Casedesk, login_as: LoginAs, cli: Cli) -> None:
    edited = modeler_edit(login_as)

    again = cli("deploy", str(PROJECT_ROOT / "processes"), "--user", "setup")  # what `make run` does

    assert again.code == 0, again.err
    assert "document_review v1 unchanged" in again.out and "version 2" in again.out
    assert versions(app) == [(2, "modeler", "u_process_owner"), (1, "files", "owen")]
    started = app.runtime.start_instance("document_review", {"title": "after the edit"}, actor="alice")
    assert started.version == 2
    assert DefinitionCatalog(app.db).files("document_review", 2)[DEMO].decode() == edited


def test_changed_files_do_not_supersede_an_edit_unless_the_deployer_says_so(
        app: Casedesk, login_as: LoginAs, cli: Cli, tmp_path: Path) -> None:
    modeler_edit(login_as)
    changed = revised_demo(tmp_path)

    kept = cli("deploy", str(changed), "--user", "setup")

    assert kept.code == 0, kept.err
    assert kept.out.startswith("document_review v2 unchanged") and "from the modeler by u_process_owner" in kept.out
    assert [v for v, _, _ in versions(app)] == [2, 1]
    replaced = cli("deploy", str(changed), "--user", "setup", "--replace-edits")
    assert replaced.out.startswith("document_review v3 deployed"), replaced.out
    assert versions(app)[0] == (3, "files", "setup")


def test_uploading_an_older_versions_content_makes_no_version_over_the_newer_one(app: Casedesk) -> None:
    app.definitions.deploy(demo_with_stamp_task(), "u_process_owner", origin="upload")
    original = collect_files(PROJECT_ROOT / "processes" / "demo", FORMS)

    (result,) = app.definitions.deploy(original, "u_process_owner", origin="upload")

    assert (result.created, result.version) == (False, 1)
    assert "version 2" in result.kept_reason
    assert [v for v, _, _ in versions(app)] == [2, 1]
    assert app.runtime.start_instance("document_review", {"title": "t"}, actor="alice").version == 2


def test_the_api_records_an_upload_as_its_origin(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    bundle = demo_with_stamp_task()
    answer = owner.post("/owner/deploy", data={"files": [(io.BytesIO(c), n) for n, c in bundle.items()]},
                        content_type="multipart/form-data")
    assert answer.status_code == 302
    assert versions(app)[0] == (2, "upload", "u_process_owner")


def test_an_exported_version_deploys_again_as_a_no_op(app: Casedesk, login_as: LoginAs, cli: Cli,
                                                      tmp_path: Path) -> None:
    edited = modeler_edit(login_as)

    exported = cli("export", "document_review", str(tmp_path / "newest"))
    older = cli("export", "document_review", str(tmp_path / "first"), "--version", "1")

    assert exported.code == 0 and exported.out.startswith("document_review v2: 5 file(s) written"), exported.err
    assert (tmp_path / "newest" / DEMO).read_text(encoding="utf-8") == edited
    assert older.code == 0 and (tmp_path / "first" / "draft.schema.json").is_file()
    assert cli("deploy", str(tmp_path / "newest")).out.startswith("document_review v2 unchanged")
    assert cli("deploy", str(tmp_path / "first")).out.startswith("document_review v1 unchanged")
    assert [v for v, _, _ in versions(app)] == [2, 1]
    unknown = cli("export", "no_such_process", str(tmp_path / "x"))
    assert unknown.code == 1 and "no process 'no_such_process'" in unknown.err
    (tmp_path / "a_file").write_text("not a directory")
    not_a_directory = cli("export", "document_review", str(tmp_path / "a_file"))
    assert not_a_directory.code == 1 and "is not a directory" in not_a_directory.err
    assert "Traceback" not in not_a_directory.err and (tmp_path / "a_file").read_text() == "not a directory"
    unwritable = cli("export", "document_review", str(tmp_path / "a_file" / "below"))
    assert unwritable.code == 1 and "cannot write" in unwritable.err and "Traceback" not in unwritable.err


def test_an_export_into_a_checkout_puts_each_file_where_deploy_reads_it_so_the_deploy_is_a_no_op(
        app: Casedesk, login_as: LoginAs, cli: Cli, tmp_path: Path) -> None:
    checkout = tmp_path / "processes"  # the owner's clone of processes/, diagrams in folders
    shutil.copytree(PROJECT_ROOT / "processes" / "demo", checkout / "demo")
    # Renamed in the modeler, the task's translations follow its new name: the catalogues change too.
    xml = DefinitionCatalog(app.db).files("document_review", 1)[DEMO].decode()
    renamed = xml.replace('name="Review the document"', 'name="Check the document"')
    saved = login_as("process_owner").post("/owner/processes/document_review/1/edit",
                                           data={"file": DEMO, "xml": renamed})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:400]

    exported = cli("export", "document_review", str(checkout))

    assert exported.code == 0, exported.err
    diagram, catalogue = checkout / "demo" / DEMO, checkout / "demo" / "document_review.zh-Hans.i18n.json"
    assert diagram.read_text(encoding="utf-8") == renamed
    assert json.loads(catalogue.read_text(encoding="utf-8"))["messages"]["Check the document"] == "审核文件"
    assert not (checkout / DEMO).exists() and not (checkout / "document_review.zh-Hans.i18n.json").exists()
    again = cli("deploy", str(checkout))
    assert again.code == 0 and again.out.splitlines()[0] == \
        f"document_review v2 unchanged ({DefinitionCatalog(app.db).version('document_review', 2).content_hash[:12]})"
    assert [v for v, _, _ in versions(app)] == [2, 1]

"""Process-owner pages: versions with deployer/time/hash, deploy by upload with the report element by
element, the modeler deploying an edited diagram as a new version, and the diff between versions."""
from __future__ import annotations

import io
import re

from engine.bootstrap import Casedesk
from engine.definitions.catalog import DefinitionCatalog
from engine.config import PROJECT_ROOT
from tests.web.conftest import LoginAs
from tests.web.test_owner_diff import DEMO, demo_with_stamp_task

BROKEN = (PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "broken" / "script_import.bpmn").read_bytes()


def versions(app: Casedesk, key: str = "document_review") -> list[int]:
    return [v.version for v in DefinitionCatalog(app.db).versions(key)]


def upload(files: dict[str, bytes]) -> dict[str, object]:
    return {"files": [(io.BytesIO(content), name) for name, content in files.items()]}


def test_definitions_list_every_version_with_deployer_time_and_hash(app: Casedesk, login_as: LoginAs) -> None:
    app.definitions.deploy(demo_with_stamp_task(), "u_process_owner")
    page = login_as("process_owner").get("/owner/processes").get_data(as_text=True)
    stored = {v.version: v for v in DefinitionCatalog(app.db).versions("document_review")}
    assert 'data-version="2"' in page and 'data-version="1"' in page
    assert "u_process_owner" in page and "owen" in page
    assert stored[2].content_hash[:12] in page and stored[1].content_hash[:12] in page
    assert "/owner/processes/document_review/diff?old=1&amp;new=2" in page
    assert "/owner/deploy" in page
    auditor_page = login_as("auditor").get("/owner/processes").get_data(as_text=True)
    assert 'data-version="2"' in auditor_page and "/owner/deploy" not in auditor_page
    assert login_as("clerk").get("/owner/processes").status_code == 403


def test_upload_deploys_a_new_version_and_an_invalid_bundle_shows_each_problem(app: Casedesk,
                                                                               login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    refused = owner.post("/owner/deploy", data=upload({"script_import.bpmn": BROKEN}),
                         content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'data-element="list_files">.*script_import\.bpmn.*List the server&#39;s files.*'
                     r'Import statements are not allowed', page, re.S)
    assert versions(app) == [1]
    with_stamp = demo_with_stamp_task()
    deployed = owner.post("/owner/deploy", data=upload(with_stamp), content_type="multipart/form-data",
                          follow_redirects=True)
    assert deployed.status_code == 200 and "version 2" in deployed.get_data(as_text=True)
    assert versions(app) == [2, 1]
    assert login_as("auditor").post("/owner/deploy", data=upload(with_stamp),
                                    content_type="multipart/form-data").status_code == 403


def test_the_modeler_deploys_the_edited_diagram_as_a_new_version(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    page = owner.get("/owner/processes/document_review/1/edit").get_data(as_text=True)
    assert "/static/vendor/casedesk/owner-modeler.js" in page and 'id="modeler-xml"' in page
    assert 'id="properties"' in page and "properties-panel.css" in page
    assert "Document published" in page  # the version's diagram, ready for bpmn-js to import
    edited = demo_with_stamp_task()[DEMO].decode()
    response = owner.post("/owner/processes/document_review/1/edit", data={"file": DEMO, "xml": edited})
    assert response.status_code == 302 and response.location.endswith("/owner/processes/document_review/2")
    assert versions(app) == [2, 1]
    assert DefinitionCatalog(app.db).files("document_review", 2)[DEMO].decode() == edited
    # Forms and other files of the version travel with the edited diagram.
    assert set(DefinitionCatalog(app.db).files("document_review", 2)) == set(
        DefinitionCatalog(app.db).files("document_review", 1))
    # Each version says where it came from and who deployed it, on its page and in the list, in the page's language.
    version_page = owner.get("/owner/processes/document_review/2").get_data(as_text=True)
    assert "<dt>Origin</dt><dd>modeler</dd>" in version_page and "<dt>Deployed by</dt><dd>u_process_owner</dd>" in version_page
    listed = owner.get("/owner/processes").get_data(as_text=True)
    assert re.search(r'data-version="2">.*?<td>modeler</td>\s*<td>u_process_owner</td>', listed, re.S)
    assert re.search(r'data-version="1">.*?<td>files</td>\s*<td>owen</td>', listed, re.S)
    owner.get("/language/zh_Hant")
    traditional = owner.get("/owner/processes/document_review/2").get_data(as_text=True)
    assert "<dd>建模器</dd>" in traditional
    assert "<h1>文件審核 · 版本 2</h1>" in traditional and "Document review" not in traditional.split("<h1>")[1]


def test_an_invalid_edit_keeps_the_drawing_and_reports_the_element(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    source = DefinitionCatalog(app.db).files("document_review", 1)[DEMO].decode()
    bad = source.replace("rounds = 0", "import os")
    response = owner.post("/owner/processes/document_review/1/edit", data={"file": DEMO, "xml": bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-element="prepare"' in page and "import os" in page
    assert versions(app) == [1]
    assert login_as("auditor").post("/owner/processes/document_review/1/edit",
                                    data={"file": DEMO, "xml": source}).status_code == 403


def test_the_diff_page_lists_changed_elements_and_file_lines(app: Casedesk, login_as: LoginAs) -> None:
    app.definitions.deploy(demo_with_stamp_task(), "u_process_owner")
    page = login_as("auditor").get("/owner/processes/document_review/diff?old=1&new=2").get_data(as_text=True)
    assert 'data-element="stamp" data-change="added"' in page
    assert 'data-element="end" data-change="changed"' in page
    assert 'data-file="draft.schema.json" data-change="same"' in page
    assert '<span class="add">+    &lt;bpmn:endEvent id=&#34;end&#34; name=&#34;Published 已發布&#34;&gt;</span>' in page


def test_a_version_page_shows_its_diagram_and_serves_its_files(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    page = owner.get("/owner/processes/document_review/1").get_data(as_text=True)
    assert "bpmn-navigated-viewer.production.min.js" in page
    assert 'data-url="/owner/processes/document_review/1/diagram/document_review.bpmn"' in page
    served = owner.get("/owner/processes/document_review/1/files/document_review.bpmn")
    assert served.mimetype == "application/xml" and b'id="document_review"' in served.data
    assert owner.get("/owner/processes/document_review/1/files/nope.bpmn").status_code == 404
    assert owner.get("/owner/processes/document_review/1/diagram/nope.bpmn").status_code == 404
    assert owner.get("/owner/processes/document_review/1/diagram/document_review.zh-Hans.i18n.json").status_code == 404
    assert owner.get("/owner/processes/document_review/9").status_code == 404


def test_the_version_viewer_draws_the_diagram_in_the_page_language_and_the_file_stays_as_deployed(
        login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    viewer = "/owner/processes/document_review/1/diagram/document_review.bpmn"
    source = "/owner/processes/document_review/1/files/document_review.bpmn"
    simplified = owner.get(viewer, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'name="起草文件"' in simplified and 'id="draft"' in simplified and "Draft the document" not in simplified
    traditional = owner.get(viewer, headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert "Draft the document" not in traditional and 'id="draft"' in traditional and traditional != simplified
    assert 'name="Draft the document"' in owner.get(viewer, headers={"Accept-Language": "en"}).get_data(as_text=True)
    # The file itself (downloads, the modeler) keeps the language it was drawn in.
    assert 'name="Draft the document"' in owner.get(source, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert login_as("clerk").get(viewer).status_code == 403


def test_owner_pages_speak_both_languages(app: Casedesk, login_as: LoginAs) -> None:
    app.definitions.deploy(demo_with_stamp_task(), "u_process_owner")
    owner = login_as("process_owner")
    english = owner.get("/owner/processes/document_review/diff?old=1&new=2").get_data(as_text=True)
    assert "Changes from version 1 to version 2" in english and ">added<" in english
    owner.get("/language/zh_Hans")
    chinese = owner.get("/owner/processes/document_review/diff?old=1&new=2").get_data(as_text=True)
    assert "从版本 1 到版本 2 的变更" in chinese and ">新增<" in chinese
    assert "部署人" in owner.get("/owner/processes").get_data(as_text=True)


def test_the_migration_page_shows_the_dry_run_and_its_button_moves_the_instances(app: Casedesk,
                                                                                 login_as: LoginAs) -> None:
    from tests.integration.test_instance_migration import at_review, demo_files, without_review
    stuck = at_review(app, "stuck")
    moving = app.runtime.start_instance("document_review", {"title": "moving"}, actor="u_clerk")
    app.definitions.deploy(without_review(demo_files()), "u_process_owner")
    owner = login_as("process_owner")
    assert "/owner/processes/document_review/migrate?from=1&amp;to=2" in owner.get("/owner/processes").get_data(
        as_text=True)
    page = owner.get("/owner/processes/document_review/migrate?from=1&to=2").get_data(as_text=True)
    assert "Dry run: 1 of 2 running instance(s) of version 1 can move to version 2" in page
    assert f'data-instance="{stuck.id}" data-can-move="no"' in page
    assert "A token is at review (Review the document) (ready), which the new version does not have." in page
    assert "Migrate 1 instance(s) to version 2" in page
    assert app.runtime.get_instance(moving.id).version == 1

    moved = owner.post("/owner/processes/document_review/migrate", data={"from": "1", "to": "2"})
    assert moved.status_code == 200
    assert "1 instance(s) moved to version 2 in 1 batch(es); 1 stay on version 1" in moved.get_data(as_text=True)
    assert app.runtime.get_instance(moving.id).version == 2 and app.runtime.get_instance(stuck.id).version == 1
    assert login_as("auditor").get("/owner/processes/document_review/migrate").status_code == 403
    owner.get("/language/zh_Hans")
    chinese = owner.get("/owner/processes/document_review/migrate?from=1&to=2").get_data(as_text=True)
    assert "试运行：版本 1 的 1 个运行中实例里，有 0 个可以迁移到版本 2" in chinese and "不能迁移" in chinese
    assert "有令牌位于 review (Review the document)（就绪），而新版本没有该元素。" in chinese


def test_the_migration_page_names_what_changes_in_the_page_language_and_refuses_versions_that_take_no_instances(
        app: Casedesk, login_as: LoginAs) -> None:
    from tests.integration.test_instance_migration import RENAMED_REVIEW, at_review, demo_files, edited
    reviewing = at_review(app, "renamed")
    app.definitions.deploy(edited(demo_with_stamp_task(), RENAMED_REVIEW), "u_process_owner")  # version 2
    app.definitions.store_model(edited(demo_files(), ('isExecutable="true"', 'isExecutable="false"')),
                                "u_process_owner")  # version 3
    owner = login_as("process_owner")
    page = owner.get("/owner/processes/document_review/migrate?from=1&to=2").get_data(as_text=True)
    assert '<span data-changed="review"><code>review</code> Review the document (ready): name</span>' in page
    assert 'data-added="stamp (Stamp 蓋章)"' in page
    # The choice offers the versions instances can move to: not the view-only model.
    assert '<option value="3"' not in page.split('name="to"')[1].split("</select>")[0]
    owner.get("/language/zh_Hans")
    chinese = owner.get("/owner/processes/document_review/migrate?from=1&to=2").get_data(as_text=True)
    # The task is named in the page's language, as the version's diagram is.
    assert "<code>review</code> 审核文件 (就绪): 名称" in chinese and "新版本新增的元素：stamp (Stamp 蓋章)" in chinese
    assert "Review the document (就绪)" not in chinese

    model = owner.get("/owner/processes/document_review/migrate?from=1&to=3")
    assert model.status_code == 422
    assert "版本 3 是仅供查看的模型" in model.get_data(as_text=True)
    app.lifecycle.set_retired("document_review", 2, True, "u_process_owner")
    assert "migrate?from=1&amp;to=2" not in owner.get("/owner/processes").get_data(as_text=True)
    retired = owner.post("/owner/processes/document_review/migrate", data={"from": "1", "to": "2"})
    assert retired.status_code == 422
    assert 'data-refused="migration">版本 2 已停用' in retired.get_data(as_text=True)
    assert app.runtime.get_instance(reviewing.id).version == 1
    assert not [e for e in app.history.events(reviewing.id) if e.type == "instance_migrated"]


def test_a_version_page_shows_which_processes_it_calls_and_which_call_it(app: Casedesk, login_as: LoginAs) -> None:
    from tests.integration.test_call_binding import CASE, FORMS, edit_consultation
    from engine.definitions.service import collect_files
    app.definitions.deploy(collect_files(CASE, FORMS), "u_process_owner")
    edit_consultation(app)
    owner = login_as("process_owner")
    case_page = owner.get("/owner/processes/business_case/1").get_data(as_text=True)
    assert 'data-element="call_consultation" data-called="consultation" data-runs="2"' in case_page
    assert "the newest version when the call starts" in case_page
    assert 'data-element="call_feedback" data-called="feedback" data-runs="1"' in case_page
    consultation = owner.get("/owner/processes/consultation/2").get_data(as_text=True)
    assert 'data-caller="business_case"' in consultation and "call_consultation" in consultation
    owner.get("/language/zh_Hans")
    chinese = owner.get("/owner/processes/business_case/1").get_data(as_text=True)
    assert "调用开始时的最新版本" in chinese
    assert "<code>call_consultation</code> 客户咨询" in chinese  # the call's name in the page's language
    called = owner.get("/owner/processes/consultation/2").get_data(as_text=True)
    assert "<code>call_consultation</code> 客户咨询 ·" in called


def test_the_diff_page_names_old_and_new_values_and_shows_layout_only_when_asked(app: Casedesk,
                                                                               login_as: LoginAs) -> None:
    """Issue 16 item 5: a moved shape is no change unless `?layout=1`; a changed condition shows both values."""
    text = demo_with_stamp_task()[DEMO].decode()
    text = text.replace("decision == 'approve'", "decision in ('approve', 'ok')")
    text = text.replace('<dc:Bounds x="420" y="110" width="100" height="80" />',
                        '<dc:Bounds x="430" y="110" width="100" height="80" />')
    app.definitions.deploy(demo_with_stamp_task() | {DEMO: text.encode()}, "u_process_owner")
    owner = login_as("process_owner")
    page = owner.get("/owner/processes/document_review/diff?old=1&new=2").get_data(as_text=True)
    assert 'data-element="flow_approved" data-change="changed"' in page
    assert "<del>decision == &#39;approve&#39;</del> → <ins>decision in (&#39;approve&#39;, &#39;ok&#39;)</ins>" in page
    assert 'data-element="draft"' not in page
    with_layout = owner.get("/owner/processes/document_review/diff?old=1&new=2&layout=1").get_data(as_text=True)
    assert 'data-element="draft" data-change="changed"' in with_layout and 'data-property="layout"' in with_layout
    assert 'x=&#34;430&#34;' in with_layout and 'x=&#34;430&#34;' not in page


def test_every_word_a_migration_report_uses_has_its_translation() -> None:
    from web.owner.migration_text import WORDS, all_words
    assert all_words() <= WORDS

"""Names in other languages from the modeler's panel (issue 16): the page hands the panel the diagram's
catalogues, a deploy writes the names given into a new version's catalogues so pages in that language show them,
a renamed element keeps its translations, and a refused name is a 4xx per field that stores nothing and keeps
everything typed (web/owner/names.py, engine/definitions/translations.py)."""
from __future__ import annotations

import html
import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.translations import read_catalogue
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs, Scenario
from tests.web.test_owner_pages import versions

DEMO = "document_review.bpmn"
EDIT = "/owner/processes/document_review/1/edit"
HANS, HANT = "document_review.zh-Hans.i18n.json", "document_review.zh-Hant.i18n.json"


def panel_translations(page: str) -> dict[str, Any]:
    found = re.search(r'data-translations="([^"]*)"', page)
    assert found, "the modeler hands the panel the diagram's translations"
    return dict(json.loads(html.unescape(found.group(1))))


def stored(app: Casedesk, version: int, name: str) -> bytes:
    return DefinitionCatalog(app.db).files("document_review", version)[name]


def chinese_reader(web: Flask, user: str, language: str = "zh_Hans") -> FlaskClient:
    client = web.test_client()
    client.get(f"/language/{language}")
    assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def test_the_panel_gets_each_language_catalogue_of_the_diagram(app: Casedesk, login_as: LoginAs) -> None:
    page = login_as("process_owner").get(EDIT).get_data(as_text=True)
    translations = panel_translations(page)
    assert translations["locales"] == ["zh-Hans", "zh-Hant"]
    assert translations["catalogue"]["zh-Hans"]["Review the document"] == "审核文件"
    assert translations["catalogue"]["zh-Hant"]["Review the document"] == "審核文件"
    assert translations["typed"] is None and translations["errors"] == {}
    assert 'id="modeler-names" name="names"' in page and "Names in other languages" in page


def test_a_name_given_in_the_panel_is_deployed_and_shown_to_a_reader_of_that_language(
        app: Casedesk, web: Flask, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    source = stored(app, 1, DEMO).decode()
    names = {"zh-Hans": {"review": "审阅正式文件", "draft": "起草文件"}, "zh-Hant": {"review": "審核文件"}}
    response = owner.post(EDIT, data={"file": DEMO, "xml": source, "names": json.dumps(names)})
    assert response.status_code == 302 and response.location.endswith("/owner/processes/document_review/2")
    assert read_catalogue(stored(app, 2, HANS))[1]["Review the document"] == "审阅正式文件"
    assert stored(app, 2, HANT) == stored(app, 1, HANT)  # nothing changed in that language
    assert stored(app, 2, DEMO) == stored(app, 1, DEMO)  # the diagram stays English

    scenario = Scenario(app)
    reviewer = chinese_reader(web, "u_reviewer")
    assert "审阅正式文件" in reviewer.get("/inbox").get_data(as_text=True)
    assert "审阅正式文件" in reviewer.get(f"/tasks/{scenario.task_id}").get_data(as_text=True)
    reopened = panel_translations(owner.get("/owner/processes/document_review/2/edit").get_data(as_text=True))
    assert reopened["catalogue"]["zh-Hans"]["Review the document"] == "审阅正式文件"


def test_renaming_an_element_in_the_modeler_keeps_its_translations(app: Casedesk, login_as: LoginAs) -> None:
    source = stored(app, 1, DEMO).decode()
    edited = source.replace('name="Publish with a reference number"', 'name="Number and publish"')
    response = login_as("process_owner").post(EDIT, data={"file": DEMO, "xml": edited})
    assert response.status_code == 302
    for catalogue, text in ((HANS, "编号并发布"), (HANT, None)):
        before, after = read_catalogue(stored(app, 1, catalogue))[1], read_catalogue(stored(app, 2, catalogue))[1]
        assert after["Number and publish"] == (text or before["Publish with a reference number"])
        assert "Publish with a reference number" not in after
        assert len(after) == len(before)


def test_a_refused_name_is_reported_per_field_stores_nothing_and_keeps_what_was_typed(
        app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    source = stored(app, 1, DEMO).decode()
    names = {"zh-Hans": {"review": "<b>审核</b>", "draft": "起" * 201, "prepare": "准备文件记录", "publish": "编号\n发布"},
             "zh-Hant": {"ghost": "幽靈"}}
    response = owner.post(EDIT, data={"file": DEMO, "xml": source, "names": json.dumps(names)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    translations = panel_translations(page)
    assert translations["typed"] == names  # nothing typed is lost
    assert set(translations["errors"]) == {"zh-Hans:review", "zh-Hans:draft", "zh-Hans:publish", "zh-Hant:ghost"}
    assert "Plain text only" in translations["errors"]["zh-Hans:review"]
    assert "At most 200 characters" in translations["errors"]["zh-Hans:draft"]
    assert 'data-element="review"' in page and 'data-element="draft"' in page  # the report names each element
    assert versions(app) == [1]


def test_elements_of_one_english_name_cannot_get_two_translations(app: Casedesk, login_as: LoginAs) -> None:
    source = stored(app, 1, DEMO).decode().replace('name="Document requested"', 'name="Document published"')
    names = {"zh-Hans": {"start": "已请求", "end": "已发布"}}
    response = login_as("process_owner").post(EDIT, data={"file": DEMO, "xml": source, "names": json.dumps(names)})
    assert response.status_code == 422
    errors = panel_translations(response.get_data(as_text=True))["errors"]
    assert set(errors) == {"zh-Hans:start", "zh-Hans:end"} and "Document published" in errors["zh-Hans:end"]
    assert versions(app) == [1]


def test_names_not_sent_as_the_page_sends_them_are_a_bad_request(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    source = stored(app, 1, DEMO).decode()
    for names in ("{not json", json.dumps({"fr": {"review": "Revoir"}}), json.dumps({"zh-Hans": {"review": 3}}),
                  json.dumps(["review"])):
        assert owner.post(EDIT, data={"file": DEMO, "xml": source, "names": names}).status_code == 400, names
    assert versions(app) == [1]


def test_the_panel_strings_read_in_the_pages_language(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    for language, group in (("zh_Hans", "其他语言的名称"), ("zh_Hant", "其他語言的名稱"), ("en", "Names in other languages")):
        owner.get(f"/language/{language}")
        page = owner.get(EDIT).get_data(as_text=True)
        assert _labels(page) == group, language


def _labels(page: str) -> str:
    found = re.search(r'data-labels="([^"]*)"', page)
    assert found
    return str(json.loads(html.unescape(found.group(1)))["namesGroup"])


def test_a_pool_and_its_process_named_in_the_panel_name_the_process_on_the_start_page(
        app: Casedesk, web: Flask, login_as: LoginAs) -> None:
    source = stored(app, 1, DEMO).decode()
    names = {"zh-Hant": {"document_review": "文件審批", "document_review_participant": "文件審批"}}
    response = login_as("process_owner").post(EDIT, data={"file": DEMO, "xml": source, "names": json.dumps(names)})
    assert response.status_code == 302
    assert read_catalogue(stored(app, 2, HANT))[1]["Document review"] == "文件審批"
    assert "文件審批" in chinese_reader(web, "u_clerk", "zh_Hant").get("/start").get_data(as_text=True)

"""The form editor (issue 16, item 3): a version's JSON Schema and UI schema edited in the browser, previewed
as the task page renders them with the messages sample data gets, and deployed as a new version."""
from __future__ import annotations

import json
from typing import Any

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs
from tests.web.test_owner_diff import DEMO

FORM = "review.schema.json"
EDITOR = f"/owner/processes/document_review/1/forms/{FORM}"


def stored_form(app: Casedesk, version: int = 1) -> dict[str, Any]:
    return json.loads(DefinitionCatalog(app.db).files("document_review", version)[FORM])


def versions(app: Casedesk) -> list[int]:
    return [v.version for v in DefinitionCatalog(app.db).versions("document_review")]


def test_the_editor_shows_the_version_form_and_is_linked_from_the_version_page(login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    page = owner.get(EDITOR).get_data(as_text=True)
    assert 'id="form-schema"' in page and "send_back" in page and 'id="form-ui-schema"' in page
    assert 'id="form-sample"' in page and "/static/form_editor.js" in page and "<script>" not in page
    assert f"{EDITOR}/preview" in page
    assert EDITOR in owner.get("/owner/processes/document_review/1").get_data(as_text=True)
    assert EDITOR not in login_as("auditor").get("/owner/processes/document_review/1").get_data(as_text=True)
    assert owner.get("/owner/processes/document_review/1/forms/document_review.zh-Hans.i18n.json").status_code == 404
    assert owner.get("/owner/processes/document_review/1/forms/nothing.json").status_code == 404


def test_preview_renders_the_task_form_with_the_messages_of_the_sample_data(app: Casedesk,
                                                                            login_as: LoginAs) -> None:
    schema = stored_form(app)
    schema["properties"]["urgency"] = {"type": "integer", "title": "Urgency", "minimum": 1, "maximum": 5}
    answer = login_as("process_owner").post(f"{EDITOR}/preview", data={
        "schema": json.dumps(schema), "ui_schema": json.dumps({"ui:order": ["urgency", "decision"]}),
        "sample": json.dumps({"urgency": 9, "comment": "looks fine"})})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["ok"] is True
    assert body["messages"] == {"decision": ["This field is required."], "urgency": ["The largest allowed value is 5."]}
    html = body["html"]
    # The task page's own field markup, in the UI schema's order, filled with the sample data.
    assert html.index('data-field="urgency"') < html.index('data-field="decision"') < html.index('data-field="comment"')
    assert 'name="urgency"' in html and 'value="9"' in html and "looks fine" in html
    assert "This field is required." in html and "The largest allowed value is 5." in html
    assert "Review the document" in html
    assert versions(app) == [1]  # a preview stores nothing


def test_bad_json_or_schema_is_a_422_in_words(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    bad_json = owner.post(f"{EDITOR}/preview", data={"schema": '{"type": "object",', "ui_schema": "{}", "sample": "{}"})
    assert bad_json.status_code == 422
    assert bad_json.get_json() == {"ok": False, "problems": [f"{FORM}: not valid JSON: line 1: Expecting property name "
                                                             "enclosed in double quotes"]}
    bad_schema = owner.post(f"{EDITOR}/preview",
                            data={"schema": '{"type": "objekt"}', "ui_schema": "{}", "sample": "{}"})
    assert bad_schema.status_code == 422 and "not a valid JSON Schema" in bad_schema.get_json()["problems"][0]
    bad_sample = owner.post(f"{EDITOR}/preview", data={"schema": "{}", "ui_schema": "{}", "sample": "[1, 2]"})
    assert bad_sample.status_code == 422 and bad_sample.get_json()["problems"] == ["sample data: must be a JSON object"]
    huge = owner.post(f"{EDITOR}/preview", data={"schema": "{}", "ui_schema": " " * 300_000, "sample": "{}"})
    assert huge.status_code == 422 and "at most" in huge.get_json()["problems"][0]
    refused = owner.post(EDITOR, data={"schema": '{"type": "object",', "ui_schema": "{}"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "not valid JSON" in page and 'id="problems"' in page
    assert '{&#34;type&#34;: &#34;object&#34;,' in page  # the owner keeps what they typed
    assert versions(app) == [1]


def test_deploy_creates_a_new_version_with_the_edited_form(app: Casedesk, login_as: LoginAs) -> None:
    schema = stored_form(app)
    schema["properties"]["decision"]["enum"] = ["approve", "send_back", "reject"]
    text = json.dumps(schema, indent=2)
    response = login_as("process_owner").post(EDITOR, data={"schema": text, "ui_schema": "{}", "sample": "{}"})
    assert response.status_code == 302 and response.location.endswith("/owner/processes/document_review/2")
    assert versions(app) == [2, 1]
    assert DefinitionCatalog(app.db).files("document_review", 2)[FORM].decode() == text
    assert DefinitionCatalog(app.db).version("document_review", 2).origin == "modeler"
    assert stored_form(app, 1)["properties"]["decision"]["enum"] == ["approve", "send_back"]


def test_a_ui_schema_with_no_file_to_go_to_stores_nothing(app: Casedesk,
                                                           login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    text = json.dumps(stored_form(app))
    no_ui_file = owner.post(EDITOR, data={"schema": text, "ui_schema": '{"ui:order": ["comment"]}'})
    assert no_ui_file.status_code == 422 and "name one in the modeler" in no_ui_file.get_data(as_text=True)
    assert versions(app) == [1]


def test_only_process_owners_edit_and_preview_forms(login_as: LoginAs) -> None:
    data = {"schema": "{}", "ui_schema": "{}", "sample": "{}"}
    for role in ("auditor", "clerk", "admin"):
        client = login_as(role)
        assert client.get(EDITOR).status_code == 403
        assert client.post(f"{EDITOR}/preview", data=data).status_code == 403
        assert client.post(EDITOR, data=data).status_code == 403


def test_the_ui_schema_a_task_pairs_with_the_form_is_edited_and_deployed_with_it(app: Casedesk,
                                                                                 login_as: LoginAs) -> None:
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    paired = files[DEMO].decode().replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="review.schema.json" />',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="review.schema.json" />'
        '<spiffworkflow:property name="formUiSchemaFilename" value="review.ui.json" />')
    ui_file = b'{"comment": {"ui:widget": "textarea"}}'
    app.definitions.deploy(files | {DEMO: paired.encode(), "review.ui.json": ui_file}, "u_process_owner")
    owner = login_as("process_owner")
    editor = "/owner/processes/document_review/2/forms/review.schema.json"
    page = owner.get(editor).get_data(as_text=True)
    assert "UI schema (review.ui.json)" in page and "ui:widget" in page
    ui = '{"ui:order": ["comment", "decision"]}'
    html = owner.post(f"{editor}/preview", data={"schema": json.dumps(stored_form(app, 2)), "ui_schema": ui,
                                                  "sample": "{}"}).get_json()["html"]
    assert html.index('data-field="comment"') < html.index('data-field="decision"')
    response = owner.post(editor, data={"schema": json.dumps(stored_form(app, 2)), "ui_schema": ui})
    assert response.status_code == 302 and versions(app) == [3, 2, 1]
    assert DefinitionCatalog(app.db).files("document_review", 3)["review.ui.json"].decode() == ui
    refused = owner.post(editor, data={"schema": json.dumps(stored_form(app, 2)), "ui_schema": "[]"})
    assert refused.status_code == 422 and "review.ui.json: must be a JSON object" in refused.get_data(as_text=True)
    assert versions(app) == [3, 2, 1]

"""In a real browser: a process owner edits a form's JSON Schema and sees the live preview — the task
page's fields filled with the sample data and its messages — and, for text that is not JSON, why not."""
from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import sign_in


def test_an_owner_previews_an_edited_form_with_the_messages_of_sample_data(browser: Any, server: str) -> None:
    owner = sign_in(browser, server, "en", "owen")
    owner.goto(f"{server}/owner/processes/document_review/1")
    owner.locator("a[href$='/forms/review.schema.json']").click()
    schema = json.loads(owner.locator("#form-schema").input_value())
    schema["properties"]["urgency"] = {"type": "integer", "title": "Urgency", "maximum": 5}
    owner.locator("#form-schema").fill(json.dumps(schema))
    owner.locator("#form-sample").fill(json.dumps({"urgency": 7, "comment": "from the browser"}))
    owner.get_by_role("button", name="Preview").click()
    owner.wait_for_selector("#form-preview [data-field=urgency]")
    preview = owner.locator("#form-preview")
    assert preview.locator("input[name=urgency]").input_value() == "7"
    assert "The largest allowed value is 5." in preview.inner_text()
    assert "This field is required." in preview.locator("[data-field=decision]").inner_text()
    assert owner.locator("#form-preview-problems").is_hidden()
    owner.locator("#form-schema").fill('{"type": "object",')
    owner.get_by_role("button", name="Preview").click()
    owner.wait_for_selector("#form-preview-problems:not([hidden])")
    assert "not valid JSON" in owner.locator("#form-preview-problems").inner_text()
    assert owner.locator("#form-preview").inner_text() == ""

"""The modeler's names in other languages written into a diagram's catalogues (issue 16, per-language names;
engine/definitions/translations.py `edited_catalogues`): what the owner gives lands under the element's English
name, a renamed element's translations follow it, and every other entry stays as it was."""
from __future__ import annotations

import json

import pytest

from engine.config import PROJECT_ROOT
from engine.definitions.translations import edited_catalogues, read_catalogue

DEMO = PROJECT_ROOT / "processes" / "demo"
DIAGRAM = "document_review.bpmn"
HANS, HANT = "document_review.zh-Hans.i18n.json", "document_review.zh-Hant.i18n.json"
FORM = {"title": "Review the document", "properties": {"decision": {"title": "Decision"}}}


def bundle() -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in DEMO.iterdir()}
    files["review.schema.json"] = json.dumps(FORM).encode()
    return files


def source() -> str:
    return bundle()[DIAGRAM].decode()


def messages(content: bytes) -> dict[str, str]:
    return read_catalogue(content)[1]


def test_a_name_given_in_the_panel_replaces_that_entry_only() -> None:
    files = bundle()
    changed = edited_catalogues(files, DIAGRAM, files[DIAGRAM], {"zh-Hans": {"draft": "起草正式文件"}})
    assert set(changed) == {HANS}
    before, after = messages(files[HANS]), messages(changed[HANS])
    assert after["Draft the document"] == "起草正式文件"
    assert {k: v for k, v in after.items() if k != "Draft the document"} == {
        k: v for k, v in before.items() if k != "Draft the document"}
    assert read_catalogue(changed[HANS])[0] == "zh-Hans"


def test_nothing_changes_when_the_panel_shows_what_is_stored() -> None:
    files = bundle()
    same = {"zh-Hans": {"draft": "起草文件", "review": " 审核文件 "}, "zh-Hant": {}}
    assert edited_catalogues(files, DIAGRAM, files[DIAGRAM], same) == {}


def test_a_renamed_element_takes_its_translations_to_its_new_name_in_every_language() -> None:
    files = bundle()
    edited = source().replace('name="Prepare the document record"', 'name="Open the document record"')
    changed = edited_catalogues(files, DIAGRAM, edited.encode(), {})
    for catalogue in (HANS, HANT):
        before, after = messages(files[catalogue]), messages(changed[catalogue])
        assert after["Open the document record"] == before["Prepare the document record"]
        assert "Prepare the document record" not in after  # no orphan left behind
        assert {k: v for k, v in after.items() if k != "Open the document record"} == {
            k: v for k, v in before.items() if k != "Prepare the document record"}


def test_a_renamed_element_with_a_new_translation_gets_the_new_one() -> None:
    files = bundle()
    edited = source().replace('name="Prepare the document record"', 'name="Open the record"')
    changed = edited_catalogues(files, DIAGRAM, edited.encode(), {"zh-Hant": {"prepare": "開立紀錄"}})
    assert messages(changed[HANT])["Open the record"] == "開立紀錄"
    assert messages(changed[HANS])["Open the record"] == "准备文件记录"


def test_the_old_name_stays_while_a_form_still_shows_it() -> None:
    files = bundle()
    edited = source().replace('name="Review the document"', 'name="Check the document"')
    after = messages(edited_catalogues(files, DIAGRAM, edited.encode(), {})[HANS])
    assert after["Check the document"] == after["Review the document"] == "审核文件"


def test_elements_sharing_a_name_share_the_entry_and_emptying_it_shows_english() -> None:
    files = bundle()
    edited = source().replace('name="Document requested"', 'name="Document published"')
    after = messages(edited_catalogues(files, DIAGRAM, edited.encode(), {"zh-Hans": {"end": "已发布"}})[HANS])
    assert after["Document published"] == "已发布"
    assert "Document requested" not in after
    cleared = messages(edited_catalogues(files, DIAGRAM, files[DIAGRAM], {"zh-Hans": {"approved_gateway": ""}})[HANS])
    assert "Approved?" not in cleared and cleared["approved"] == "批准"


def test_a_missing_catalogue_is_created_and_an_unreadable_one_is_never_overwritten() -> None:
    files = bundle()
    del files[HANT]
    created = edited_catalogues(files, DIAGRAM, files[DIAGRAM], {"zh-Hant": {"draft": "起草文件"}})
    assert read_catalogue(created[HANT]) == ("zh-Hant", {"Draft the document": "起草文件"})
    files[HANT] = b"{not json"
    assert edited_catalogues(files, DIAGRAM, files[DIAGRAM], {"zh-Hant": {"draft": ""}}) == {}
    with pytest.raises(ValueError, match=HANT):
        edited_catalogues(files, DIAGRAM, files[DIAGRAM], {"zh-Hant": {"draft": "起草文件"}})


def test_a_deleted_element_leaves_no_orphan_entry() -> None:
    files = bundle()
    edited = source().replace(' name="send back"', "")
    after = messages(edited_catalogues(files, DIAGRAM, edited.encode(), {})[HANS])
    assert "send back" not in after and after["approved"] == "批准"


def test_an_element_renamed_to_a_name_with_an_entry_shares_that_entry() -> None:
    files = bundle()
    edited = source().replace('name="Prepare the document record"', 'name="Draft the document"')
    after = messages(edited_catalogues(files, DIAGRAM, edited.encode(), {})[HANS])
    assert after["Draft the document"] == "起草文件"
    assert "Prepare the document record" not in after

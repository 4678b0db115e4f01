"""Honest fields (issue 13 item 5): `required` and input attributes say what the schema says, an empty
required field is refused by the server with nothing stored, and the archive number is a choice of the
archives the user may borrow, checked again when the form comes back (R-6.4)."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from casework.archive_register import open_archive, request_borrowing
from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.conftest import PASSWORD
from tests.web.conftest import signed_in

EN = {"Accept-Language": "en"}
INTAKE = {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "", "business_type": "sales",
          "question": "How do I order?", "answered_now": True, "answer": "Fill in the application.",
          "wants_to_apply": True}


@pytest.fixture
def org(app: Casedesk, clock: FakeClock) -> Casedesk:
    for folder in ("case", "archive"):
        app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / folder, PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, PASSWORD)
    return app


def _input(page: str, name: str) -> str:
    match = re.search(rf'<(input|select|textarea) id="f-{name}"[^>]*>', page, re.S)
    assert match, name
    return " ".join(match.group(0).split())


def _fill_application_task(app: Casedesk) -> Any:
    view = app.runtime.start_instance("business_case", {}, actor="ivy")
    view = app.runtime.complete_task(view.ready_tasks[0].id, INTAKE, actor="ivy")
    (task,) = view.ready_tasks
    assert task.task_spec == "fill_application"
    return view.id, task.id


def test_r_2_1_2_required_marks_and_input_types_follow_the_application_schema(org: Casedesk, web: Flask) -> None:
    _, task_id = _fill_application_task(org)
    page = signed_in(web, "ivy").get(f"/tasks/{task_id}", headers=EN).get_data(as_text=True)

    assert 'type="tel"' in _input(page, "mobile") and 'type="email"' in _input(page, "email")
    # Mobile and e-mail may be left empty (unless the channel needs them): neither required nor starred.
    for optional in ("mobile", "email"):
        assert "required" not in _input(page, optional)
        assert not re.search(rf'<label for="f-{optional}">[^<]*<span class="req"', page)
    for required in ("customer_name", "title", "description"):
        assert re.search(r"\brequired\b", _input(page, required)), required
        assert re.search(rf'<label for="f-{required}">[^<]*<span class="req"', page), required
    assert 'maxlength="200"' in _input(page, "customer_name")
    assert 'aria-required="true"' in page  # the materials (at least one) and the channel radio group


def test_r_2_1_2_an_empty_required_field_is_refused_per_field_and_nothing_is_stored(
        org: Casedesk, web: Flask) -> None:
    instance_id, task_id = _fill_application_task(org)
    events = len(org.history.events(instance_id))
    form = {"customer_name": "", "mobile": "+86 138 0000 0001", "email": "", "preferred_channel": "phone",
            "business_type": "sales", "title": "Order", "description": "Soon", "materials": "contract"}
    response = signed_in(web, "ivy").post(f"/tasks/{task_id}", data=form, headers=EN)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = re.search(r'data-field="customer_name">.*?</div>', page, re.S)
    assert field and "This field is required." in field.group(0)
    assert len(org.history.events(instance_id)) == events
    assert [t.id for t in org.runtime.get_instance(instance_id).ready_tasks] == [task_id]


def test_an_empty_required_text_is_refused_through_the_api_path_too(org: Casedesk) -> None:
    instance_id, task_id = _fill_application_task(org)
    data = {"customer_name": "Wang", "mobile": "", "email": "w@example.com", "preferred_channel": "email",
            "business_type": "sales", "title": "", "description": "Soon", "materials": ["contract"]}
    with pytest.raises(Exception) as refused:
        org.runtime.complete_task(task_id, data, actor="ivy")
    assert getattr(refused.value, "field_errors", {}).get("title") == ["'title' is a required property"]
    assert org.runtime.get_instance(instance_id).ready_tasks[0].id == task_id


def _archives(app: Casedesk, clock: FakeClock) -> list[str]:
    with app.db.transaction() as conn:
        return [open_archive(conn, clock.now(), f"XS-2026010{i}-0001", kind, f"Case {i}", ["contract"], None)
                for i, kind in enumerate(("sales", "finance", "general"), start=1)]


def _apply_task(app: Casedesk, user: str) -> tuple[str, str]:
    view = app.runtime.start_instance("archive_borrowing", {}, actor=user)
    (task,) = view.ready_tasks
    return view.id, task.id


def test_r_6_4_the_archive_number_is_a_choice_of_what_the_user_may_borrow(
        org: Casedesk, web: Flask, clock: FakeClock) -> None:
    sales, finance, general = _archives(org, clock)
    waiting_id, _ = _apply_task(org, "sam")
    with org.db.transaction() as conn:  # sam already waits for the finance archive
        request_borrowing(conn, clock.now(), waiting_id, finance, "audit", 3)
    _, task_id = _apply_task(org, "sam")
    page = signed_in(web, "sam").get(f"/tasks/{task_id}", headers=EN).get_data(as_text=True)

    select = re.search(r'<select id="f-archive_number".*?</select>', page, re.S)
    assert select and "required" in select.group(0)
    offered = re.findall(r'<option value="([^"]+)"', select.group(0))
    assert offered == [sales, general]
    assert f"{sales} · Sales archives" in select.group(0)
    days = _input(page, "days")
    assert all(a in days for a in ('type="number"', 'min="1"', 'max="30"', 'step="1"', "required"))


def test_r_6_4_a_number_not_offered_is_refused_and_nothing_is_stored(
        org: Casedesk, web: Flask, clock: FakeClock) -> None:
    sales, finance, _general = _archives(org, clock)
    waiting_id, _ = _apply_task(org, "sam")
    with org.db.transaction() as conn:
        request_borrowing(conn, clock.now(), waiting_id, finance, "audit", 3)
    instance_id, task_id = _apply_task(org, "sam")
    events = len(org.history.events(instance_id))
    client = signed_in(web, "sam")
    for number in (finance, "DA-XS-2026-999999"):
        response = client.post(f"/tasks/{task_id}", data={"archive_number": number, "purpose": "audit", "days": "3"},
                               headers=EN)
        assert response.status_code == 422, number
        field = re.search(r'data-field="archive_number">.*?</div>', response.get_data(as_text=True), re.S)
        assert field and "Choose one of the offered values." in field.group(0)
    assert len(org.history.events(instance_id)) == events

    empty = client.post(f"/tasks/{task_id}", data={"archive_number": "", "purpose": "audit", "days": "3"}, headers=EN)
    assert empty.status_code == 422 and "say which archive to borrow" in empty.get_data(as_text=True)
    assert len(org.history.events(instance_id)) == events

    response = client.post(f"/tasks/{task_id}", data={"archive_number": sales, "purpose": "audit", "days": "3"})
    assert response.status_code == 302  # an offered number goes through

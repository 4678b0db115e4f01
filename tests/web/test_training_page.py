"""The training page (R-7): plans, sessions with attendance, each person's training record and career plans;
staff see their own, heads their department, training owners, leaders, auditors and administrators everyone;
one language per page."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from tests.acceptance.training_desk import (FIRST_SESSION, PLAN, approved_plan, deploy_training, session_day)
from tests.web.conftest import PASSWORD
from tests.support.steps import task, tasks, work


def client(web: Flask, user: str, language: str = "en") -> FlaskClient:
    browser = web.test_client()
    assert browser.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    browser.get(f"/language/{language}")
    return browser


def a_held_session(app: Casedesk) -> None:
    """PX-2026-0001 for sam, fay and gus; at its first session gus was absent and sam scored 85."""
    seed_demo_org(app.db, app.clock, PASSWORD)
    deploy_training(app)
    plan_id = approved_plan(app)
    session_day(app, FIRST_SESSION)
    work(app, "gil", "confirm_sign_in", {"absentees": "gus", "session_record": "Clauses 1-12."}, plan_id)
    for assessment in tasks(app, "gil", "assess_participant", plan_id):
        score = 85 if "sam" in (assessment.instructions or "") else 55
        app.runtime.complete_task(assessment.id, {"training_score": score, "assessment_remark": ""}, "gil")
    career_id = app.runtime.start_instance("career_plan", {}, actor="gil").id
    work(app, "gil", "open_career_plan", {"career_employee": "fay", "career_superior": "fred",
                                          "review_every_months": 6}, career_id)


def test_training_owners_and_leaders_see_every_plan_session_record_and_career_plan(app: Casedesk, web: Flask) -> None:
    a_held_session(app)
    page = client(web, "leo").get("/training")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-plan="PX-2026-0001"' in html and 'data-session="PX-2026-0001-1"' in html
    assert all(f'data-record="{person}"' in html for person in ("fay", "gus", "sam"))
    assert 'data-career="ZY-2026-0001"' in html
    assert '<span data-person="gus">gus: absent</span>' in html and "<td>85</td>" in html
    assert 'href="/training"' in html  # the navigation names the page
    plan_link = html.split('data-plan="PX-2026-0001"><th scope="row"><a href="')[1].split('"')[0]
    assert plan_link.startswith("/instances/") and client(web, "leo").get(plan_link).status_code == 200


def test_staff_see_only_their_own_record_and_heads_their_department(app: Casedesk, web: Flask) -> None:
    a_held_session(app)
    own = client(web, "sam").get("/training").get_data(as_text=True)
    assert 'data-record="sam"' in own and 'data-record="fay"' not in own and 'data-person="gus"' not in own
    assert "<td>85</td>" in own and "ZY-2026-0001" not in own and 'href="/instances/' not in own
    head = client(web, "gil").get("/training").get_data(as_text=True)  # a training owner sees everyone
    assert 'data-record="sam"' in head
    fred = client(web, "fred").get("/training").get_data(as_text=True)  # finance head: fay, and the plan he guides
    assert 'data-record="fay"' in fred and 'data-record="sam"' not in fred and 'data-career="ZY-2026-0001"' in fred
    nobody = client(web, "pat").get("/training").get_data(as_text=True)
    assert "data-record=" not in nobody and "No training records yet." in nobody and "PX-2026-0001" not in nobody
    assert client(web, "owen").get("/training").status_code == 403  # a process owner only: no records


def test_the_page_speaks_one_language(app: Casedesk, web: Flask) -> None:
    a_held_session(app)
    hans = client(web, "leo", "zh_Hans").get("/training").get_data(as_text=True)
    assert "职业发展规划" in hans and "缺勤" in hans and "年度培训计划" in hans and "Career development plans" not in hans
    hant = client(web, "leo", "zh_Hant").get("/training").get_data(as_text=True)
    assert "職業發展規劃" in hant and "年度培訓計劃" in hant and "Annual plan" not in hant


def test_the_leader_approves_a_plan_shown_labelled_in_the_page_s_language(app: Casedesk, web: Flask) -> None:
    seed_demo_org(app.db, app.clock, PASSWORD)
    deploy_training(app)
    plan_id = app.runtime.start_instance("training_plan", {}, actor="gil").id
    work(app, "gil", "draft_plan", PLAN, plan_id)
    approval = task(app, "leo", "approve_plan", plan_id)
    hans = client(web, "leo", "zh_Hans").get(f"/tasks/{approval.id}").get_data(as_text=True)
    assert "PX-2026-0001" in hans and "课堂培训" in hans and "年度培训计划" in hans and "Lawyer Li" in hans
    assert "6,000" in hans and "classroom" not in hans
    assert client(web, "sam").get(f"/tasks/{approval.id}").status_code in (403, 404)

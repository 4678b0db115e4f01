"""Auditor pages of issue 6: the replay report with the history to step through, and activity heatmaps."""
from __future__ import annotations

import json

from sqlalchemy import update

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.group_titles import GroupTitles
from casework.demo_org import seed_demo_org
from engine.models import InstanceEvent
from tests.web.conftest import LoginAs, Scenario


def test_the_replay_page_shows_a_verified_report_and_every_event(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    events = app.history.events(scenario.instance_id)
    page = login_as("auditor").get(f"/audit/{scenario.instance_id}/replay")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-verified="true"' in html and f"replaying the {len(events)} recorded events" in html
    assert html.count("<tr class=\"event-") == len(events)
    assert f'data-last="{len(events)}"' in html and f'data-start="{len(events)}"' in html
    assert "/instances/%s/diagram/document_review.bpmn" % scenario.instance_id in html


def test_the_step_controls_read_the_replayed_state_at_each_event(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    events = app.history.events(scenario.instance_id)
    draft_ready = next(e for e in events if e.type == "task_ready")
    auditor = login_as("auditor")
    state = auditor.get(f"/audit/{scenario.instance_id}/state/{draft_ready.seq}.json").get_json()
    assert [(t["element"], t["state"]) for t in state["tokens"]] == [("draft", "READY")]
    assert state["completed"] == {"start": 1, "prepare": 1}
    assert state["flows"] == {"flow_start_prepare": 1, "flow_prepare_draft": 1}
    latest = auditor.get(f"/audit/{scenario.instance_id}/state/{len(events)}.json").get_json()
    assert [t["element"] for t in latest["tokens"]] == ["review"]
    assert latest["data"]["body"] == "Text" and latest["actors"][0]["actor"] == "u_clerk"
    assert auditor.get(f"/audit/{scenario.instance_id}/state/{len(events) + 1}.json").status_code == 422


def test_a_tampered_instance_shows_its_divergence(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    edited = next(e for e in app.history.events(scenario.instance_id) if e.type == "task_done"
                  and e.task_spec == "prepare")
    payload = json.loads(edited.payload)
    payload["delta"]["set"]["rounds"] = 4
    with app.db.unit_of_work() as session:
        session.execute(update(InstanceEvent).where(InstanceEvent.id == edited.id).values(payload=json.dumps(payload)))
    html = login_as("admin").get(f"/audit/{scenario.instance_id}/replay").get_data(as_text=True)
    assert 'data-verified="false"' in html
    assert f'data-divergence-seq="{edited.seq}"' in html and "event differs" in html
    assert "payload.delta.set.rounds" in html


def test_the_heatmap_counts_cases_per_step_and_flow(app: Casedesk, login_as: LoginAs) -> None:
    Scenario(app)
    Scenario(app)
    auditor = login_as("auditor")
    assert "/audit/heatmap/document_review" in auditor.get("/audit/heatmap").get_data(as_text=True)
    html = auditor.get("/audit/heatmap/document_review").get_data(as_text=True)
    assert '<tr data-element="draft"><td title="draft">Draft the document</td><td>2</td><td>2</td></tr>' in html
    assert ('<tr data-flow="flow_draft_review"><td title="flow_draft_review">flow_draft_review</td><td>2</td>'
            '<td>2</td></tr>') in html
    assert 'id="heatmap-data"' in html and "bpmn:definitions" in html
    assert auditor.get("/audit/heatmap/document_review?version=7").status_code == 404
    assert auditor.get("/audit/heatmap/no_such_process").status_code == 404


def test_the_audit_history_links_to_the_replay_and_the_nav_to_the_heatmaps(app: Casedesk,
                                                                          login_as: LoginAs) -> None:
    scenario = Scenario(app)
    auditor = login_as("auditor")
    assert f"/audit/{scenario.instance_id}/replay" in auditor.get(f"/audit/{scenario.instance_id}").get_data(as_text=True)
    assert 'href="/audit/heatmap"' in auditor.get("/inbox").get_data(as_text=True)
    assert 'href="/audit/heatmap"' not in login_as("clerk").get("/inbox").get_data(as_text=True)


def test_the_replay_and_heatmap_pages_speak_chinese(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    auditor = login_as("auditor")
    zh = {"Accept-Language": "zh-CN"}
    replay = auditor.get(f"/audit/{scenario.instance_id}/replay", headers=zh).get_data(as_text=True)
    assert "回放报告" in replay and "逐步查看历史" in replay and "已验证" in replay
    heatmap = auditor.get("/audit/heatmap/document_review", headers=zh).get_data(as_text=True)
    assert "热力图" in heatmap and "经过次数" in heatmap
    history = auditor.get(f"/audit/{scenario.instance_id}", headers=zh).get_data(as_text=True)
    assert "文件审核 v1" in history and "Document review" not in history


def test_diagrams_on_chinese_pages_carry_chinese_labels(app: Casedesk, login_as: LoginAs) -> None:
    """One language per page: the heatmap's title, step table and diagram, and the diagram the instance and
    replay pages draw, name the steps in the page's language; English pages keep the diagram as deployed."""
    scenario = Scenario(app)
    GroupTitles(app.db).set_titles("clerk", {"zh-Hant": "文件起草人"})
    auditor = login_as("auditor")
    zh = {"Accept-Language": "zh-CN"}
    heatmap = auditor.get("/audit/heatmap/document_review", headers=zh).get_data(as_text=True)
    assert "文件审核" in auditor.get("/audit/heatmap", headers=zh).get_data(as_text=True)
    assert "<h1>热力图: 文件审核</h1>" in heatmap and '<td title="draft">起草文件</td>' in heatmap
    assert 'name=\\"起草文件\\"' in heatmap and "Draft the document" not in heatmap
    url = f"/instances/{scenario.instance_id}/diagram/document_review.bpmn"
    chinese = auditor.get(url, headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert 'name="起草文件"' in chinese and 'id="draft"' in chinese and "Draft the document" not in chinese
    assert 'id="lane_clerk" name="文件起草人"' in chinese  # the lane shows the group's title, not its code
    english = auditor.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="Draft the document"' in english


def test_an_auditor_steps_a_case_chain_instance_through_its_stages(app: Casedesk, clock: FakeClock,
                                                                   login_as: LoginAs) -> None:
    """Issue 6 on the regulation's own process: the state at each event of a business case (R-2)
    shows the token moving from the consultation into the application stage."""
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, "demo-pass-2026")
    view = app.runtime.start_instance("business_case", {}, actor="ivy")
    (consultation,) = view.ready_tasks
    app.runtime.complete_task(consultation.id, {
        "customer_name": "王小明 Wang Xiaoming", "business_type": "sales", "question": "How do I order?",
        "answered_now": True, "answer": "Fill in the application.", "wants_to_apply": True}, actor="ivy")
    events = app.history.events(view.id)
    auditor = login_as("auditor")
    html = auditor.get(f"/audit/{view.id}/replay").get_data(as_text=True)
    assert 'data-verified="true"' in html and html.count("<tr class=\"event-") == len(events)

    def tokens_at(seq: int) -> list[str]:
        state = auditor.get(f"/audit/{view.id}/state/{seq}.json").get_json()
        return [t["element"] for t in state["tokens"] if t["state"] == "READY"]

    first_ready = next(e for e in events if e.type == "task_ready")
    assert tokens_at(first_ready.seq) == ["receive_consultation"]
    assert tokens_at(len(events)) == ["fill_application"]

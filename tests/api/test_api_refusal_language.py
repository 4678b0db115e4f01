"""An API client refused by the engine or the API itself (403, 404, 409) reads the refusal in its Accept-Language; the
code and status are the same in every language."""
from __future__ import annotations

from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.api.conftest import OWNER, Headers, error_of


def test_a_retirement_by_staff_is_refused_in_the_clients_language(client: FlaskClient, auth: Headers) -> None:
    said = {tag: client.post("/api/v1/processes/document_review/retirement", json={"retired": True},
                             headers={**auth("alice"), "Accept-Language": tag}) for tag in ("zh-CN", "zh-TW", "en")}
    assert {tag: (r.status_code, error_of(r)["message"]) for tag, r in said.items()} == {
        "zh-CN": (403, "只有流程负责人可以停用和恢复流程"), "zh-TW": (403, "只有流程負責人可以停用和恢復流程"),
        "en": (403, "only process owners retire and restore processes")}


def test_a_missing_task_and_a_finished_one_are_refused_in_the_clients_language(client: FlaskClient,
                                                                                auth: Headers) -> None:
    missing = client.post("/api/v1/tasks/no-such-task/claim", headers={**auth("rita"), "Accept-Language": "zh-CN"})
    assert (missing.status_code, error_of(missing)["message"]) == (404, "没有任务 no-such-task")
    started = client.post("/api/v1/processes/document_review/instances", json={"data": {"title": "A"}},
                          headers=auth("alice"))
    assert started.status_code == 201, started.json
    instance = started.json["id"]
    cancelled = client.post(f"/api/v1/instances/{instance}/cancel", json={}, headers=auth("alice"))
    assert cancelled.status_code == 200, cancelled.json
    again = client.post(f"/api/v1/instances/{instance}/cancel", json={}, headers={**auth("alice"),
                                                                                  "Accept-Language": "zh-TW"})
    assert (again.status_code, error_of(again)["message"]) == (409, f"實例 {instance} 已取消")


def test_a_start_of_a_retired_process_is_refused_in_the_clients_language(app: Casedesk, client: FlaskClient,
                                                                          auth: Headers) -> None:
    app.lifecycle.set_retired("document_review", None, True, OWNER)
    said = {tag: client.post("/api/v1/processes/document_review/instances", json={"data": {"title": "A"}},
                             headers={**auth("alice"), "Accept-Language": tag}) for tag in ("zh-CN", "zh-TW", "en")}
    assert {tag: (r.status_code, error_of(r)["message"]) for tag, r in said.items()} == {
        "zh-CN": (404, "流程“document_review”已停用：不能发起新实例（流程负责人可以将其恢复）"),
        "zh-TW": (404, "流程「document_review」已停用：不能發起新實例（流程負責人可以將其恢復）"),
        "en": (404, "process 'document_review' is retired: no new instances (an owner can bring it back)")}

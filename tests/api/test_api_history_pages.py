"""`GET /api/v1/instances/{id}/history` pages by `seq` cursor; the pages together are the whole log (issue 14)."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.api.conftest import Headers, error_of


def run_rounds(client: FlaskClient, auth: Headers, rounds: int) -> str:
    started = client.post("/api/v1/processes/document_review/instances", json={"data": {"title": "t"}},
                          headers=auth("alice"))
    assert started.status_code == 201, started.json
    instance_id = started.json["id"]
    for round_ in range(rounds):
        for user, data in (("alice", {"body": f"v{round_}"}), ("rita", {"decision": "send_back"})):
            (task,) = client.get("/api/v1/tasks?scope=groups", headers=auth(user)).json
            done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=auth(user))
            assert done.status_code == 200, done.json
    return instance_id


def test_history_pages_follow_the_link_header_to_the_whole_log(client: FlaskClient, auth: Headers) -> None:
    instance_id = run_rounds(client, auth, 3)
    total = client.get(f"/api/v1/instances/{instance_id}", headers=auth("alice")).json["events"]
    url, seen = f"/api/v1/instances/{instance_id}/history?limit=4", []
    while url:
        page = client.get(url, headers=auth("alice"))
        assert page.status_code == 200 and len(page.json) <= 4
        seen += [e["seq"] for e in page.json]
        link = page.headers.get("Link")
        url = re.match(r"<([^>]+)>; rel=\"next\"", link).group(1) if link else ""
    assert seen == list(range(1, total + 1))


def test_a_history_cursor_past_the_end_is_an_empty_page(client: FlaskClient, auth: Headers) -> None:
    instance_id = run_rounds(client, auth, 1)
    page = client.get(f"/api/v1/instances/{instance_id}/history?after=9999", headers=auth("alice"))
    assert page.status_code == 200 and page.json == [] and "Link" not in page.headers


def test_a_bad_history_cursor_is_refused(client: FlaskClient, auth: Headers) -> None:
    instance_id = run_rounds(client, auth, 0)
    for query in ("after=-1", "limit=0", "limit=100000", "after=x"):
        response = client.get(f"/api/v1/instances/{instance_id}/history?{query}", headers=auth("alice"))
        assert response.status_code == 422, query
        error_of(response)

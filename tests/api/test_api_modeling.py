"""The properties panel's server side over the API: the registered service operators with their parameter
names, and the deploy-time sandbox check of one script or condition (process owners only)."""
from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import Headers, error_of

OWNER, CLERK = "owen", "alice"


def test_operators_list_every_registered_handler_with_its_parameter_names(client: FlaskClient,
                                                                          auth: Headers) -> None:
    response = client.get("/api/v1/processes/operators", headers=auth(OWNER))
    assert response.status_code == 200, response.json
    operators = {o["name"]: o["parameters"] for o in response.json}
    assert operators["publish_document"] == [{"name": "title", "required": True}]
    assert {"name": "note", "required": False} in operators["grant_archive_borrowing"]
    assert operators["archive_inventory"] == []
    assert client.get("/api/v1/processes/operators", headers=auth(CLERK)).status_code == 403


def test_code_check_gives_the_deploy_verdict_of_one_condition_or_script(client: FlaskClient,
                                                                        auth: Headers) -> None:
    def check(source: str, kind: str) -> dict:
        response = client.post("/api/v1/processes/code-checks", json={"source": source, "kind": kind},
                               headers=auth(OWNER))
        assert response.status_code == 200, response.json
        return response.json  # type: ignore[no-any-return]

    assert check("decision == 'approve'", "expression") == {"ok": True, "problems": []}
    refused = check("import os\nx = 1", "script")
    assert not refused["ok"] and refused["problems"][0]["line"] == 1
    assert "Import" in refused["problems"][0]["message"]
    assert not check("open('x')", "expression")["ok"]
    assert not check("decision ==", "expression")["ok"]  # a syntax error, as deploying reports it
    assert check("x = 1", "expression")["ok"] is False  # a statement is no condition


def test_code_check_refuses_bad_input_and_other_roles(client: FlaskClient, auth: Headers) -> None:
    bad_kind = client.post("/api/v1/processes/code-checks", json={"source": "1", "kind": "sql"}, headers=auth(OWNER))
    assert bad_kind.status_code == 422 and "kind" in error_of(bad_kind)["fields"]
    too_long = client.post("/api/v1/processes/code-checks", json={"source": "1" * 20_001, "kind": "expression"},
                           headers=auth(OWNER))
    assert too_long.status_code == 422 and "source" in error_of(too_long)["fields"]
    refused = client.post("/api/v1/processes/code-checks", json={"source": "1", "kind": "expression"},
                          headers=auth(CLERK))
    assert refused.status_code == 403

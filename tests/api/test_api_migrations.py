"""POST /api/v1/processes/{key}/migrations: process owners' dry run and move, in the API's shapes."""
from __future__ import annotations

from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.api.conftest import OWNER, Headers, error_of
from tests.integration.test_instance_migration import (RENAMED_REVIEW, at_draft, at_review, demo_files, edited,
                                                       without_review)

URL = "/api/v1/processes/document_review/migrations"


def test_an_owner_dry_runs_then_moves_the_instances_that_can(app: Casedesk, client: FlaskClient,
                                                             auth: Headers) -> None:
    stuck, moving = at_review(app, "stuck"), at_draft(app, "moving")
    app.definitions.deploy(without_review(demo_files()), OWNER)

    dry = client.post(URL, json={"from_version": 1, "to_version": 2}, headers=auth(OWNER))
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] is True and (dry.json["running"], dry.json["can_move"], dry.json["refused"]) == (2, 1, 1)
    by_id = {i["instance"]: i for i in dry.json["instances"]}
    assert by_id[stuck.id]["can_move"] is False and by_id[stuck.id]["lost"][0]["element"] == "review"
    assert "which the target version does not have" in by_id[stuck.id]["reasons"][0]
    assert app.runtime.get_instance(moving.id).version == 1

    done = client.post(URL, json={"from_version": 1, "to_version": 2, "dry_run": False, "batch_size": 5},
                       headers=auth(OWNER))
    assert done.status_code == 200, done.json
    assert (done.json["moved"], done.json["refused"], done.json["batches"]) == (1, 1, 1)
    assert app.runtime.get_instance(moving.id).version == 2 and app.runtime.get_instance(stuck.id).version == 1
    assert app.history.replay(moving.id).verified


def test_staff_are_refused_and_bad_versions_are_clear_errors(app: Casedesk, client: FlaskClient,
                                                             auth: Headers) -> None:
    at_draft(app, "x")
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), OWNER)
    refused = client.post(URL, json={"from_version": 1, "to_version": 2, "dry_run": False}, headers=auth("alice"))
    assert refused.status_code == 403 and error_of(refused)["code"]
    missing = client.post(URL, json={"from_version": 1, "to_version": 9}, headers=auth(OWNER))
    assert missing.status_code == 404 and "has no version 9" in error_of(missing)["message"]
    same = client.post(URL, json={"from_version": 2, "to_version": 2, "dry_run": False}, headers=auth(OWNER))
    assert same.status_code == 422 and "same" in error_of(same)["message"]
    malformed = client.post(URL, json={"from_version": "one"}, headers=auth(OWNER))
    assert malformed.status_code == 422
    app.definitions.store_model(edited(demo_files(), ('isExecutable="true"', 'isExecutable="false"')), OWNER)
    model = client.post(URL, json={"from_version": 1, "to_version": 3, "dry_run": False}, headers=auth(OWNER))
    assert model.status_code == 422 and error_of(model)["fields"] == {"to_version": ["version 3 is a view-only model"]}
    app.lifecycle.set_retired("document_review", 2, True, OWNER)
    retired = client.post(URL, json={"from_version": 1, "to_version": 2, "dry_run": False}, headers=auth(OWNER))
    assert retired.status_code == 422 and error_of(retired)["fields"] == {"to_version": ["version 2 is retired"]}
    unknown = client.post("/api/v1/processes/no_such/migrations", json={"from_version": 1, "to_version": 2},
                          headers=auth(OWNER))
    assert unknown.status_code == 404 and "no process 'no_such' is deployed" in error_of(unknown)["message"]
    assert {i.version for i in app.runtime.list_instances()} == {1}

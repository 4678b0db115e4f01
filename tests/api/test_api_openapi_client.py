"""Done-when of the API: a client that knows only the OpenAPI document runs a case from start to end."""
from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import PASSWORD

from .openapi_client import SpecClient, sample_data

# Who works the demo process's lanes (test_api_case_chain.py runs a business case the same way).
WORKERS = {"clerk": "alice", "reviewer": "rita"}


def test_a_spec_only_client_runs_the_document_review_from_start_to_end(client: FlaskClient) -> None:
    api = SpecClient(client)
    assert {"createToken", "listProcesses", "deployProcesses", "startInstance", "listInstances", "getInstance",
            "cancelInstance", "getInstanceHistory", "listTasks", "getTask", "claimTask", "unclaimTask",
            "completeTask"} <= set(api.operations)
    tokens = {user: api.call("createToken", body={"username": user, "password": PASSWORD}, expect=201)["token"]
              for user in WORKERS.values()}
    api.token = tokens["alice"]
    process = next(p for p in api.call("listProcesses", expect=200) if p["key"] == "document_review")
    assert process["can_start"]
    instance = api.call("startInstance", {"key": "document_review"}, body={"data": {"title": "Travel"}}, expect=201)

    rounds = 0
    while instance["status"] == "running":
        rounds += 1
        assert rounds < 10, "the case did not finish"
        (ready,) = instance["ready_tasks"]
        api.token = tokens[WORKERS[ready["candidate_group"]]]
        waiting = api.call("listTasks", query={"scope": "groups"}, expect=200)
        assert ready["id"] in [t["id"] for t in waiting]
        claimed = api.call("claimTask", {"task_id": ready["id"]}, expect=200)
        assert claimed["assignee"] == WORKERS[ready["candidate_group"]]
        assert ready["id"] in [t["id"] for t in api.call("listTasks", query={"scope": "mine"}, expect=200)]
        task = api.call("getTask", {"task_id": ready["id"]}, expect=200)
        assert task["form_schema"]["type"] == "object"
        instance = api.call("completeTask", {"task_id": ready["id"]}, body={"data": sample_data(task["form_schema"])},
                            expect=200)

    assert instance["status"] == "completed" and rounds == 2
    assert api.call("getInstance", {"instance_id": instance["id"]}, expect=200)["completed_at"]
    history = api.call("getInstanceHistory", {"instance_id": instance["id"]}, expect=200)
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))
    assert history[0]["type"] == "instance_started" and history[-1]["type"] == "instance_completed"
    assert [e["actor"] for e in history if e["type"] == "task_submitted"] == ["alice", "rita"]
    assert instance["id"] in [i["id"] for i in api.call("listInstances", query={"status": "completed"}, expect=200)]


def test_the_spec_documents_every_error_with_one_shape(client: FlaskClient) -> None:
    api = SpecClient(client)
    error = api.spec["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"status", "code", "message", "fields", "problems"}
    assert api.spec["components"]["schemas"]["Error"]["required"] == ["error"]
    for operation_id, (_, _, op) in api.operations.items():
        assert "default" in op["responses"], operation_id
    api.token = "not-a-token"
    api.call("listTasks", expect=401)  # the 401 body validates against the documented error

"""The modeler page's own calls (session and CSRF like every owner page): operators and the live sandbox check."""
from __future__ import annotations

from tests.web.conftest import LoginAs


def test_panel_gets_operators_and_checks_code_as_deploy_would(login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    operators = owner.get("/owner/modeling/operators").get_json()
    assert {"name": "title", "required": True} in next(o for o in operators if o["name"] == "publish_document")[
        "parameters"]
    good = owner.post("/owner/modeling/check", json={"source": "decision == 'approve'", "kind": "expression"})
    assert good.status_code == 200 and good.get_json() == {"ok": True, "problems": []}
    bad = owner.post("/owner/modeling/check", json={"source": "__import__('os')", "kind": "expression"})
    assert bad.status_code == 200 and bad.get_json()["ok"] is False and bad.get_json()["problems"]
    assert owner.post("/owner/modeling/check", json={"source": "1", "kind": "shell"}).status_code == 400
    assert owner.post("/owner/modeling/check", json=["not", "an", "object"]).status_code == 400
    assert login_as("clerk").post("/owner/modeling/check", json={"source": "1", "kind": "script"}).status_code == 403

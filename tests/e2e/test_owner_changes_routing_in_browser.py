"""Issue 16, "done when", in one real browser flow: a process owner changes R-2.2's processing inside the
business case's version (which holds it with its forms and tables) — the handler's form gains an outcome (form
editor), general-affairs cases go to finance (the assignment decision table in dmn-js), questions go to the
company leader (a candidate group in the modeler's properties panel) and the problem gateway's condition takes
the new outcome — test-runs the unsaved draft on the modeler's own canvas, saves the run as a test case,
deploys, and a business case started afterwards follows the new routing (R-2.2.1 assignment, R-2.2.2
escalation). Screenshots in test-artifacts/e2e/owner-changes-routing/."""
from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import PASSWORD, WIDE, Shots, sign_in
from tests.support.modeler import Api, newest_version, show_in_panel, verdict

NEW_CONDITION = "outcome in ('problem', 'unclear')"
UNCLEAR = "Unclear: ask the company leader"
SCRIPT = {"data": {"business_type": "general", "case_number": "T-0001", "title": "Office chairs"},
          "answers": {"handle_case": [{"outcome": "unclear"}, {"outcome": "done", "result": "Ordered"}],
                      "supervisor_answer": [{"supervisor_answer": "Buy the cheaper ones"}]}}
TEST_CASE = "general questions go to the leader"
APPLICATION = {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "wang@example.com",
               "preferred_channel": "email", "business_type": "general", "title": "Office chairs 辦公椅",
               "description": "Twelve chairs. 十二把。", "materials": ["application_form", "identity_document", "contract"]}


def _deployed(page: Any, version: int) -> None:
    page.wait_for_url(f"**/owner/processes/business_case/{version}")
    flashes = page.locator(".flash").all_inner_texts()
    assert any(f"Deployed business_case as version {version}" in text for text in flashes), flashes
    assert any("Deployed processing as version" in text for text in flashes), flashes


def _work(api: Api, instance: str, spec: str, data: dict[str, Any]) -> None:
    task = next(t for t in api.get(f"/tasks?instance_id={instance}") if t["task_spec"] == spec)
    api.post(f"/tasks/{task['id']}/claim", {})
    api.post(f"/tasks/{task['id']}/complete", {"data": data})


def _tasks(api: Api, instance: str) -> list[tuple[str, str | None]]:
    return [(t["task_spec"], t["candidate_group"]) for t in api.get(f"/tasks?instance_id={instance}")]


def test_owner_changes_form_decision_group_and_condition_test_runs_and_a_new_case_follows(browser: Any,
                                                                                           server: str) -> None:
    shots = Shots("owner-changes-routing")
    errors: list[str] = []
    page = sign_in(browser, server, "en", "owen", viewport=WIDE, errors=errors)
    before = {key: newest_version(page, server, key) for key in ("business_case", "processing")}
    trial = [before["business_case"] + 1, before["business_case"] + 2, before["business_case"] + 3]
    try:
        # 1. The handler's form gains a third outcome, in the form editor.
        page.goto(f"{server}/owner/processes/business_case/{before['business_case']}")
        page.locator("a[href$='/forms/handle_case.schema.json']").first.click()
        schema = json.loads(page.locator("#form-schema").input_value())
        schema["properties"]["outcome"]["enum"].append("unclear")
        schema["properties"]["outcome"]["x-enum-titles"].append(UNCLEAR)
        page.locator("#form-schema").fill(json.dumps(schema, ensure_ascii=False, indent=2))
        page.locator("#form-deploy").click()
        _deployed(page, trial[0])

        # 2. General-affairs cases are assigned to finance, in dmn-js.
        page.goto(f"{server}/owner/processes/business_case/{trial[0]}/decisions")
        assert page.locator("#decision-form input[name=file]").input_value().endswith("assignment.dmn")
        page.wait_for_selector("#decision-editor[data-rendered=true]")
        cell = page.locator("#decision-editor td[data-element-id=rule_general_department]")
        assert cell.inner_text().strip() == '"general"'
        page.evaluate("""() => {
            const viewer = window.casedeskDmnModeler.getActiveViewer();
            const cell = viewer.get('elementRegistry').get('rule_general_department');
            viewer.get('modeling').editCell(cell.businessObject, '"finance"');
        }""")
        assert cell.inner_text().strip() == '"finance"'
        shots.take(page, "decision-edited")
        page.locator("#decision-deploy").click()
        _deployed(page, trial[1])

        # 3. In the modeler's panel: the supervisor's group and the problem gateway's condition.
        page.goto(f"{server}/owner/processes/business_case/{trial[1]}")
        page.locator("a[href*='/edit?file='][href$='processing.bpmn']").first.click()
        page.wait_for_selector("#modeler[data-rendered=true]")
        show_in_panel(page, "handle_case")
        assert page.locator("#bio-properties-panel-casedesk-form").input_value().endswith("handle_case.schema.json")
        show_in_panel(page, "supervisor_answer")
        groups = page.locator("#bio-properties-panel-casedesk-candidate-groups")
        assert groups.input_value() == "department + '_head'"
        groups.fill("'leader'")
        verdict(page, "casedesk-candidate-groups", "ok")
        groups.press("Tab")  # leaving the field, as a click on the canvas would
        show_in_panel(page, "flow_problem")
        condition = page.locator("#bio-properties-panel-casedesk-condition")
        assert condition.input_value() == "outcome == 'problem'"
        condition.fill(NEW_CONDITION)
        verdict(page, "casedesk-condition", "ok")
        shots.take(page, "panel-edited")

        # 4. The unsaved draft test-run on the same canvas: the path marked, the data at each step, saved.
        script = page.locator("#modeler-test-script")
        assert '"handle_case": [' in script.input_value()  # a script to start from, one answer per user task
        script.fill(json.dumps(SCRIPT))
        page.locator("#modeler-test-name").fill(TEST_CASE)
        page.get_by_role("button", name="Run the draft").click()
        page.wait_for_selector("#modeler-test-run[data-stop=completed]")
        for element in ("assign_department", "handle_case", "supervisor_answer", "flow_problem", "processing_end"):
            assert page.locator(f"#modeler .djs-element.cd-completed[data-element-id={element}]").count() == 1, element
        assert page.locator("#modeler .djs-element.cd-completed[data-element-id=flow_handled]").count() == 1
        assert page.locator("#modeler .djs-element.cd-completed[data-element-id=overdue_escalation]").count() == 0
        assigned = page.locator("#modeler-test-steps tr[data-element=assign_department]").inner_text()
        assert '"department":"finance"' in assigned
        assert "flow_problem" in page.locator("#modeler-test-flows").inner_text()
        assert TEST_CASE in page.locator("#modeler-test-saved").inner_text()
        assert f"/business_case/{trial[1]}/edit" in page.url  # never left the page
        shots.take(page, "draft-test-run")

        page.locator("#modeler-deploy").click()
        _deployed(page, trial[2])
        # Each deploy of the bundle made a version of processing too; the case saved from the modeler passes on it.
        processing = before["processing"] + 3
        flashes = page.locator(".flash").all_inner_texts()
        assert f"All 1 saved test case(s) of processing pass on version {processing}." in flashes, flashes
        shots.take(page, "deployed")

        # 5. A business case started now: assigned to finance, the new outcome offered, the leader answers.
        ivy = Api(page, server, "ivy", PASSWORD)
        instance = ivy.post("/processes/business_case/instances", {"data": {}})["id"]
        _work(ivy, instance, "receive_consultation", {
            "customer_name": APPLICATION["customer_name"], "business_type": "general", "question": "Chairs?",
            "answered_now": True, "answer": "Apply, please.", "wants_to_apply": True})
        _work(ivy, instance, "fill_application", APPLICATION)
        _work(ivy, instance, "prereview_materials", {"missing_items": [], "review_remarks": ""})
        fay, gus = Api(page, server, "fay", PASSWORD), Api(page, server, "gus", PASSWORD)
        assert _tasks(fay, instance) == [("handle_case", "finance")]
        assert _tasks(gus, instance) == []  # no longer general affairs' case
        handle = fay.get(f"/tasks?instance_id={instance}")[0]
        fay.post(f"/tasks/{handle['id']}/claim", {})

        handler = sign_in(browser, server, "en", "fay")
        handler.goto(f"{server}/tasks/{handle['id']}")
        option = handler.locator("[name=outcome][value=unclear]")
        assert UNCLEAR in handler.locator("[data-field=outcome]").inner_text()  # the edited form is shown
        option.check()
        shots.take(handler, "new-outcome-offered")
        handler.get_by_role("button", name="Complete").click()
        handler.wait_for_url("**/inbox")
        handler.context.close()

        leo, gil = Api(page, server, "leo", PASSWORD), Api(page, server, "gil", PASSWORD)
        assert _tasks(leo, instance) == [("supervisor_answer", "leader")]  # the changed condition's branch
        assert _tasks(gil, instance) == []
        assert _tasks(fay, instance) == []
        assert errors == []
    finally:
        # The saved case and the trial versions go again: later tests and cases run the shipped processes.
        page.goto(f"{server}/owner/processes/processing/{before['processing']}/tests")
        saved = page.locator(f"tr[data-case='{TEST_CASE}']")
        if saved.count():
            saved.get_by_role("button", name="Delete").click()
            page.wait_for_load_state()
        for key in ("business_case", "processing"):
            for version in range(before[key] + 1, before[key] + 4):
                page.goto(f"{server}/owner/processes")
                row = page.locator(f"[data-process={key}] tr[data-version='{version}']")
                if row.count() and not row.locator("[data-retired-version]").count():
                    row.get_by_role("button", name="Retire").click()
                    page.wait_for_url("**/owner/processes")
        page.context.close()

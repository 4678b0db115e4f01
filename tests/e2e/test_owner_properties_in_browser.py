"""In a real browser (issue 16, "done when"): a process owner changes a task's form, its candidate group and a
gateway condition in the modeler's properties panel — the sandbox check answering as they type — deploys, and
a case started afterwards follows the new routing. Screenshots in test-artifacts/e2e/owner-properties/."""
from __future__ import annotations

from typing import Any

from lxml import etree

from tests.e2e.conftest import PASSWORD, WIDE, Shots, sign_in
from tests.support.modeler import (BPMN, SPIFF, Api, newest_version, open_group, open_modeler, show_in_panel,
                                   verdict)

NEW_CONDITION = "len(body) > 10"
def test_owner_changes_form_group_and_condition_in_the_panel_and_a_new_case_follows(browser: Any,
                                                                                  server: str) -> None:
    shots = Shots("owner-properties")
    page = sign_in(browser, server, "en", "owen", viewport=WIDE)
    before = newest_version(page, server, "document_review")
    open_modeler(page, server, "document_review", before)

    # The review task: its form and its candidate group, chosen and typed in the panel.
    page.locator("#modeler .djs-element[data-element-id=review]").click()
    open_group(page)
    form = page.locator("#bio-properties-panel-casedesk-form")
    assert form.input_value() == "review.schema.json"
    assert "draft.schema.json" in form.locator("option").all_inner_texts()
    form.select_option("draft.schema.json")
    groups = page.locator("#bio-properties-panel-casedesk-candidate-groups")
    groups.fill("__import__('os').getcwd()")
    verdict(page, "casedesk-candidate-groups", "problems")  # refused as deploying would, while typing
    shots.take(page, "candidate-group-refused")
    groups.fill("'clerk'")
    verdict(page, "casedesk-candidate-groups", "ok")

    # The gateway's "approved" flow: a new condition on the data the new form collects.
    show_in_panel(page, "flow_approved")
    condition = page.locator("#bio-properties-panel-casedesk-condition")
    assert condition.input_value() == "decision == 'approve'"
    condition.fill("len(body) >")
    verdict(page, "casedesk-condition", "problems")
    condition.fill(NEW_CONDITION)
    verdict(page, "casedesk-condition", "ok")
    shots.take(page, "condition-edited")

    xml = page.evaluate("() => window.casedeskModeler.saveXML().then((r) => r.xml)")
    properties = {(p.getparent().getparent().getparent().get("id"), p.get("name")): p.get("value")
                  for p in etree.fromstring(xml.encode()).iter(f"{{{SPIFF}}}property")}
    assert properties[("review", "candidateGroups")] == "'clerk'"
    assert properties[("review", "formJsonSchemaFilename")] == "draft.schema.json"
    flow = etree.fromstring(xml.encode()).find(f".//{{{BPMN}}}sequenceFlow[@id='flow_approved']")
    assert flow.findtext(f"{{{BPMN}}}conditionExpression") == NEW_CONDITION
    assert '<spiffworkflow:serviceTaskOperator id="publish_document"' in xml  # untouched extensions stay

    page.locator("#modeler-deploy").click()
    page.wait_for_url(f"**/owner/processes/document_review/{before + 1}")
    assert f"Deployed document_review as version {before + 1}" in page.locator(".flash").first.inner_text()
    shots.take(page, "deployed")

    # A case started now: the review goes to the clerks with the draft form, and a long text is approved.
    alice = Api(page, server, "alice", PASSWORD)
    started = alice.post("/processes/document_review/instances", {"data": {"title": "Panel-made"}})
    instance = started["id"]
    assert started["version"] == before + 1
    draft = next(t for t in alice.get("/tasks") if t["instance_id"] == instance)
    alice.post(f"/tasks/{draft['id']}/claim", {})
    alice.post(f"/tasks/{draft['id']}/complete", {"data": {"body": "First text"}})
    rita = Api(page, server, "rita", PASSWORD)
    assert not [t for t in rita.get("/tasks") if t["instance_id"] == instance]  # no longer the reviewers' task
    review = next(t for t in alice.get("/tasks") if t["instance_id"] == instance)
    assert (review["task_spec"], review["candidate_group"], review["form_file"]) == (
        "review", "clerk", "draft.schema.json")
    alice.post(f"/tasks/{review['id']}/claim", {})
    alice.post(f"/tasks/{review['id']}/complete", {"data": {"body": "A body long enough to pass"}})
    done = alice.get(f"/instances/{instance}")
    assert done["status"] == "completed", done  # approved by the new condition, then published

    # The trial version is retired again, so new cases (and the other browser tests) start from the last one.
    page.goto(f"{server}/owner/processes")
    trial = page.locator(f"[data-process=document_review] tr[data-version='{before + 1}']")
    trial.get_by_role("button", name="Retire").click()
    page.wait_for_url("**/owner/processes")
    assert page.locator(f"[data-process=document_review] [data-retired-version='{before + 1}']").count() == 1
    page.context.close()


def test_multi_instance_and_message_settings_are_read_and_written_the_spiffworkflow_way(browser: Any,
                                                                                       server: str) -> None:
    page = sign_in(browser, server, "en", "owen", viewport=WIDE)

    open_modeler(page, server, "quality_inspection", 1)
    show_in_panel(page, "follow_up_findings")
    collection = page.locator("#bio-properties-panel-casedesk-input-collection")
    assert collection.input_value() == "findings"
    assert page.locator("#bio-properties-panel-casedesk-input-element").input_value() == "finding"
    collection.fill("open_findings")
    page.wait_for_function("() => window.casedeskModeler.get('elementRegistry').get('follow_up_findings')"
                           ".businessObject.loopCharacteristics.loopDataInputRef === 'open_findings'")
    xml = page.evaluate("() => window.casedeskModeler.saveXML().then((r) => r.xml)")
    loop = etree.fromstring(xml.encode()).find(f".//{{{BPMN}}}callActivity[@id='follow_up_findings']/"
                                               f"{{{BPMN}}}multiInstanceLoopCharacteristics")
    assert loop.findtext(f"{{{BPMN}}}loopDataInputRef") == "open_findings"
    assert loop.find(f"{{{BPMN}}}inputDataItem").get("id") == "finding"

    open_modeler(page, server, "risk_monitoring", 1)
    show_in_panel(page, "raise_warning")
    payload = page.locator("#bio-properties-panel-casedesk-message-payload")
    assert payload.input_value() == "crossings[0]"
    payload.fill("crossings[-1]")
    verdict(page, "casedesk-message-payload", "ok")
    page.wait_for_function("""() => window.casedeskModeler.get('elementRegistry').get('raise_warning').businessObject
        .eventDefinitions[0].extensionElements.values.some((v) => v.value === 'crossings[-1]')""")
    correlation = page.locator("#bio-properties-panel-casedesk-correlation")
    assert correlation.input_value() == ""
    correlation.fill("indicator = crossings[-1]['indicator']")
    page.wait_for_function("""() => window.casedeskModeler.get('elementRegistry').get('raise_warning').businessObject
        .eventDefinitions[0].extensionElements.values.some((v) => v.propertyId && v.propertyId.value === 'indicator')""")
    xml = page.evaluate("() => window.casedeskModeler.saveXML().then((r) => r.xml)")
    definition = etree.fromstring(xml.encode()).find(f".//{{{BPMN}}}intermediateThrowEvent[@id='raise_warning']/"
                                                     f"{{{BPMN}}}messageEventDefinition")
    assert definition.findtext(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}messagePayload") == "crossings[-1]"
    correlated = definition.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}processVariableCorrelation")
    assert (correlated.findtext(f"{{{SPIFF}}}propertyId"), correlated.findtext(f"{{{SPIFF}}}expression")) == (
        "indicator", "crossings[-1]['indicator']")
    page.context.close()

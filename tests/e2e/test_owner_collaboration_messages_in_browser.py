"""In a real browser (issue 16, item 1): with the diagram itself selected, the modeler's properties panel edits
its messages, their correlation properties (read from each message) and the collaboration's correlation keys,
written as SpiffWorkflow reads them (bpmn:message, bpmn:correlationProperty with its retrieval expressions,
bpmn:correlationKey in the collaboration) — the draft still loads and runs (R-5.3's risk warning)."""
from __future__ import annotations

import json
from typing import Any

from lxml import etree

from tests.e2e.conftest import WIDE, sign_in
from tests.support.modeler import BPMN, open_modeler, select, show_in_panel

PROPERTIES = "indicator: risk_indicator_crossed = indicator\nindicator: risk_closed = closed_indicator"


def test_owner_edits_messages_correlation_properties_and_keys_of_the_collaboration(browser: Any,
                                                                                  server: str) -> None:
    page = sign_in(browser, server, "en", "owen", viewport=WIDE)
    open_modeler(page, server, "risk_warning", 1)
    show_in_panel(page, "risk_warning_collaboration")
    messages = page.locator("#bio-properties-panel-casedesk-messages")
    assert messages.input_value() == "risk_indicator_crossed"
    messages.fill("risk_indicator_crossed\nrisk_closed")
    messages.press("Tab")
    properties = page.locator("#bio-properties-panel-casedesk-correlation-properties")
    assert properties.input_value() == ""
    properties.fill(PROPERTIES)
    properties.press("Tab")
    keys = page.locator("#bio-properties-panel-casedesk-correlation-keys")
    keys.fill("risk_indicator: indicator, unknown_property")
    keys.press("Tab")
    page.wait_for_function("() => window.casedeskModeler.saveXML().then((r) => r.xml.includes('correlationKey'))")
    assert keys.input_value() == "risk_indicator: indicator"  # only properties the diagram defines are kept

    xml = page.evaluate("() => window.casedeskModeler.saveXML().then((r) => r.xml)")
    root = etree.fromstring(xml.encode())
    assert {(m.get("id"), m.get("name")) for m in root.findall(f"{{{BPMN}}}message")} == {
        ("risk_indicator_crossed", "risk_indicator_crossed"), ("risk_closed", "risk_closed")}
    [prop] = root.findall(f"{{{BPMN}}}correlationProperty")
    assert prop.get("id") == "indicator"
    # bpmn-js writes the path as <bpmn:formalExpression>, as SpiffArena's modeler does; SpiffWorkflow reads it.
    retrievals = [(r.get("messageRef"), r.findtext(f"{{{BPMN}}}formalExpression"))
                  for r in prop.findall(f"{{{BPMN}}}correlationPropertyRetrievalExpression")]
    assert retrievals == [("risk_indicator_crossed", "indicator"), ("risk_closed", "closed_indicator")]
    [key] = root.findall(f"{{{BPMN}}}collaboration/{{{BPMN}}}correlationKey")
    assert key.get("name") == "risk_indicator"
    assert [r.text for r in key.findall(f"{{{BPMN}}}correlationPropertyRef")] == ["indicator"]

    # The edited draft runs: the message that starts it must carry the correlation property the panel named
    # (without it the run stops and says so), then it waits at the alert's service task.
    page.locator("#modeler-test-script").fill(json.dumps({"data": {}, "messages": [
        {"name": "risk_indicator_crossed", "data": {"value": 31}}]}))
    page.get_by_role("button", name="Run the draft").click()
    page.wait_for_selector("#modeler-test-run[data-stop=error]")
    assert "correlation property 'indicator'" in page.locator("#modeler-test-outcome").inner_text()
    page.locator("#modeler-test-script").fill(json.dumps({"data": {}, "messages": [
        {"name": "risk_indicator_crossed", "data": {"indicator": "overdue_receivables", "value": 31}}]}))
    page.get_by_role("button", name="Run the draft").click()
    page.wait_for_selector("#modeler-test-run[data-stop]:not([data-stop=error])")
    assert page.locator("#modeler-test-run").get_attribute("data-stop") == "service", \
        page.locator("#modeler-test-outcome").inner_text()
    assert "alert_responsible" in page.locator("#modeler-test-outcome").inner_text()

    # Leaving a message out that an event still uses keeps it; an unused one goes.
    select(page, "risk_warning_collaboration")
    messages = page.locator("#bio-properties-panel-casedesk-messages")
    properties = page.locator("#bio-properties-panel-casedesk-correlation-properties")
    properties.fill("")
    properties.press("Tab")
    messages.fill("")
    messages.press("Tab")
    # The field reads "" at once after the fill; wait for the panel to show what the diagram kept (a wait on
    # "no risk_closed" alone passed on the empty field before the panel redrew it).
    page.wait_for_function("() => { const v = document.querySelector('#bio-properties-panel-casedesk-messages')"
                           ".value; return v.includes('risk_indicator_crossed') && !v.includes('risk_closed'); }")
    assert messages.input_value() == "risk_indicator_crossed"
    page.context.close()

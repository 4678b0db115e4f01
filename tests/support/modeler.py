"""The owner's bpmn-js modeler in a browser test: a diagram opened for editing, an element's casedesk settings shown."""
from __future__ import annotations

from typing import Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def newest_version(page: Any, base: str, key: str) -> int:
    """The newest deployed version of a process, as the owner's process list shows it (0 when there is none)."""
    page.goto(f"{base}/owner/processes")
    return int(page.locator(f"[data-process={key}] tr[data-version]").first.get_attribute("data-version") or "0")


def open_modeler(page: Any, base: str, key: str, version: int) -> None:
    """Open a deployed version of a process in the modeler and wait until bpmn-js has drawn it."""
    page.goto(f"{base}/owner/processes/{key}/{version}/edit")
    page.wait_for_selector("#modeler[data-rendered=true]")


def select(page: Any, element_id: str) -> None:
    """Select an element as a click on it would (some, like a collaboration, have no shape to click)."""
    page.evaluate("""(id) => {
        const modeler = window.casedeskModeler;
        modeler.get('selection').select(modeler.get('elementRegistry').get(id));
    }""", element_id)


def open_group(page: Any, group_id: str = "group-casedesk") -> Any:
    """Unfold a group of the properties panel for the selected element (by default its casedesk settings; the
    names in other languages are "group-casedesk-names") and return it; a group already open stays open."""
    group = page.locator(f"#properties [data-group-id={group_id}]")
    group.wait_for()
    if not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()
    return group


def show_in_panel(page: Any, element_id: str, group_id: str = "group-casedesk") -> Any:
    """Select the element and show its casedesk settings (or another group) in the properties panel."""
    select(page, element_id)
    return open_group(page, group_id)


def verdict(page: Any, entry: str, state: str) -> None:
    """Wait for the sandbox check of a panel entry to answer `state` ("ok" or "problems") as the owner types."""
    page.wait_for_selector(f"#properties .casedesk-check[data-entry={entry}][data-check={state}]")


class Api:
    """The JSON API as a user of the demo organisation, through the browser context's request client."""

    def __init__(self, page: Any, server: str, user: str, password: str):
        self.request, self.base = page.request, f"{server}/api/v1"
        token = self.request.post(f"{self.base}/auth/tokens", data={"username": user, "password": password})
        assert token.status == 201, token.text()
        self.headers = {"Authorization": f"Bearer {token.json()['token']}"}

    def get(self, path: str) -> Any:
        response = self.request.get(self.base + path, headers=self.headers)
        assert response.status == 200, response.text()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.request.post(self.base + path, data=body, headers=self.headers)
        assert response.status in (200, 201), response.text()
        return response.json()

"""One language at a time (issue 13, item 4): every staff, owner and administrator page, and the task
page of every step of the case chain (R-2), rendered in zh-Hans, zh-Hant and en. A zh-Hans page may not
show a Traditional-only character, a zh-Hant page a Simplified-only one, an en page any Chinese.

The data typed into the forms here is ASCII, so whatever Chinese a page shows comes from the
application or the process bundle. The language switcher names each language in itself (its links
carry their own `lang`), so elements marked with another language are left out."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Iterator

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from opencc_purepy import OpenCC

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs, Scenario
from tests.web.route_table import RULES

LANGUAGES = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
DEMO_PASSWORD = "demo-pass-2026"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PAGE_ROLES = ("clerk", "reviewer", "tracker", "process_owner", "auditor", "admin")
# The case chain worked with ASCII data; one member of each group a task names (the demo organisation).
MEMBER = {"intake": "ivy", "sales": "sam", "sales_head": "sue", "tracker": "tom"}
ENTRIES: dict[str, dict[str, Any]] = {
    "receive_consultation": {"customer_name": "Wang Xiaoming", "business_type": "sales", "question": "How to order?",
                             "answered_now": True, "answer": "Fill in the application.", "wants_to_apply": True},
    "fill_application": {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "wang@example.com",
                         "preferred_channel": "phone", "business_type": "sales", "title": "Order 500 units",
                         "description": "Delivery in December.",
                         "materials": ["application_form", "identity_document", "contract"]},
    "prereview_materials": {"missing_items": [], "review_remarks": ""},
    "handle_case": {"outcome": "done", "result": "Contract signed."},
    "phone_customer": {"reached": True, "call_note": "Told Mr Wang the result."},
    "record_feedback": {"satisfaction": "satisfied", "opinion": "Fine."},
}


class _Text(HTMLParser):
    """The text a reader sees, plus attribute text they read (titles, placeholders, button values),
    without scripts, styles and elements marked with another language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language, self.parts, self.stack = language, [], []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag in ("script", "style") or (values.get("lang") not in (None, self.language))
        if tag not in self.VOID:
            self.stack.append(hidden)
        if not any(self.stack):
            self.parts.extend(v for k, v in attrs if k in ("title", "placeholder", "aria-label", "alt") and v)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.parts.append(data)


def shown_text(html: str, language: str) -> str:
    parser = _Text(language)
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def converters() -> dict[str, OpenCC]:
    return {"t2s": OpenCC("t2s"), "s2t": OpenCC("s2t")}


def wrong_characters(text: str, language: str, converters: dict[str, OpenCC]) -> list[str]:
    """The characters a page in `language` must not show, with a little context each."""
    if language == "en":
        return [text[max(0, m.start() - 15):m.end() + 15] for m in CJK.finditer(text)]
    # A character the conversion to the page's script changes belongs to the other script.
    convert = converters["t2s" if language == "zh-Hans" else "s2t"]
    found = []
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+", text):
        converted = convert.convert(run)
        found += [f"{a} ({run})" for a, b in zip(run, converted) if a != b]
    return found


def _pages(web: Flask, scenario: Scenario) -> Iterator[tuple[str, str]]:
    """(role, url) of every page a role may read: the GET routes of route_table.py answered with HTML."""
    values = scenario.url_values()
    for endpoint, rule in sorted(RULES.items()):
        if rule.method != "GET" or rule.auth != "session" or rule.answers is not None:
            continue
        if endpoint.startswith(("static", "owner.static", "vendor.", "i18n.")) or endpoint in ("healthz", "home"):
            continue
        route = next(r for r in web.url_map.iter_rules() if r.endpoint == endpoint)
        known = values | rule.values
        with web.test_request_context():
            url = url_for(endpoint, **{n: known[n] for n in route.arguments - set(route.defaults or {})})
        for role in PAGE_ROLES:
            if role in rule.allowed:
                yield role, url
                break


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_staff_owner_and_admin_page_is_in_one_language(
        web: Flask, app: Casedesk, login_as: LoginAs, locale: str, converters: dict[str, OpenCC]) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes", PROJECT_ROOT / "forms"), "owen")
    scenario = Scenario(app)
    clients: dict[str, FlaskClient] = {}
    wrong, seen = [], 0
    for role, url in _pages(web, scenario):
        if role not in clients:
            clients[role] = login_as(role)
            clients[role].get(f"/language/{locale}")
        response = clients[role].get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        seen += 1
        bad = wrong_characters(shown_text(response.get_data(as_text=True), LANGUAGES[locale]), LANGUAGES[locale],
                               converters)
        if bad:
            wrong.append(f"{url} as {role}: {bad[:8]}")
    assert seen >= 15
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_task_page_of_the_case_chain_is_in_one_language(
        web: Flask, app: Casedesk, clock: FakeClock, locale: str, converters: dict[str, OpenCC]) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    clients: dict[str, FlaskClient] = {}

    def client(user: str) -> FlaskClient:
        if user not in clients:
            clients[user] = web.test_client()
            assert clients[user].post("/login", data={"username": user, "password": DEMO_PASSWORD}).status_code == 302
            clients[user].get(f"/language/{locale}")
        return clients[user]

    view = app.runtime.start_instance("business_case", {}, actor="ivy")
    wrong, worked = [], []
    while view.status == "running":
        assert len(worked) < 12, worked
        (ready,) = view.ready_tasks
        member = MEMBER[str(ready.candidate_group)]
        for url in (f"/tasks/{ready.id}", "/", f"/instances/{view.id}"):
            page = client(member).get(url, follow_redirects=True)
            assert page.status_code == 200, url
            bad = wrong_characters(shown_text(page.get_data(as_text=True), LANGUAGES[locale]), LANGUAGES[locale],
                                   converters)
            if bad:
                wrong.append(f"{ready.task_spec} {url}: {bad[:8]}")
            if url.startswith("/tasks/") and locale != "en":  # the instructions too, not only the labels
                instructions = re.search(r'<div class="doc">(.*?)</div>', page.get_data(as_text=True), re.S)
                if instructions is None or not CJK.search(instructions.group(1)):
                    wrong.append(f"{ready.task_spec}: instructions not translated")
        app.runtime.claim_task(ready.id, actor=member)
        view = app.runtime.complete_task(ready.id, ENTRIES[ready.task_spec], actor=member)
        worked.append(ready.task_spec)
    assert worked[-1] == "record_feedback"
    assert not wrong, "\n".join(wrong)

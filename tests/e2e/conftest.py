"""Browser tests: the app served by gunicorn on a throwaway SQLite database, driven by Debian's chromium.

Playwright never downloads a browser here: it drives /usr/bin/chromium (CASEDESK_CHROMIUM overrides).
When chromium or playwright is missing the tests are skipped with a loud warning; under CI=true they fail.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

from engine.config import PROJECT_ROOT
from tests.support.ports import free_port
from tests.support.served import demo_database, wait_until_healthy

CHROMIUM = os.environ.get("CASEDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
PASSWORD = "e2e-password-1"
# What a user reads on the buttons, per language: the tests click what people click.
UI = {
    "en": {"sign_in": "Sign in", "start": "Start", "complete": "Complete", "claim": "Claim", "audit": "Audit",
           "form_error": "The form has errors", "chain_ok": "Hash chain intact", "inbox": "Inbox"},
    "zh-Hans": {"sign_in": "登录", "start": "发起", "complete": "提交", "claim": "认领", "audit": "审计",
                "form_error": "表单有错误", "chain_ok": "哈希链完整", "inbox": "待办"},
    "zh-Hant": {"sign_in": "登錄", "start": "發起", "complete": "提交", "claim": "認領", "audit": "審計",
                "form_error": "表單有錯誤", "chain_ok": "哈希鏈完整", "inbox": "待辦"},
}
BROWSER_LOCALE = {"en": "en-US", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}
WIDE = {"width": 1400, "height": 900}  # room for the modeler's canvas beside its properties panel


def _cannot_run(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    warnings.warn(message)
    print(f"\n{'!' * 20} {message} {'!' * 20}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _cannot_run(f"browser tests cannot run: no chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _cannot_run("browser tests cannot run: playwright is not installed (pip install -e '.[test]')")
    return CHROMIUM


@pytest.fixture(scope="session")
def served_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of the database `server` serves (tests may put what a scenario needs there first)."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'casedesk.db'}"


@pytest.fixture(scope="session")
def server(served_database: str, chromium_path: str) -> Iterator[str]:
    """gunicorn serving `web.app:create_app()` — the same command as `make run` — on a fresh database."""
    url = served_database
    root = Path(url.removeprefix("sqlite:///")).parent
    demo_database(url, PASSWORD)
    port = free_port()
    env = {**os.environ, "CASEDESK_DATABASE_URL": url, "CASEDESK_SECRET_KEY": "e2e-secret"}
    log = (root / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "web.app:create_app()"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, root / "gunicorn.log", 30)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        yield launched
        launched.close()


class Shots:
    """Numbered screenshots of one scenario under test-artifacts/e2e/<scenario>/."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def take(self, page: Any, label: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)


def sign_in_page(page: Any, base: str, username: str, password: str = PASSWORD, button: str | None = None) -> None:
    """Sign `page` in as `username` through the sign-in form; `button`: the label the sign-in button must
    carry (a test of the page's language), else whatever it says."""
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    submit = page.get_by_role("button", name=button) if button else page.locator("form button[type=submit]")
    submit.click()
    page.wait_for_load_state()



def task_title(language: str, english: str) -> str:
    """A task's name as the inbox shows it in `language`: from the bundles' catalogues (processes/**/*.i18n.json)."""
    if language == "en":
        return english
    for catalogue in sorted((PROJECT_ROOT / "processes").rglob(f"*.{language}.i18n.json")):
        translated = json.loads(catalogue.read_text(encoding="utf-8"))["messages"].get(english)
        if translated:
            return str(translated)
    return english


def sign_in(browser: Any, base: str, language: str, username: str, password: str = PASSWORD,
            viewport: dict[str, int] | None = None, errors: list[str] | None = None, console: bool = False) -> Any:
    """A page of a fresh browser context in `language` on Beijing time, signed in as `username` with the sign-in
    button read in that language. `errors` collects the page's uncaught errors from before the sign-in on (with
    `console`, its console errors too)."""
    options: dict[str, Any] = {"locale": BROWSER_LOCALE[language], "timezone_id": "Asia/Shanghai"}
    page = browser.new_context(**options, **({"viewport": viewport} if viewport else {})).new_page()
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(str(error)))
        if console:
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in_page(page, base, username, password, button=UI[language]["sign_in"])
    return page


def complete(page: Any, language: str) -> None:
    """Press the task form's Complete button as it reads in `language`, and let the next page load."""
    page.get_by_role("button", name=UI[language]["complete"], exact=True).click()
    page.wait_for_load_state()


def start_consultation(page: Any, base: str, language: str, customer: str, question: str = "How do I order?",
                       answer: str = "Fill in the application.") -> None:
    """The intake clerk starts a business case and fills its consultation (R-2.1.1) as answered on the spot for a
    sales customer who wants to apply; it is left for the caller to complete."""
    page.goto(f"{base}/start")
    page.locator("[data-process=business_case]").get_by_role("button", name=UI[language]["start"]).click()
    page.wait_for_url("**/tasks/*")
    page.locator("[name=customer_name]").fill(customer)
    page.locator("[name=business_type]").select_option("sales")
    page.locator("[name=question]").fill(question)
    page.locator("[name=answered_now]").check()
    page.locator("[name=answer]").fill(answer)
    page.locator("[name=wants_to_apply]").check()


def fill_application(page: Any, mobile: str, channel: str, title: str, description: str,
                     materials: tuple[str, ...] = ("application_form",)) -> None:
    """The application form (R-2.1.2) as the clerk fills it; it is left for the caller to complete."""
    page.locator("[name=mobile]").fill(mobile)
    page.locator(f"[name=preferred_channel][value={channel}]").check()  # a radio group (UI schema)
    page.locator("[name=title]").fill(title)
    page.locator("[name=description]").fill(description)
    for material in materials:
        page.locator(f"[name=materials][value={material}]").check()

"""Browser tests: the app served by gunicorn on a throwaway SQLite database, driven by Debian's chromium.

Playwright never downloads a browser here: it drives /usr/bin/chromium (CASEDESK_CHROMIUM overrides).
When chromium or playwright is missing the tests are skipped with a loud warning; under CI=true they fail.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

from engine.bootstrap import bootstrap
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from casework.demo_org import seed_demo_org
from tests.support.served import wait_until_healthy

CHROMIUM = os.environ.get("CASEDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
PASSWORD = "e2e-password-1"


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def served_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of the database `server` serves (tests may put what a scenario needs there first)."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'casedesk.db'}"


@pytest.fixture(scope="session")
def server(served_database: str, chromium_path: str) -> Iterator[str]:
    """gunicorn serving `web.app:create_app()` — the same command as `make run` — on a fresh database."""
    url = served_database
    root = Path(url.removeprefix("sqlite:///")).parent
    app = bootstrap(Settings(database_url=url))
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, app.clock, PASSWORD)  # the demo organisation `make run` creates
    app.close()
    port = _free_port()
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


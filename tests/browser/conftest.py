"""Browser fixtures: Debian's chromium driven by Playwright against a real ``liangbiping serve``.

In CI (CI=true) a missing browser fails the tests; elsewhere they are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import wait_for  # noqa: F401 - the browser tests' helper lives with the others
from tests.livesrv import Api, LiveServer, admin_token

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
ADMIN_PASSWORD = "browser-test-1"


def _need_browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path / "data")
    server.cli("create-admin", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    """One real server for a module, with an admin API token in ``server.token`` and ``server.api``."""
    _need_browser()
    server = LiveServer(tmp_path_factory.mktemp("api-browser") / "data")
    server.token = admin_token(server)
    server.api = Api(server, server.token)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, server, username: str = "admin", password: str = ADMIN_PASSWORD):
    page.goto(server.url + "/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/admin/")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, _demo_template):
    """A real server on a copy of the demo hall (its screens, kiosks and logins), with an admin API
    token in ``server.token`` and the demo's device tokens in ``server.devices``."""
    import json
    import shutil
    import sqlite3

    _need_browser()
    data = tmp_path_factory.mktemp("demo-browser") / "data"
    shutil.copytree(_demo_template, data, ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm", "*.db"))
    with sqlite3.connect(_demo_template / "liangbiping.db") as src, sqlite3.connect(data / "liangbiping.db") as dst:
        src.backup(dst)
    server = LiveServer(data)
    server.token = admin_token(server)
    server.api = Api(server, server.token)
    server.devices = json.loads((data / "demo-devices.json").read_text())
    server.start()
    yield server
    server.stop()

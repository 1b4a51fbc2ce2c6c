"""Browser fixtures: ONE app server with the demo company, ONE Chromium, a fresh browser context per test.

- ``app_server`` (session): ``streamlit run app.py`` on a free port, ``DATA_DIR`` = a copy of the demo
  database built by ``scripts/demo.py --password DEMO_PASSWORD`` (see tests/demo_data.py).
- ``fresh_server`` (session): a second server on an EMPTY data folder, started once; its first page load
  is the cold-start measurement (migrations included) and nobody ever signs in to it.
- ``browser`` (session) and ``context``/``page`` (per test, ``base_url`` set, zh-CN, 1280×800).
- ``desk`` (per test): the complaint journeys' signed-in tabs, one per person (``tests.e2e.browser.Desk``);
  ``names``: the demo accounts' display names.
Chromium is Debian's ``/usr/bin/chromium`` (``playwright install`` is never run). Without it the tests
are skipped with the reason — except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.roles import Role
from tests.demo_data import DB_FILE, ROOT, build_demo, clean_env, copy_demo, demo_accounts_by_role
from tests.e2e.browser import LOGIN_TIMEOUT_MS, Desk, new_context, wait_idle

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
COOKIE_KEY = "e2e-cookie-key-not-secret-0123456789abcdef"
COLD_START_LIMIT_S = 15.0
SHOTS = Path("/tmp/e2e-shots")
_MEASURES = pytest.StashKey[dict]()


def _missing_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright; never `playwright install`)"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    return CHROMIUM


@dataclass
class AppServer:
    url: str
    data_dir: Path
    process: subprocess.Popen
    log_path: Path
    started_at: float  # time.monotonic() just before the process was started

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, log_path: Path, **env: str) -> AppServer:
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    log = log_path.open("w", encoding="utf-8")
    started_at = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=clean_env(DATA_DIR=str(data_dir), AUTH_COOKIE_KEY=COOKIE_KEY, **env))
    log.close()
    server = AppServer(f"http://127.0.0.1:{port}", data_dir, process, log_path, started_at)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"streamlit did not answer /_stcore/health within 60 s:\n{server.log_tail()}")


def stop_server(server: AppServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def accounts(demo_template) -> dict[Role, str]:
    """One demo username per role (read from the demo database)."""
    return demo_accounts_by_role(demo_template / DB_FILE)


@pytest.fixture(scope="session")
def app_server(chromium_path, demo_template, tmp_path_factory) -> AppServer:
    base = tmp_path_factory.mktemp("e2e-server")
    copy_demo(demo_template, base / "data")
    server = start_server(base / "data", base / "streamlit.log")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, app_server):
    ctx = new_context(browser, app_server)
    ctx.set_default_timeout(LOGIN_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def fresh_server(browser, tmp_path_factory, request) -> tuple[AppServer, float]:
    """A server on an empty data folder; returns it with the cold start in seconds (process start → form painted)."""
    base = tmp_path_factory.mktemp("e2e-cold")
    (base / "data").mkdir()
    server = start_server(base / "data", base / "streamlit.log", ADMIN_INITIAL_PASSWORD="Cold-start-2026!")
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        page.goto("/", wait_until="domcontentloaded")
        page.get_by_label("用户名", exact=True).wait_for(timeout=60_000)
        page.get_by_role("button", name="登录").wait_for(timeout=60_000)
        seconds = time.monotonic() - server.started_at
        wait_idle(page)
    finally:
        ctx.close()
    request.config.stash.setdefault(_MEASURES, {})["cold start (empty DATA_DIR, process start → login form)"] = (
        f"{seconds:.2f} s (limit {COLD_START_LIMIT_S:.0f} s)")
    yield server, seconds
    stop_server(server)


@pytest.fixture(scope="session")
def names(demo_template) -> dict[str, str]:
    """Display names of the demo accounts (the 派单 list shows people by name, as a desk does)."""
    with sqlite3.connect(demo_template / DB_FILE) as conn:
        return dict(conn.execute("SELECT username, display_name FROM app_user").fetchall())


@pytest.fixture
def desk(browser, app_server, shots_dir):
    d = Desk(browser, app_server, shots_dir)
    yield d
    d.close()


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    measures = config.stash.get(_MEASURES, {})
    if measures:
        terminalreporter.section("e2e measurements")
        for name, value in measures.items():
            terminalreporter.write_line(f"{name}: {value}")

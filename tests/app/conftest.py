"""AppTest fixtures: the demo company in a temp SQLite file, and app.py pointed at it.

- ``demo_template`` (session): ``scripts/demo.py --password DEMO_PASSWORD`` run once in a subprocess.
- ``demo_db`` (per test): a private copy of it; ``DATABASE_URL``/``DATA_DIR`` point there.
- ``empty_db`` (per test): an empty data folder, so app.py's first start migrates and creates ``admin``.
- ``accounts``: one demo username per role, read from the demo database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
import streamlit.runtime.context as st_context
from streamlit.components.v2 import manifest_scanner

from core.roles import Role
from db import engine as engine_module
from tests.demo_data import DB_FILE, build_demo, copy_demo, demo_accounts_by_role

ADMIN_INITIAL_PASSWORD = "Bootstrap-first-2026"
REAL_CLIENT_CONTEXT = st_context._get_client_context


@pytest.fixture(scope="session", autouse=True)
def scan_installed_components_once():
    """Every new AppTest scans all installed distributions for v2 components (about 0.3 s, most of a
    short page run). The answer cannot change during a test session, so it is computed once and reused."""
    found = manifest_scanner.scan_component_manifests()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda: found)
        yield


@pytest.fixture(autouse=True)
def localhost_client(monkeypatch):
    """Make AppTest's client look like a browser on localhost: no IP address, no cookies.

    AppTest runs the script on a ``MagicMock`` runtime, so ``st.context.ip_address`` and the cookies are
    MagicMocks; a real localhost browser gets ``None`` and no cookies (streamlit.runtime.context).
    test_login_gate_tolerates_unknown_client_context runs the MagicMock case on purpose.
    """
    monkeypatch.setattr(st_context, "_get_client_context", lambda: None)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def accounts(demo_template) -> dict[Role, str]:
    return demo_accounts_by_role(demo_template / DB_FILE)


def _point_app_at(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data_dir / DB_FILE}")
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("AUTH_COOKIE_KEY", "test-cookie-key-not-secret-0123456789abcdef")
    engine_module.reset_engines()
    st.cache_resource.clear()  # app.py migrates/bootstraps once per process in a cache_resource


@pytest.fixture
def demo_db(demo_template, tmp_path, monkeypatch) -> Path:
    data_dir = tmp_path / "data"
    db_file = copy_demo(demo_template, data_dir)
    _point_app_at(data_dir, monkeypatch)
    yield db_file
    engine_module.reset_engines()
    st.cache_resource.clear()


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    data_dir = tmp_path / "empty-data"
    data_dir.mkdir()
    monkeypatch.setenv("ADMIN_INITIAL_PASSWORD", ADMIN_INITIAL_PASSWORD)
    _point_app_at(data_dir, monkeypatch)
    yield data_dir / DB_FILE
    engine_module.reset_engines()
    st.cache_resource.clear()

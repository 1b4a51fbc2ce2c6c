"""Shared fixtures: a real database per test (temp SQLite file, and PostgreSQL when TEST_DATABASE_URL is set).

- ``db``: a migrated, empty database with the company, the HQ 客服中心 and two 管理处 (``org`` fixture data);
  parametrised over ``sqlite`` and ``postgresql`` (the latter skipped without TEST_DATABASE_URL).
- ``make_actor(role, office)``: a user with one (role, office) grant, returned as a ``core.permissions.Actor``.
SQLite tests copy a migrated template file (fast); PostgreSQL tests use a private database per test session,
emptied with TRUNCATE between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

os.environ.setdefault("AUTH_COOKIE_KEY", "test-cookie-key-not-secret")
os.environ.setdefault("PSD_BACKGROUND_JOBS", "0")  # tests call the sweeps themselves (tests/db/test_scheduler.py)

from core.permissions import Actor, Grant  # noqa: E402
from core.roles import Role  # noqa: E402
from db import engine as engine_module  # noqa: E402
from db.bootstrap import bootstrap, ensure_company  # noqa: E402
from db.models import OrgUnit, User, UserRole  # noqa: E402
from db.services.auth import hash_password  # noqa: E402
from tests import pdftools  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEST_PASSWORD = "Test-pass-2026"
_HASH: dict[str, str] = {}


def password_hash() -> str:
    if "h" not in _HASH:
        _HASH["h"] = hash_password(TEST_PASSWORD)
    return _HASH["h"]


@dataclass
class OrgFixture:
    company_id: int
    hq_id: int
    office_a: int
    office_b: int


def _seed_org(url: str) -> OrgFixture:
    eng = engine_module.get_engine(url)
    with Session(eng) as s:
        company, hq = ensure_company(s)
        a = OrgUnit(code="OA", name="东方家园管理处", kind="office", parent_id=company.id)
        b = OrgUnit(code="OB", name="康乐苑管理处", kind="office", parent_id=company.id)
        s.add(a)
        s.add(b)
        s.commit()
        return OrgFixture(company.id, hq.id, a.id, b.id)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    engine_module.reset_engines()
    bootstrap(engine_module.get_engine(url), data_dir=path.parent, create_admin=False)
    engine_module.reset_engines()
    return path


@pytest.fixture(scope="session")
def pg_server_url() -> str | None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    name = f"psd_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    engine_module.reset_engines()
    bootstrap(engine_module.get_engine(url), create_admin=False)
    engine_module.reset_engines()
    yield url
    engine_module.reset_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    eng = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    eng.dispose()
    engine_module.reset_engines()
    bootstrap(engine_module.get_engine(url), create_admin=False)


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template, monkeypatch) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_server_url")
        if url is None:
            pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
        _truncate_pg(url)
    engine_module.reset_engines()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    yield url
    engine_module.reset_engines()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template, monkeypatch) -> str:
    """SQLite only (file-level faults, backups, crash tests)."""
    path = tmp_path / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine_module.reset_engines()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    yield url
    engine_module.reset_engines()


@pytest.fixture
def org(db_url) -> OrgFixture:
    return _seed_org(db_url)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai, a Friday


@pytest.fixture
def make_actor(org, db_url):
    """``make_actor(Role.CLERK, org.office_a, username=None)`` → Actor with a real user row."""
    counter = {"n": 0}

    def make(role: Role, office_id: int | None = None, *, username: str | None = None, name: str | None = None) -> Actor:
        counter["n"] += 1
        office_id = office_id if office_id is not None else org.hq_id
        username = username or f"{role.value}_{counter['n']}"
        with Session(engine_module.get_engine(db_url)) as s:
            user = User(username=username, display_name=name or username, password_hash=password_hash(), is_demo=True)
            s.add(user)
            s.flush()
            s.add(UserRole(user_id=user.id, role=role.value, org_unit_id=office_id))
            s.commit()
            return Actor(user_id=user.id, username=username, name=user.display_name, grants=(Grant(role, office_id),))

    return make


@pytest.fixture
def pdftotext_required() -> str:
    """pdftotext's path; skips locally without poppler-utils, fails in CI (``tests/pdftools.py``)."""
    return pdftools.pdftotext()

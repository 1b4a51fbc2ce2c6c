"""Faults of the storage underneath the app: each gives a Chinese ``StorageError`` and no half-written data.

- a read-only database file (``sqlite:///file:PATH?mode=ro&uri=true``);
- a full disk (``PRAGMA max_page_count`` lowered on every connection of the engine);
- an unreachable PostgreSQL server (a closed port), and a private PostgreSQL cluster that is killed and
  restarted under the running services (started with initdb/pg_ctl in a temp folder; the shared server
  is never touched);
- a database from an earlier release (``tests/fixtures/schema_0001.sqlite3``) migrated to head with its
  rows intact.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from core.errors import PermissionDenied, StorageError
from core.permissions import Actor, Grant
from core.roles import Role
from db import engine as engine_module
from db import migrate
from db.backup import integrity_problems, sqlite_path
from db.models import OrgUnit, Zone
from db.services import auth
from db.services import org as org_service
from db.services import people as people_service
from db.services import policy as policy_service
from tests.db.procs import free_port
from tests.db.world import has_cjk

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _digest(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}  # noqa: S608
    finally:
        conn.close()


# ----- read-only file ----------------------------------------------------------------------------------

@SQLITE_ONLY
def test_a_read_only_database_refuses_writes_in_chinese_and_still_reads(db_url, org, make_actor, monkeypatch):
    admin = make_actor(Role.SYSADMIN)
    clerk = make_actor(Role.CLERK, org.office_a)
    path = sqlite_path(db_url)
    org_zone = org_service.save_zone(actor=admin, zone_id=None, office_id=org.office_a, name="只读之前")
    engine_module.reset_engines()
    before = _digest(path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    engine_module.reset_engines()

    with pytest.raises(StorageError) as info:
        org_service.save_zone(actor=admin, zone_id=None, office_id=org.office_a, name="只读之后")
    assert "只读" in info.value.message and "未保存" in info.value.message
    with pytest.raises(StorageError, match="只读"):
        policy_service.set_holiday(actor=admin, day=date(2031, 1, 1), kind="holiday", name="元旦")
    # a refusal still reaches the user even though its audit row cannot be written
    with pytest.raises(PermissionDenied):
        org_service.save_zone(actor=clerk, zone_id=None, office_id=org.office_a, name="无权")
    # reading goes on: the app can show data while the administrator fixes the permissions
    assert [z.id for z in org_service.list_zones(actor=admin)] == [org_zone]
    engine_module.reset_engines()
    assert _digest(path) == before


# ----- full disk ---------------------------------------------------------------------------------------

@SQLITE_ONLY
def test_a_full_disk_gives_a_chinese_message_and_nothing_half_written(db_url, org, make_actor):
    records = make_actor(Role.RECORDS_OFFICER, org.office_a)
    path = sqlite_path(db_url)
    engine_module.reset_engines()
    engine = engine_module.get_engine(db_url)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(engine, "connect")
    def _limit(dbapi_conn, _record):  # test-only hook: the file may grow by a few pages, then the "disk" is full
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 12}")

    saved, error = 0, None
    for i in range(5000):
        try:
            people_service.save_customer(actor=records, customer_id=None, office_id=org.office_a,
                                         name=f"填满磁盘的客户{i:04d}" + "满" * 40, kind="owner",
                                         id_number="", phone="13800000000")
            saved += 1
        except StorageError as exc:
            error = exc
            break
    assert error is not None, "the page limit never took effect"
    assert saved > 0
    assert "存储空间已满" in error.message and "未保存" in error.message
    engine_module.reset_engines()  # the limit lives on those connections only
    assert integrity_problems(path) == []
    conn = sqlite3.connect(path)
    customers = conn.execute("SELECT count(*) FROM customer").fetchone()[0]
    audited = conn.execute("SELECT count(*) FROM audit_log WHERE action='customer.create'").fetchone()[0]
    conn.close()
    assert customers == audited == saved, "a customer without its audit row (or the reverse)"
    # space freed (no limit): the same write goes through
    people_service.save_customer(actor=records, customer_id=None, office_id=org.office_a, name="空间恢复后",
                                 kind="owner", id_number="", phone="")


# ----- unreachable PostgreSQL --------------------------------------------------------------------------

ADMIN = Actor(user_id=1, username="admin", name="系统管理员", grants=(Grant(Role.SYSADMIN, 1),))


def test_an_unreachable_database_gives_a_chinese_message(monkeypatch, now):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    engine_module.reset_engines()
    try:
        with pytest.raises(StorageError) as write:
            policy_service.set_value(actor=ADMIN, key="complaint.hot_collective", value=4, effective_from=now,
                                     reason="测试", now=now)
        with pytest.raises(StorageError) as read:
            org_service.list_units(actor=ADMIN)
        with pytest.raises(StorageError) as login:
            auth.verify_login("admin", "whatever", source="10.0.0.1", now=now)
        for exc in (write.value, read.value, login.value):
            assert "无法连接数据库" in exc.message and has_cjk(exc.message)
        clerk = Actor(user_id=2, username="c", name="客服", grants=(Grant(Role.CLERK, 3),))
        with pytest.raises(PermissionDenied):  # the refusal reaches the user although it cannot be audited
            org_service.save_zone(actor=clerk, zone_id=None, office_id=3, name="x")
    finally:
        engine_module.reset_engines()


class PrivateCluster:
    """A throw-away PostgreSQL 15 cluster in a temp folder on a free port (never the shared server)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="psd-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(prefix + list(args), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def kill(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                           + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_pg():
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 binaries not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: initdb refuses root")
    cluster = PrivateCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        engine_module.reset_engines()
        cluster.remove()


def test_postgresql_killed_and_restarted_under_the_services(private_pg, monkeypatch):
    from db.bootstrap import bootstrap, ensure_company

    monkeypatch.setenv("DATABASE_URL", private_pg.url)
    engine_module.reset_engines()
    engine = engine_module.get_engine()
    bootstrap(engine, create_admin=False)
    with Session(engine) as s:
        company, _hq = ensure_company(s)
        office = OrgUnit(code=f"O{uuid.uuid4().hex[:4]}", name="故障测试管理处", kind="office", parent_id=company.id)
        s.add(office)
        s.commit()
        office_id = office.id
    admin = Actor(user_id=1, username="admin", name="系统管理员", grants=(Grant(Role.SYSADMIN, office_id),))
    org_service.save_zone(actor=admin, zone_id=None, office_id=office_id, name="宕机之前")

    private_pg.kill()  # like a power cut of the database host: connections die without a goodbye
    for name in ("宕机期间一", "宕机期间二"):
        with pytest.raises(StorageError) as info:
            org_service.save_zone(actor=admin, zone_id=None, office_id=office_id, name=name)
        assert "无法连接数据库" in info.value.message or "数据库出错" in info.value.message
        assert has_cjk(info.value.message)

    private_pg.start()
    org_service.save_zone(actor=admin, zone_id=None, office_id=office_id, name="恢复之后")  # the pool reconnects by itself
    with Session(engine) as s:
        names = sorted(z.name for z in s.exec(select(Zone)).all())
        audits = s.execute(text("SELECT count(*) FROM audit_log WHERE action='zone.create'")).scalar_one()
    assert names == ["宕机之前", "恢复之后"] and audits == 2


# ----- a database from an earlier release ----------------------------------------------------------------

def test_a_database_from_release_0001_upgrades_to_head_with_its_rows_intact(tmp_path, monkeypatch, now):
    """Every migration after 0001 keeps the data people entered under 0001 (fixture built by make_schema_0001)."""
    from tests.fixtures.make_schema_0001 import PASSWORD

    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "schema_0001.sqlite3", path)
    old = _digest(path)
    assert old["alembic_version"] == [("0001",)]
    old_columns = {}
    conn = sqlite3.connect(path)
    for table in old:
        old_columns[table] = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    conn.close()

    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    engine_module.reset_engines()
    from db.bootstrap import bootstrap

    bootstrap(engine_module.get_engine(url), data_dir=tmp_path)  # what app.py does at start-up
    engine_module.reset_engines()

    assert integrity_problems(path) == []
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(h,) for h in migrate.heads()]
        for table, columns in old_columns.items():
            if table == "alembic_version":
                continue
            cols = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'SELECT {cols} FROM "{table}" ORDER BY rowid').fetchall()  # noqa: S608
            if table == "policy_holiday":  # bootstrap adds the shipped calendar only to an empty one
                assert rows == old[table]
                continue
            assert rows[: len(old[table])] == old[table], f"{table}: rows changed by the upgrade"
            if table not in ("audit_log",):
                assert len(rows) == len(old[table]), f"{table}: the upgrade added rows"
    finally:
        conn.close()
    assert not (tmp_path / "admin-initial-password.txt").exists(), "an admin existed: no new one may be made"

    # the old data works with today's services
    login = auth.verify_login("li.qian", PASSWORD, source="10.0.0.5", now=now)
    assert login.ok, login.message
    clerk = auth.build_actor(login.user_id, now=now)
    [customer] = people_service.list_customers(actor=clerk).rows
    assert customer.id_number == "3301**********1234" and customer.properties == "东方苑 1幢 1单元 101"
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 4
    admin = auth.build_actor(1, now=now)
    org_service.save_zone(actor=admin, zone_id=None, office_id=3, name="升级后新增")

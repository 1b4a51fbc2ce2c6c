"""Scale-out on PostgreSQL (design.md §6): two app processes share one database.

Two real processes start at the same moment against a fresh, empty PostgreSQL database. Both run the
start-up path of app.py (``db.bootstrap``: migrations under the advisory lock, company, calendar, first
administrator) and then write through the services at the same time. Nothing fails, the schema is migrated
once, the first-start rows exist once, and every count is exact. Finally two real ``streamlit run``
servers on that database both answer their health check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from db.migrate import heads
from tests.db.procs import ROOT, start_streamlit
from tests.demo_data import clean_env

pytestmark = pytest.mark.slow
WRITES = 200


@pytest.fixture
def fresh_pg_url():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    name = f"psd_two_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _start_worker(name: str, url: str, go: Path, tmp_path: Path) -> subprocess.Popen:
    env = clean_env(DATABASE_URL=url, DATA_DIR=str(tmp_path / name), ADMIN_INITIAL_PASSWORD="初始口令-只用一次-2026")
    return subprocess.Popen([sys.executable, "-m", "tests.db.two_proc_worker", name, str(go), str(WRITES)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def test_two_processes_bootstrap_and_write_together(fresh_pg_url, tmp_path):
    go = tmp_path / "go"
    workers = [_start_worker(n, fresh_pg_url, go, tmp_path) for n in ("甲", "乙")]
    try:
        for w in workers:
            assert w.stdout.readline().strip() == "READY", w.stderr.read()[-3000:]
        go.touch()  # both start bootstrapping now
        reports = []
        for w in workers:
            out, err = w.communicate(timeout=300)
            assert w.returncode == 0, err[-3000:]
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait(timeout=30)

    for r in reports:
        assert r["errors"] == [], f"process {r['name']}:\n" + "\n".join(r["errors"])

    engine = create_engine(fresh_pg_url)
    try:
        with engine.connect() as conn:
            def one(sql: str) -> int:
                return int(conn.execute(text(sql)).scalar_one())

            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == heads()
            assert one("SELECT count(*) FROM org_unit WHERE kind='company'") == 1
            assert one("SELECT count(*) FROM org_unit WHERE kind='hq'") == 1
            assert one("SELECT count(*) FROM app_user WHERE username='admin'") == 1
            assert one("SELECT count(*) FROM user_role WHERE role='sysadmin'") == 1
            assert one("SELECT count(*) FROM audit_log WHERE action='user.bootstrap_admin'") == 1
            holidays = one("SELECT count(*) FROM policy_holiday")
            assert holidays == len(set(conn.execute(text("SELECT day FROM policy_holiday")).scalars().all())) > 0

            assert one("SELECT count(*) FROM customer") == sum(r["customers"] for r in reports) == WRITES // 2
            assert one("SELECT count(*) FROM policy_change") == sum(r["policy"] for r in reports) == WRITES // 2
            assert one("SELECT count(*) FROM notice") == sum(r["notices"] for r in reports) == WRITES // 2
            assert one("SELECT count(*) FROM audit_log WHERE action='customer.create'") == WRITES // 2
            numbers = sorted(n for r in reports for n in r["numbers"])
            assert numbers == list(range(1, WRITES // 2 + 1)), "gap or duplicate across processes"
            assert one("SELECT last_value FROM number_sequence WHERE name='TWO'") == WRITES // 2
    finally:
        engine.dispose()
    assert not (tmp_path / "甲" / "admin-initial-password.txt").exists()

    # two real app servers on the same database, side by side
    servers = []
    try:
        for n in ("a", "b"):
            (tmp_path / f"srv-{n}").mkdir()
            servers.append(start_streamlit(data_dir=tmp_path / f"srv-{n}", database_url=fresh_pg_url,
                                           log_path=tmp_path / f"srv-{n}.log"))
        for server in servers:
            assert server.get("/_stcore/health") == (200, "ok")
    finally:
        for server in servers:
            server.stop()

"""Crash safety (design.md §6: WAL + synchronous=FULL): a SIGKILL mid-burst loses no acknowledged write.

A real writer process (``tests/db/crash_writer.py``) calls services in a loop and prints an ACK line after
each commit; the test kills it with SIGKILL while it writes, three times over. After each kill the file
passes ``PRAGMA integrity_check``, every acknowledged row is there, and no business row lost its audit row
(or the reverse). Finally the real app server starts on the crashed file and answers its health check.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.roles import Role
from db.backup import integrity_problems, sqlite_path
from db.engine import get_engine, reset_engines
from db.services import org as org_service
from tests.db.procs import ROOT, start_streamlit
from tests.demo_data import clean_env

pytestmark = pytest.mark.slow
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _ids(db_file: Path, sql: str) -> set[int]:
    conn = sqlite3.connect(db_file)
    try:
        return {int(r[0]) for r in conn.execute(sql)}
    finally:
        conn.close()


def _scalar(db_file: Path, sql: str) -> int:
    conn = sqlite3.connect(db_file)
    try:
        return int(conn.execute(sql).fetchone()[0] or 0)
    finally:
        conn.close()


def _burst_then_kill(db_url: str, admin_id: int, office_id: int, run: int, log: Path, target: int) -> list[str]:
    """Start the writer, read ACK lines until ``target``, SIGKILL it mid-write; return every ACK it printed."""
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tests.db.crash_writer", str(admin_id), str(office_id), str(run)],
                                cwd=ROOT, env=clean_env(DATABASE_URL=db_url), stdout=subprocess.PIPE, stderr=err,
                                text=True, encoding="utf-8")
    acks = []
    try:
        for line in proc.stdout:
            if line.startswith("ACK "):
                acks.append(line.strip())
            if len(acks) >= target:
                break
        assert len(acks) >= target, f"writer stopped early:\n{log.read_text(encoding='utf-8')[-3000:]}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        rest = proc.stdout.read()  # lines printed (after their commit) before the kill landed
        acks += [line for line in rest.splitlines() if line.startswith("ACK ") and len(line.split()) == 3]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return acks


@SQLITE_ONLY
def test_sigkill_mid_burst_loses_no_acknowledged_write_and_the_app_starts(db_url, org, make_actor, tmp_path):
    admin = make_actor(Role.SYSADMIN)
    db_file = sqlite_path(db_url)
    reset_engines()  # the test process holds no connection while the writer runs
    acked: dict[str, set[int]] = {"zone": set(), "customer": set(), "policy": set(), "number": set()}
    rng = random.Random(20261127)
    for run in range(3):
        acks = _burst_then_kill(db_url, admin.user_id, org.office_a, run, tmp_path / f"writer-{run}.log",
                                target=rng.randint(120, 220))
        for line in acks:
            _, kind, ident = line.split()
            acked[kind].add(int(ident))

        assert integrity_problems(db_file) == [], f"run {run}: integrity_check failed after SIGKILL"
        assert acked["zone"] <= _ids(db_file, "SELECT id FROM zone")
        assert acked["customer"] <= _ids(db_file, "SELECT id FROM customer")
        assert acked["policy"] <= _ids(db_file, "SELECT id FROM policy_change")
        last = _scalar(db_file, "SELECT last_value FROM number_sequence WHERE name='CRASH'")
        assert max(acked["number"]) <= last, "an acknowledged number was handed out again"
        # all or nothing: a business row and its audit row commit together
        for table, action in (("zone", "zone.create"), ("customer", "customer.create"), ("policy_change", "policy.set")):
            rows = _scalar(db_file, f"SELECT count(*) FROM {table}")  # noqa: S608
            audits = _scalar(db_file, f"SELECT count(*) FROM audit_log WHERE action='{action}'")  # noqa: S608
            assert rows == audits, f"run {run}: {table} has {rows} rows but {audits} audit rows"
    assert sum(len(v) for v in acked.values()) >= 360

    # the crashed file is still a working database for the app: a write goes through …
    org_service.save_zone(actor=admin, zone_id=None, office_id=org.office_a, name="崩溃之后")
    get_engine(db_url).dispose()
    reset_engines()
    # … and the real server starts on it (DATA_DIR/DATABASE_URL point at the crashed file)
    server = start_streamlit(data_dir=tmp_path, database_url=db_url, log_path=tmp_path / "streamlit.log")
    try:
        assert server.get("/_stcore/health") == (200, "ok")
        status, page = server.get("/")
        assert status == 200 and "<html" in page.lower()
    finally:
        server.stop()
    assert "Traceback" not in server.log_tail(20000)

"""Backups that restore (design.md §6): a round trip keeps every row of every table, byte for byte.

The database is filled through the real services, backed up with ``scripts/backup.py`` (a real process),
changed, and restored; row counts and a checksum per table are compared. Rotation keeps N generations; a
corrupt backup is refused before anything is touched; a backup taken while the app writes is consistent.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from db.backup import BackupError, backup_sqlite, integrity_problems, pg_commands, restore_sqlite, sqlite_path
from db.engine import reset_engines
from db.services import org as org_service
from db.services import people as people_service
from db.services import policy as policy_service
from tests.db.world import build_world

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.py"
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def table_digests(path: Path) -> dict[str, tuple[int, str]]:
    """Rows and a SHA-256 of every row (in rowid order) for each table of a SQLite file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        result = {}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return result
    finally:
        conn.close()


def run_script(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def filled(db_url, org, make_actor, now):
    """A database with an estate, people, policy changes and holidays, all written through services."""
    world = build_world(db_url, org, make_actor, now)
    for i in range(20):
        people_service.save_customer(actor=world.admin, customer_id=None, office_id=world.office_a,
                                     name=f"业主{i}", kind="owner", id_number="", phone="13800000000")
    policy_service.set_value(actor=world.admin, key="complaint.hot_collective", value=4, effective_from=now,
                             reason="客户确认", now=now)
    reset_engines()  # the test reads the file as a plain SQLite file from here on
    return world


@SQLITE_ONLY
def test_backup_and_restore_round_trip_through_the_script(filled, db_url, tmp_path, now):
    db_file = sqlite_path(db_url)
    original = table_digests(db_file)
    assert original["customer"][0] == 22 and original["audit_log"][0] > 20

    done = run_script("backup", "--dest", str(tmp_path / "backups"), "--keep", "3", url=db_url)
    assert done.returncode == 0, done.stderr
    assert "完整性检查通过" in done.stdout
    [backup] = sorted((tmp_path / "backups").glob("*.sqlite3"))
    assert integrity_problems(backup) == []
    assert table_digests(backup) == original
    assert not Path(str(backup) + "-wal").exists()

    # the business carries on after the backup …
    people_service.save_customer(actor=filled.admin, customer_id=None, office_id=filled.office_a,
                                 name="备份后新增", kind="owner", id_number="", phone="")
    org_service.save_zone(actor=filled.admin, zone_id=None, office_id=filled.office_b, name="备份后苑区")
    reset_engines()
    changed = table_digests(db_file)
    assert changed != original

    # … and then the backup is restored: every table is as it was, the changed state is kept aside
    done = run_script("restore", str(backup), url=db_url)
    assert done.returncode == 0, done.stderr
    restored = table_digests(db_file)
    # The policy cache's key row gets a new instance token (a process caching the later state must not take the
    # restored rows for it); every business table is as it was.
    assert restored.pop("policy_revision") != original["policy_revision"]
    assert restored == {t: d for t, d in original.items() if t != "policy_revision"}
    safety = [p for p in db_file.parent.glob("*.before-restore-*.sqlite3")]
    assert len(safety) == 1 and table_digests(safety[0]) == changed
    assert integrity_problems(db_file) == []

    # the app opens the restored file and writes to it as usual
    people_service.save_customer(actor=filled.admin, customer_id=None, office_id=filled.office_a,
                                 name="恢复后新增", kind="owner", id_number="", phone="")
    reset_engines()
    assert table_digests(db_file)["customer"][0] == original["customer"][0] + 1


@SQLITE_ONLY
def test_rotation_keeps_the_newest_generations(filled, db_url, tmp_path, now):
    db_file = sqlite_path(db_url)
    dest = tmp_path / "rot"
    dest.mkdir()
    unrelated = dest / "notes.txt"
    unrelated.write_text("不要删除", encoding="utf-8")
    made = []
    for day in range(5):
        made.append(backup_sqlite(db_file, dest, keep=3, now=now + timedelta(days=day)).path)
    kept = sorted(p for p in dest.glob("*.sqlite3"))
    assert kept == made[-3:]
    assert unrelated.exists()
    # two backups in the same second do not overwrite each other
    again = backup_sqlite(db_file, dest, keep=10, now=now + timedelta(days=4))
    assert again.path != made[-1] and again.path.exists() and made[-1].exists()
    with pytest.raises(BackupError, match="至少保留"):
        backup_sqlite(db_file, dest, keep=0, now=now)


@SQLITE_ONLY
def test_a_corrupt_backup_is_refused_and_nothing_changes(filled, db_url, tmp_path, now):
    db_file = sqlite_path(db_url)
    good = backup_sqlite(db_file, tmp_path / "b", keep=3, now=now).path
    before = table_digests(db_file)

    broken = tmp_path / "broken.sqlite3"
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # every page after the header: garbage
        data[offset + 16: offset + 400] = b"\xa5" * 384
    broken.write_bytes(bytes(data))
    not_a_db = tmp_path / "photo.jpg.sqlite3"
    not_a_db.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 5000)

    for bad in (broken, not_a_db, tmp_path / "missing.sqlite3"):
        assert integrity_problems(bad)
        with pytest.raises(BackupError) as info:
            restore_sqlite(bad, db_file, now=now)
        assert "未做任何恢复" in info.value.message
        done = run_script("restore", str(bad), url=db_url)
        assert done.returncode == 1 and "未做任何恢复" in done.stderr
    assert table_digests(db_file) == before
    assert not list(db_file.parent.glob("*.before-restore-*"))
    check = run_script("check", str(broken), url=db_url)
    assert check.returncode == 1 and "完整性检查未通过" in check.stderr


@SQLITE_ONLY
def test_a_backup_taken_while_the_app_writes_is_a_consistent_snapshot(filled, db_url, tmp_path, now):
    db_file = sqlite_path(db_url)
    stop = threading.Event()
    written = []

    def writer() -> None:
        i = 0
        while not stop.is_set():
            people_service.save_customer(actor=filled.admin, customer_id=None, office_id=filled.office_a,
                                         name=f"并发{i}", kind="owner", id_number="", phone="")
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        result = backup_sqlite(db_file, tmp_path / "live", keep=2, now=now)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert integrity_problems(result.path) == []
    snapshot = sqlite3.connect(result.path)
    try:
        customers = snapshot.execute("SELECT count(*) FROM customer").fetchone()[0]
        audited = snapshot.execute("SELECT count(*) FROM audit_log WHERE action='customer.create'").fetchone()[0]
    finally:
        snapshot.close()
    assert customers == audited, "snapshot holds a customer without its audit row (or the reverse)"
    assert 22 + 5 <= customers <= 22 + len(written)


def test_postgresql_backups_are_pg_dump_commands(tmp_path, now):
    url = "postgresql+psycopg://desk:s3cret@db.internal:5432/service_desk"
    commands = pg_commands(url, tmp_path, now=now)
    assert commands["backup"].startswith("pg_dump --format=custom")
    assert "postgresql://desk@db.internal:5432/service_desk" in commands["backup"]
    assert "s3cret" not in " ".join(commands.values())
    assert commands["restore"].startswith("pg_restore --clean")
    done = run_script("backup", "--dest", str(tmp_path), url=url)
    assert done.returncode == 0 and "pg_dump" in done.stdout and "pg_restore" in done.stdout
    with pytest.raises(BackupError, match="PostgreSQL"):
        sqlite_path(url)


PG_BIN = "/usr/lib/postgresql/15/bin"


def _pg_digests(url: str) -> dict[str, tuple[int, str]]:
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: tuple(conn.execute(text(
                f'SELECT count(*), md5(coalesce(string_agg(x::text, \'|\' ORDER BY x::text), \'\')) FROM "{t.name}" x'
            )).one()) for t in SQLModel.metadata.sorted_tables}
    finally:
        engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_round_trip_with_the_printed_commands(filled, db_url, tmp_path, now):
    """The commands the script prints really back up and restore a database (private databases only)."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    if not Path(PG_BIN, "pg_dump").exists():
        pytest.skip("pg_dump not installed")
    source = _pg_digests(db_url)
    assert source["customer"][0] == 22
    restored_name = f"psd_restore_{uuid.uuid4().hex[:8]}"
    restored_url = db_url.rsplit("/", 1)[0] + "/" + restored_name
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{restored_name}"'))
    try:
        dump = tmp_path / "desk.dump"
        env = {**os.environ, "PATH": f"{PG_BIN}:/usr/bin:/bin"}
        backup = pg_commands(db_url, tmp_path, now=now, file=dump)["backup"]
        restore = pg_commands(restored_url, tmp_path, now=now, file=dump)["restore"]
        for command in (backup, restore):
            done = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, timeout=120)  # noqa: S602
            assert done.returncode == 0, done.stderr
        assert _pg_digests(restored_url) == source
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()

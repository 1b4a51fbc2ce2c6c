"""Backups and restores of the SQLite database file (design.md §6), and the PostgreSQL equivalents.

A backup uses SQLite's online backup API, so it is a consistent snapshot even while the app is writing; the
copy is switched to a single self-contained file (journal_mode=DELETE), checked with
``PRAGMA integrity_check`` and only then given its final name. The newest ``keep`` generations are kept.
A restore checks the backup first, keeps a safety copy of the current file, then copies the backup into
the live database through the same API (the WAL and its index stay consistent). PostgreSQL is backed up
with ``pg_dump``/``pg_restore``; ``pg_commands`` prints the commands (docs/deployment.md).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shlex
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from core.errors import DomainError

log = logging.getLogger(__name__)

STAMP = "%Y%m%d-%H%M%S"


class BackupError(DomainError):
    """A backup or restore could not be made safely; nothing was changed."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    removed: tuple[Path, ...]


def sqlite_path(url: str) -> Path:
    """The database file of a ``sqlite:///...`` URL (also ``sqlite:///file:PATH?mode=ro&uri=true``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError("这不是 SQLite 数据库地址；PostgreSQL 请使用 pg_dump / pg_restore（见部署文档）。")
    database = parsed.database or ""
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    if not database or database == ":memory:":
        raise BackupError("数据库地址中没有数据库文件路径。")
    return Path(database)


def integrity_problems(path: Path) -> list[str]:
    """``[]`` when ``PRAGMA integrity_check`` says ok; otherwise what SQLite reported (file untouched)."""
    if not path.is_file():
        return [f"文件不存在：{path}"]
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        target.commit()
    finally:
        target.close()
    with open(target_path, "rb") as fh:
        os.fsync(fh.fileno())


def _generations(dest: Path, stem: str) -> list[Path]:
    pattern = re.compile(rf"^{re.escape(stem)}-\d{{8}}-\d{{6}}(-\d+)?\.sqlite3$")
    return sorted((p for p in dest.iterdir() if pattern.match(p.name)), key=lambda p: p.name)


def backup_sqlite(db_file: Path, dest: Path, *, keep: int, now: datetime) -> BackupResult:
    """Snapshot ``db_file`` into ``dest`` as ``<stem>-YYYYmmdd-HHMMSS.sqlite3``; keep the newest ``keep``."""
    if keep < 1:
        raise BackupError("至少保留 1 份备份（--keep 须不小于 1）。")
    if not db_file.is_file():
        raise BackupError(f"找不到数据库文件：{db_file}")
    dest.mkdir(parents=True, exist_ok=True)
    stem = db_file.stem
    final = dest / f"{stem}-{now.strftime(STAMP)}.sqlite3"
    n = 1
    while final.exists():
        final = dest / f"{stem}-{now.strftime(STAMP)}-{n}.sqlite3"
        n += 1
    partial = final.with_name(final.name + ".partial")
    source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
    try:
        _copy(source, partial)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份失败：{exc}。原数据库未改动。") from exc
    finally:
        source.close()
    problems = integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError("备份文件完整性检查未通过，已删除该备份：" + "；".join(problems[:5]))
    partial.rename(final)
    removed = []
    for old in _generations(dest, stem)[:-keep]:
        old.unlink()
        removed.append(old)
    log.info("backup %s (%d bytes), removed %d old", final, final.stat().st_size, len(removed))
    return BackupResult(final, final.stat().st_size, tuple(removed))


def _new_policy_instance(db_file: Path) -> None:
    """A restored file starts a new policy-cache key: its revision counter went back to the backup's, and a
    process that cached a later revision of the old contents must not take the restored rows for those."""
    conn = sqlite3.connect(db_file, timeout=30)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'policy_revision'").fetchone():
            conn.execute("UPDATE policy_revision SET instance = ?", (secrets.token_hex(16),))
            conn.commit()
    finally:
        conn.close()


def restore_sqlite(backup_file: Path, db_file: Path, *, now: datetime) -> Path:
    """Replace the contents of ``db_file`` with ``backup_file``; returns the safety copy of the old contents.

    Stop the app first: sessions that are open during a restore keep working on what they had read.
    """
    problems = integrity_problems(backup_file)
    if problems:
        raise BackupError("备份文件已损坏或不是数据库文件，未做任何恢复：" + "；".join(problems[:5]))
    safety = None
    if db_file.exists():
        safety = db_file.with_name(f"{db_file.stem}.before-restore-{now.strftime(STAMP)}.sqlite3")
        current = sqlite3.connect(db_file, timeout=30)
        try:
            _copy(current, safety)
        finally:
            current.close()
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(db_file, timeout=30)
    try:
        source.backup(target)
        target.commit()
    except sqlite3.Error as exc:
        raise BackupError(f"恢复失败：{exc}。安全副本：{safety}") from exc
    finally:
        source.close()
        target.close()
    problems = integrity_problems(db_file)
    if problems:
        raise BackupError(f"恢复后完整性检查未通过：{'；'.join(problems[:5])}。安全副本：{safety}")
    _new_policy_instance(db_file)
    log.warning("restored %s from %s; safety copy %s", db_file, backup_file, safety)
    return safety


def pg_commands(url: str, dest: Path, *, now: datetime, file: Path | None = None) -> dict[str, str]:
    """The pg_dump / pg_restore commands for a PostgreSQL URL (custom format, restorable table by table)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BackupError("这不是 PostgreSQL 数据库地址。")
    # The password never goes on a command line (visible in ps): libpq reads it from ~/.pgpass or PGPASSWORD.
    libpq = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=parsed.query).render_as_string(hide_password=False)
    target = file or dest / f"{parsed.database}-{now.strftime(STAMP)}.dump"
    quoted = shlex.quote(libpq)
    return {
        "backup": f"pg_dump --format=custom --no-owner --file={shlex.quote(str(target))} {quoted}",
        "verify": f"pg_restore --list {shlex.quote(str(target))} > /dev/null",
        "restore": f"pg_restore --clean --if-exists --no-owner --single-transaction --dbname={quoted} "
                   f"{shlex.quote(str(target))}",
    }

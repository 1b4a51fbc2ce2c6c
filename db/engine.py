"""The database engine from ``DATABASE_URL`` (default: a SQLite file under ``data/``).

SQLite runs in WAL mode with synchronous=FULL, foreign keys on and a busy timeout, and every transaction
opens with ``BEGIN IMMEDIATE``: with pysqlite's late implicit BEGIN, read-modify-write code silently lost
1,389 of 1,600 updates in a measurement (stack-notes §6.1); with BEGIN IMMEDIATE, none.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import create_engine

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT / "data"

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    data_dir = Path(os.environ.get("DATA_DIR", DEFAULT_DATA_DIR))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'service_desk.sqlite3'}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # stop pysqlite's implicit, late BEGIN
            cur = dbapi_conn.cursor()
            if "mode=ro" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # Readers use a deferred BEGIN (flagged by read_session); writers take the write lock up front.
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}" if mode != "DEFERRED" else "BEGIN")

        log.info("SQLite %s at %s", sqlite3.sqlite_version, url)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (engines are thread-safe and shared by all Streamlit sessions)."""
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def reset_engines() -> None:
    """Tests point the app at another database."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()

"""Database housekeeping run with the daily sweeps: SQLite query-planner statistics (issue 5, performance).

SQLite keeps no statistics unless ``ANALYZE`` runs; without them it guesses, and at company scale it guessed
wrong (a headquarters complaint list filtered by state or category took 0.5–2 s instead of 2–15 ms, measured
by ``scripts/bench.py --scale large``). Tables are re-analysed when they have no statistics yet or have grown
or shrunk by half since; a quick check (row counts) when nothing changed. PostgreSQL's autovacuum keeps its own
statistics.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from core.registry import daily_job
from db.engine import get_engine, is_sqlite

log = logging.getLogger(__name__)

MIN_ROWS = 1_000  # small tables are scanned quickly whatever the plan
DRIFT = 2.0  # re-analyse when the row count changed by this factor since the last ANALYZE


def stale_tables(conn: Connection) -> list[str]:
    """Tables (with indexes, at least MIN_ROWS rows) whose statistics are missing or out of date."""
    has_stats = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar()
    known: dict[str, int] = {}
    if has_stats:
        for table, stat in conn.execute(text("SELECT tbl, stat FROM sqlite_stat1")):
            known[table] = max(known.get(table, 0), int(str(stat).split()[0]))
    indexed = conn.execute(text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' "
                                "AND tbl_name NOT LIKE 'sqlite_%'")).scalars().all()
    stale = []
    for table in indexed:
        rows = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()  # noqa: S608 (names from sqlite_master)
        before = known.get(table)
        if rows >= MIN_ROWS and (before is None or rows > before * DRIFT or rows * DRIFT < before):
            stale.append(table)
    return stale


def analyze_stale(engine: Engine) -> list[str]:
    """Re-analyse the SQLite tables whose statistics are missing or stale; returns their names."""
    with engine.connect() as conn:  # the check only reads: no write lock
        stale = stale_tables(conn.execution_options(sqlite_begin="DEFERRED"))
    if stale:
        with engine.begin() as conn:
            for table in stale:
                conn.execute(text(f'ANALYZE "{table}"'))
        log.info("planner statistics refreshed for %s", ", ".join(stale))
    return stale


@daily_job("database_statistics")
def refresh_statistics(*, now: datetime | None = None) -> str:
    """The daily job: a short summary for the log."""
    engine = get_engine()
    if not is_sqlite(engine):
        return "PostgreSQL: autovacuum"
    return f"analysed {len(analyze_stale(engine))} table(s)"

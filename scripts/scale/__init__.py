"""Synthetic company at scale for the benchmark (issue 5), one module per table family.

A family module declares ``ORDER`` (int, load order), ``TABLES`` (the tables it fills) and
``generate(conn, rng, scale)``, which bulk-inserts its rows through ``bulk_insert`` (executemany on SQLite,
COPY on PostgreSQL) and may read what earlier families wrote. Below a ``# ----- benchmark hooks`` line a family
may add what ``scripts/bench.py`` uses: ``PAGE_FILTERS`` (page path → ``fn(at, office_id)`` setting a typical
filter through the widgets), ``STRESS_QUERIES``, ``ours_list``/``naive_list`` (+ ``BASELINE_TITLE``,
``BASELINE_PAGE``), ``write_once``/``count_writes``, ``complaint_pdf``; code below that line is not part of
the dataset's fingerprint. Adding a table family = one new module here;
``scripts/scale_data.py`` discovers it, and the dataset fingerprint changes so cached files are rebuilt.
Each family gets its own ``random.Random`` seeded with its name and the scale: the data is deterministic,
relative to the anchor day the dataset is generated on (so "the last 30 days" always holds data).
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import ModuleType

from sqlalchemy import Connection, DateTime, func, select
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table in SQLModel.metadata)
from core.identity import with_check_character
from scripts.demo.org_people import GIVEN, SURNAMES

BENCH_PASSWORD = "Bench@2026"
CHUNK = 5_000


@dataclass(frozen=True)
class Scale:
    name: str
    offices: int
    zones: int
    properties: int
    customers: int
    staff: int
    audit_rows: int
    notices_per_user: int
    complaints: int
    anchor: datetime = field(default_factory=lambda: anchor_for(date.today()))

    def params(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "anchor"}


def anchor_for(day: date) -> datetime:
    """10:00 Asia/Shanghai on ``day``: every synthetic timestamp lies before it."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


SCALES = {
    "large": Scale("large", offices=50, zones=200, properties=200_000, customers=300_000, staff=1_000,
                   audit_rows=500_000, notices_per_user=20, complaints=300_000),
    "small": Scale("small", offices=5, zones=10, properties=2_000, customers=3_000, staff=60,
                   audit_rows=5_000, notices_per_user=20, complaints=3_000),
}


def families() -> list[ModuleType]:
    """Every family module in this package, in load order; a family whose tables do not exist yet is skipped."""
    mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    mods = [m for m in mods if hasattr(m, "generate")]
    return sorted(mods, key=lambda m: (m.ORDER, m.__name__))


def available(module: ModuleType) -> bool:
    return all(t in SQLModel.metadata.tables for t in module.TABLES)


# ----- writing -------------------------------------------------------------------------------------

def bulk_insert(conn: Connection, table_name: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert tuples: COPY on PostgreSQL, chunked executemany on SQLite. Both bypass SQLAlchemy's per-row bind
    processing (which cost ~50 µs a row), so columns not given get their Python-side defaults here and
    timestamps are written as SQLAlchemy stores them (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff`` on SQLite)."""
    table = SQLModel.metadata.tables[table_name]
    extra = [c for c in table.c if c.name not in columns and c.default is not None and c.default.is_scalar]
    names, tail = (*columns, *(c.name for c in extra)), tuple(c.default.arg for c in extra)
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        cols = ", ".join(f'"{c}"' for c in names)
        with raw.cursor() as cur, cur.copy(f'COPY "{table_name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
        return count
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table_name)} ({', '.join(quote(n) for n in names)}) "  # noqa: S608 (names from metadata)
           f"VALUES ({', '.join('?' * len(names))})")
    stamps = [i for i, c in enumerate(columns) if isinstance(getattr(table.c[c].type, "impl", table.c[c].type), DateTime)]
    chunk: list[tuple] = []
    for row in rows:
        if stamps:
            row = list(row)
            for i in stamps:
                if row[i] is not None:
                    row[i] = sqlite_stamp(row[i])
        chunk.append((*row, *tail))
        if len(chunk) >= CHUNK:
            conn.exec_driver_sql(sql, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.exec_driver_sql(sql, chunk)
        count += len(chunk)
    return count


def sqlite_stamp(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC timestamp in SQLite, ``YYYY-MM-DD HH:MM:SS.ffffff`` (isoformat is C; strftime
    cost 9 µs a value)."""
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def next_id(conn: Connection, table_name: str) -> int:
    """The first free id: families insert explicit ids so later families can refer to rows without reading them back."""
    table = SQLModel.metadata.tables[table_name]
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def fix_sequences(conn: Connection) -> None:
    """After explicit-id COPY on PostgreSQL, move each id sequence past the largest id (services insert next)."""
    if conn.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.type.python_type is int:
            top = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            conn.execute(select(func.setval(func.pg_get_serial_sequence(f'"{table.name}"', "id"), top, False)))


# ----- fake people ---------------------------------------------------------------------------------

def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def id_number(rng: random.Random) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
    return with_check_character(f"3301{rng.randrange(1, 10):02d}{birth:%Y%m%d}{rng.randrange(100, 1000)}")


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def moment_before(rng: random.Random, anchor: datetime, days: int) -> datetime:
    """A random instant within ``days`` before ``anchor`` (seconds resolution)."""
    return anchor - timedelta(seconds=rng.randrange(days * 86_400))

"""What a service call asks of the database: the statements it sends and the rows each SELECT returns.

    with count_queries() as log:
        svc.detail(actor=actor, complaint_id=c.id, now=now)
    assert len(log) <= 20                      # statements sent (transaction control not counted)
    assert log.rows_from("app_user") <= 3      # rows the SELECTs reading that table returned

Statements are caught with SQLAlchemy's ``before_cursor_execute`` on every engine. The driver fetches lazily, so
the rows a SELECT returned are counted afterwards by running it again as ``SELECT count(*) FROM (…)`` with the same
parameters (after the call: counts reflect the data as it stands then, which is what a read saw).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from db.engine import get_engine

_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SET\b|SHOW\b)", re.I)
_FOR_UPDATE = re.compile(r"\s+FOR\s+(UPDATE|SHARE)(\s+OF\s+\S+)?(\s+(NOWAIT|SKIP\s+LOCKED))?\s*$", re.I)


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool

    @property
    def is_select(self) -> bool:
        return self.sql.lstrip().upper().startswith(("SELECT", "WITH"))

    def reads(self, table: str) -> bool:
        return re.search(rf'\b(FROM|JOIN)\s+"?{re.escape(table)}"?(\s|$|,|\))', self.sql, re.I) is not None


@dataclass
class QueryLog:
    statements: list[Statement] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def selects(self, table: str | None = None) -> list[Statement]:
        """The SELECTs sent, or those reading ``table`` (in FROM or a JOIN)."""
        return [s for s in self.statements if s.is_select and (table is None or s.reads(table))]

    def rows(self, statement: Statement) -> int:
        """How many rows the SELECT returns (run again, wrapped in a count)."""
        sql = _FOR_UPDATE.sub("", statement.sql.rstrip().rstrip(";"))
        with get_engine().connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM ({sql}) AS counted", statement.params).scalar())

    def rows_from(self, table: str) -> int:
        """Rows returned by every SELECT reading ``table``."""
        return sum(self.rows(s) for s in self.selects(table))

    def report(self) -> str:
        return "\n".join(f"{i:3d} {s.sql[:160]}" for i, s in enumerate(self.statements, 1))


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    """Every statement any engine sends inside the block (BEGIN/COMMIT, PRAGMA and SET left out)."""
    log = QueryLog()

    def caught(conn, cursor, statement, parameters, context, executemany):
        if not _CONTROL.match(statement):
            log.statements.append(Statement(statement, parameters, executemany))

    event.listen(Engine, "before_cursor_execute", caught)
    try:
        yield log
    finally:
        event.remove(Engine, "before_cursor_execute", caught)

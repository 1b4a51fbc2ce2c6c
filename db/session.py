"""Units of work: ``read_session()`` for queries, ``write_session()`` for one business transaction.

A service opens exactly one ``write_session`` per business write; the audit row goes in the same
transaction, and the caller is acknowledged only after the commit on exit. Database faults become a
Chinese ``StorageError`` so no traceback reaches the browser.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from core.errors import DomainError, PermissionDenied, StorageError
from db.audit import audit
from db.engine import get_engine, is_sqlite

log = logging.getLogger(__name__)


def storage_message(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "数据库当前为只读状态，无法保存。请联系系统管理员检查数据目录的写入权限。本次操作未保存。"
    if "full" in text or "no space" in text:
        return "数据库存储空间已满，无法保存。请联系系统管理员清理磁盘。本次操作未保存。"
    if "locked" in text or "busy" in text:
        return "系统繁忙（数据库被占用），请稍后重试。本次操作未保存。"
    if "connect" in text or "connection" in text or "server closed" in text or "timeout" in text:
        return "无法连接数据库，请稍后重试或联系系统管理员。本次操作未保存。"
    return "数据库出错，本次操作未保存。请稍后重试或联系系统管理员。"


class WriterQueue:
    """This process's SQLite writers take turns in arrival order (re-entrant for the thread holding the turn).

    SQLite admits one writer at a time and lets the others poll with growing sleeps; with 16 threads writing
    at once some waited past the 30 s busy timeout and failed ("系统繁忙": 3 of 1,600 complaint registrations,
    scripts/bench.py --scale large). Queued here first, each waits only for the writers ahead of it; writers
    in other processes still meet SQLite's busy timeout.

    The turn is handed straight to the next waiter (each waits on a lock of its own): a shared condition woke all
    15 waiting threads at every commit to find the one whose turn it was, and that GIL traffic cost a quarter of
    the write throughput (190–200 against 230–265 complaint registrations/s, 16 threads, issue 5).
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        # Invariant: nobody waits while nobody owns the turn (release hands it over directly).
        self._waiters: deque[tuple[threading.Lock, int]] = deque()

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None:
                self._owner, self._depth = me, 1
                return
            gate = threading.Lock()
            gate.acquire()
            entry = (gate, me)
            self._waiters.append(entry)
        if gate.acquire(timeout=self.timeout):
            return  # release() made us the owner
        with self._mutex:
            if self._owner == me:
                return  # handed over just as the wait ran out
            self._waiters.remove(entry)
        raise StorageError(storage_message(OperationalError("", None, Exception("database is locked"))))

    def release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:
                gate, waiter = self._waiters.popleft()
                self._owner, self._depth = waiter, 1
                gate.release()
            else:
                self._owner = None


_writers = WriterQueue()


def record_refusal(exc: PermissionDenied) -> None:
    """Write a refusal's audit row in a transaction of its own (the business one, if any, was rolled back).

    ``exc.audit`` is set by ``db.services.base.authorize``; it is cleared here so the row is written once,
    whoever gets there first (the service outside a transaction, or the session closing around it).
    """
    info = getattr(exc, "audit", None)
    if not info:
        return
    exc.audit = None  # type: ignore[attr-defined]
    try:
        with write_session() as s:
            audit(s, actor=info["actor"], action=info["action"], summary=info["summary"], office_id=info["office_id"],
                  entity=info.get("entity", ""), entity_id=info.get("entity_id", ""))
    except Exception:  # the refusal itself must still reach the user
        log.exception("could not audit a permission refusal")


@contextmanager
def write_session() -> Iterator[Session]:
    engine = get_engine()
    queued = is_sqlite(engine)  # PostgreSQL locks rows, not the database: nothing to queue for
    if queued:
        _writers.acquire()
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except PermissionDenied as exc:
        session.rollback()
        session.close()
        record_refusal(exc)
        raise
    except DomainError:
        session.rollback()
        raise
    except (OperationalError, DBAPIError) as exc:
        session.rollback()
        log.exception("database write failed")
        raise StorageError(storage_message(exc)) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if queued:
            _writers.release()


@contextmanager
def read_session() -> Iterator[Session]:
    engine = get_engine()
    options = {"sqlite_begin": "DEFERRED"} if is_sqlite(engine) else {}
    session = Session(engine.execution_options(**options) if options else engine, expire_on_commit=False)
    try:
        yield session
    except PermissionDenied as exc:
        session.rollback()
        record_refusal(exc)
        raise
    except (OperationalError, DBAPIError) as exc:
        log.exception("database read failed")
        raise StorageError(storage_message(exc)) from exc
    finally:
        session.close()  # ends the read transaction; loaded objects stay readable (no expiry)

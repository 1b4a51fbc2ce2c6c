"""Units of work: ``read_session()`` for queries, ``write_session()`` for one business transaction.

A service opens exactly one ``write_session`` per business write; the audit row goes in the same
transaction, and the caller is acknowledged only after the commit on exit. Database faults become a
Chinese ``StorageError`` so no traceback reaches the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from core.errors import DomainError, PermissionDenied, StorageError
from db.engine import get_engine, is_sqlite
from db.services.base import record_refusal

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


@contextmanager
def write_session() -> Iterator[Session]:
    engine = get_engine()
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

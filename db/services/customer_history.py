"""The customer-history panel (客户历史): opening a customer shows their earlier records of every process.

A registry like the pages and "my work": a process adds its rows with ``@history_provider("<record type>")`` on
``def rows(s, *, actor, customer_id, limit) -> list[HistoryRow]`` (reading within the actor's scope; an actor who may
not see the process gets no rows). ``history`` asks every provider in one read transaction and merges their rows,
newest first. First providers: complaints (``complaint_history``) and the reception register (``reception_queues``);
passes, home visits and decorations add theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.permissions import Action, Actor
from db.models import Customer
from db.models.base import as_utc
from db.services import load_all
from db.services.base import load_scoped
from db.session import read_session

log = logging.getLogger(__name__)

HistoryProvider = Callable[..., list["HistoryRow"]]
_PROVIDERS: dict[str, HistoryProvider] = {}
DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    kind: str  # 投诉, 来电, 来访 …
    number: str
    summary: str
    state: str
    page: str  # where the record opens (``?id=``)
    record_id: int


def history_provider(name: str) -> Callable[[HistoryProvider], HistoryProvider]:
    """Decorator: ``@history_provider("complaint")`` registers a process's rows for the panel."""
    def register(func: HistoryProvider) -> HistoryProvider:
        _PROVIDERS[name] = func
        return func
    return register


def history_providers() -> dict[str, HistoryProvider]:
    return dict(_PROVIDERS)


@dataclass(frozen=True)
class CustomerHistory:
    customer_name: str
    rows: list[HistoryRow]
    failed: list[str]  # providers that failed (shown, never hidden)


def history(*, actor: Actor, customer_id: int, limit: int = DEFAULT_LIMIT) -> CustomerHistory:
    """The customer's earlier records from every registered process, newest first (``limit`` per process)."""
    load_all()
    with read_session() as s:
        customer = load_scoped(s, Customer, customer_id, actor=actor, action=Action.PEOPLE_VIEW, entity="customer",
                               lock=False, missing="客户不存在或不在您的管理范围内")
        rows, failed = [], []
        for name, provider in sorted(_PROVIDERS.items()):
            try:
                rows.extend(provider(s, actor=actor, customer_id=customer.id, limit=limit))
            except Exception:
                log.exception("customer-history provider %s failed", name)
                failed.append(name)
    rows.sort(key=lambda r: (as_utc(r.at), r.record_id), reverse=True)
    return CustomerHistory(customer.name, rows, failed)

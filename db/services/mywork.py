"""Collects "my work" items from every process module that registered a provider (core.registry)."""

from __future__ import annotations

import logging
from datetime import datetime

from core.permissions import Actor
from core.registry import WorkItem, work_providers
from db.services import load_all

log = logging.getLogger(__name__)


def collect(*, actor: Actor, now: datetime) -> tuple[list[WorkItem], list[str]]:
    """All items for the actor, and the names of providers that failed (shown, never hidden)."""
    load_all()
    items, failed = [], []
    for name, provider in work_providers().items():
        try:
            items.extend(provider(actor=actor, now=now))
        except Exception:
            log.exception("my-work provider %s failed", name)
            failed.append(name)
    return items, failed

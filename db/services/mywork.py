"""Collects "my work" items from every process module that registered a provider (core.registry)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import datetime

import db.services
from core.permissions import Actor
from core.registry import WorkItem, work_providers

log = logging.getLogger(__name__)
_loaded = False


def _load_all_services() -> None:
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(db.services.__path__):
            importlib.import_module(f"db.services.{module.name}")
        _loaded = True


def collect(*, actor: Actor, now: datetime) -> tuple[list[WorkItem], list[str]]:
    """All items for the actor, and the names of providers that failed (shown, never hidden)."""
    _load_all_services()
    items, failed = [], []
    for name, provider in work_providers().items():
        try:
            items.extend(provider(actor=actor, now=now))
        except Exception:
            log.exception("my-work provider %s failed", name)
            failed.append(name)
    return items, failed

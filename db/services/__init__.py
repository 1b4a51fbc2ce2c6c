"""Services: one module per process; each business write is one transaction with its audit row.

Process modules register their my-work providers, daily jobs and acknowledgement hooks (``core.registry``,
``notices.on_acknowledge``) when imported. ``load_all`` imports them all: app.py calls it once at start-up, and the
entry points that run registered work (my work, the scheduler, notice acknowledgement, scripts/sweep.py) call it
too, so they work in a process that never ran app.py (tests, cron). Discovery is by package listing, so a new
process module is picked up without editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_all() -> None:
    """Import every module of this package once (idempotent, cheap after the first call)."""
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True

"""Runs the registered daily sweeps (``core.registry.daily_job``): at start-up and then every hour.

Each sweep is idempotent, so several app processes (or a cron run of scripts/sweep.py) may run it.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from core.registry import daily_jobs
from db.services import job_runs, load_all

log = logging.getLogger(__name__)


def run_jobs(*, now: datetime) -> dict[str, object]:
    load_all()
    results: dict[str, object] = {}
    for name, job in daily_jobs().items():
        try:
            results[name] = job(now=now)
        except Exception:  # one failing sweep must not stop the others or the app
            log.exception("daily job %s failed", name)
            results[name] = "failed"
            continue
        job_runs.mark_ok(name, now)  # a failed run is not marked: the next one looks back as far again
    return results


def start_background(interval_seconds: float = 3600) -> threading.Thread:
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            log.info("daily jobs: %s", run_jobs(now=datetime.now(UTC)))
            stop.wait(interval_seconds)

    thread = threading.Thread(target=loop, name="daily-jobs", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread

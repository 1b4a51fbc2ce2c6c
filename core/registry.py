"""Plug-in points for process modules: pages for the menu, and "my work" items for the home page.

A process module declares its pages in ``views/<process>/__init__.py`` (``PAGES = [PageSpec(...)]``) and
registers a work provider in its service module; ``app.py`` and the home page only read these registries,
so a new process adds itself without editing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.permissions import Action


@dataclass(frozen=True)
class PageSpec:
    path: str  # page script relative to app.py, e.g. "views/admin/users.py"
    title: str
    icon: str  # ":material/...:" (emoji render as boxes in headless browsers)
    section: str  # menu group, e.g. "投诉处理"
    action: Action  # the permission that opens the page
    order: int = 100
    default: bool = False


@dataclass(frozen=True)
class WorkItem:
    """One line of "my work": what, how many, due when, where to go."""

    title: str
    count: int
    page: str  # page path to open
    due_at: datetime | None = None
    severity: str = "info"  # "info" | "warning" | "danger"
    source: str = ""


WorkProvider = Callable[..., list[WorkItem]]
_WORK_PROVIDERS: dict[str, WorkProvider] = {}


def work_provider(name: str) -> Callable[[WorkProvider], WorkProvider]:
    """Decorator: ``@work_provider("complaints")`` on ``def my_work(*, actor, now) -> list[WorkItem]``."""

    def register(func: WorkProvider) -> WorkProvider:
        _WORK_PROVIDERS[name] = func
        return func

    return register


def work_providers() -> dict[str, WorkProvider]:
    return dict(_WORK_PROVIDERS)


DailyJob = Callable[..., object]
_DAILY_JOBS: dict[str, DailyJob] = {}


def daily_job(name: str) -> Callable[[DailyJob], DailyJob]:
    """Decorator for an idempotent sweep ``def sweep(*, now) -> summary`` (age-based upgrades, breaches)."""

    def register(func: DailyJob) -> DailyJob:
        _DAILY_JOBS[name] = func
        return func

    return register


def daily_jobs() -> dict[str, DailyJob]:
    return dict(_DAILY_JOBS)


@dataclass(frozen=True)
class RecordType:
    """A kind of business record, known to every shared mechanism by its stable ``code``.

    The code is what audit rows (``entity``), timelines, attachments, duties and approvals store; the label and
    the page let shared screens (审计日志, 待我审批, my work) name a record and link to it without knowing the
    process. ``actions`` gives the Chinese label of each audit action code of this record type
    (``"complaint.verify": "验证"``), so no screen shows a code. A process registers its types in its core module.
    """

    code: str  # "complaint", "customer", "pass" …
    label: str  # 投诉, 客户, 出入证 …
    page: str = ""  # page path where one record opens (``?id=``), "" when there is none
    actions: tuple[tuple[str, str], ...] = ()  # (audit action code, Chinese label)
    fields: tuple[tuple[str, str], ...] = ()  # (stored field name, Chinese label): the audit page's before/after
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (field, ((stored code, label), …))
    masked: tuple[str, ...] = ()  # fields shown masked everywhere (ID numbers)


_RECORD_TYPES: dict[str, RecordType] = {}


def register_record_type(spec: RecordType) -> RecordType:
    """Called once per type at import of the process's core module; a second, different spec is a mistake."""
    known = _RECORD_TYPES.setdefault(spec.code, spec)
    if known != spec:
        raise ValueError(f"record type {spec.code!r} registered twice with different specs")
    return spec


def record_types() -> dict[str, RecordType]:
    return dict(_RECORD_TYPES)


def pairs(mapping: dict) -> tuple[tuple[str, str], ...]:
    """``{"code": "标签"}`` (enum keys too) as the tuple form a frozen ``RecordType`` holds."""
    return tuple((str(k), str(v)) for k, v in mapping.items())


def action_labels() -> dict[str, str]:
    """Every registered audit action code with its Chinese label (the audit page's 操作 column)."""
    return {code: label for spec in _RECORD_TYPES.values() for code, label in spec.actions}


def action_category(code: str) -> RecordType | None:
    """The record type whose ``actions`` list ``code`` (the audit page's 类别 filter)."""
    return next((spec for spec in _RECORD_TYPES.values() if code in dict(spec.actions)), None)

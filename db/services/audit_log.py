"""Searching the audit trail (administrators and the head of the HQ 客服中心), and reading it as a person would.

The rows store codes (``complaint.verify``, ``complaint`` 59, JSON before/after); the page shows the record
registry's words (``core.registry``): the action's label, the record's number or name, and a field | before |
after table with Chinese field labels. Categories of the filter are the registered record types.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import select

import core.complaint_facts  # noqa: F401  (registers the complaint module's record types)
import core.record_types  # noqa: F401  (registers the spine's record types)
from core import policy as book
from core.masking import mask_id_number
from core.permissions import Action, Actor
from core.registry import RecordType, action_category, action_labels, record_types
from db.models import (
    AuditLog,
    Building,
    Complaint,
    Consultant,
    Customer,
    Department,
    Notice,
    OrgUnit,
    Property,
    Staff,
    User,
    Zone,
)
from db.services.base import Page, authorize, paginate, scope_filter
from db.session import read_session

DISPLAY_TZ = ZoneInfo(os.environ.get("DISPLAY_TZ", "Asia/Shanghai"))  # as ui.fmt (db must not import ui)


def categories() -> dict[str, str]:
    """The 类别 filter: every registered record type that has audit actions (code → label)."""
    return {code: spec.label for code, spec in record_types().items() if spec.actions}


def search(*, actor: Actor, text: str = "", action_prefix: str = "", category: str = "", since: datetime | None = None,
           until: datetime | None = None, office_id: int | None = None, page: int = 1, page_size: int = 50) -> Page:
    authorize(actor, Action.AUDIT_VIEW, office_id)
    with read_session() as s:
        stmt = select(AuditLog)
        scope = actor.scope(Action.AUDIT_VIEW)
        if scope is not None:
            stmt = scope_filter(stmt, AuditLog.office_id, scope)
        if office_id:
            stmt = stmt.where(AuditLog.office_id == office_id)
        if action_prefix:
            stmt = stmt.where(AuditLog.action.like(f"{action_prefix}%"))
        if category:
            spec = record_types().get(category)
            stmt = stmt.where(AuditLog.action.in_([code for code, _ in spec.actions] if spec else []))
        if since:
            stmt = stmt.where(AuditLog.at >= since)
        if until:
            stmt = stmt.where(AuditLog.at < until)
        if text.strip():
            like = f"%{text.strip()}%"
            stmt = stmt.where(or_(AuditLog.summary.like(like), AuditLog.actor_name.like(like),
                                  AuditLog.entity_id == text.strip()))
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[AuditLog.at.desc(), AuditLog.id.desc()])


# ----- names of records ------------------------------------------------------------------------------------

# entity code → (model, the column naming a row). A process adds its own with ``NAME_COLUMNS[code] = …``.
NAME_COLUMNS: dict[str, tuple[Any, Any]] = {
    "user": (User, User.display_name),
    "staff": (Staff, Staff.name),
    "customer": (Customer, Customer.name),
    "org_unit": (OrgUnit, OrgUnit.name),
    "zone": (Zone, Zone.name),
    "building": (Building, Building.name),
    "property": (Property, Property.label),
    "department": (Department, Department.name),
    "complaint": (Complaint, Complaint.number),
    "consultant": (Consultant, Consultant.name),
    "notice": (Notice, Notice.title),
}
# Names that need no query: the policy book's parameters and the calendar's days.
NAME_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "policy": lambda key: book.PARAMS[key].label if key in book.PARAMS else key,
    "holiday": lambda day: day,
    "consult_request": lambda rid: f"第 {rid} 号咨询",
}
# Fields of before/after that hold another record's id: shown as that record's name.
REFERENCE_FIELDS: dict[str, str] = {
    "office_id": "org_unit", "org_unit_id": "org_unit", "parent_id": "org_unit", "zone_id": "zone",
    "building_id": "building", "property_id": "property", "department_id": "department",
    "responsible_department_id": "department", "staff_id": "staff", "head_staff_id": "staff",
    "complaint_contact_staff_id": "staff", "user_id": "user", "handler_user_id": "user", "deputy": "user",
    "deputy_user_id": "user", "customer_id": "customer", "created_by": "user", "consultant_id": "consultant",
}


def record_names(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``{(entity, id): name}`` for the given records, one query per entity; unknown ones are left out."""
    wanted: dict[str, set[str]] = {}
    for entity, entity_id in keys:
        if entity and entity_id not in ("", None):
            wanted.setdefault(entity, set()).add(str(entity_id))
    names: dict[tuple[str, str], str] = {}
    with read_session() as s:
        for entity, ids in wanted.items():
            if entity in NAME_FUNCTIONS:
                names.update({(entity, i): NAME_FUNCTIONS[entity](i) for i in ids})
                continue
            if entity not in NAME_COLUMNS:
                continue
            model, column = NAME_COLUMNS[entity]
            numeric = [int(i) for i in ids if i.isdigit()]
            for row_id, name in s.exec(select(model.id, column).where(model.id.in_(numeric))).all():
                names[(entity, str(row_id))] = name
    return names


def _type(entity: str) -> RecordType | None:
    return record_types().get(entity)


def action_label(code: str) -> str:
    return action_labels().get(code) or "其他操作"


def subject(row: AuditLog, names: dict[tuple[str, str], str]) -> str:
    """"投诉 TS-2026-000059", "账号 郑系统": the record type's label and the record's human number or name."""
    if not row.entity:
        category = action_category(row.action)
        return category.label if category else ""
    spec = _type(row.entity)
    label = spec.label if spec else "记录"
    name = names.get((row.entity, row.entity_id))
    if name:
        return f"{label} {name}"
    return f"{label}（已删除或未知）" if row.entity_id else label


def source_text(source: str) -> str:
    """A client address as people write it (``::ffff:10.0.0.5`` → ``10.0.0.5``); "—" when not known."""
    source = (source or "").strip()
    return source.removeprefix("::ffff:") or "—"


def summary_text(row: AuditLog) -> str:
    """The stored summary, without the " 来自 <address>" the login rows carry (the 来源 column shows it)."""
    summary = row.summary or ""
    if row.action.startswith("auth.") and " 来自 " in summary:
        summary = summary.split(" 来自 ", 1)[0]
    return summary


def rows_for_display(rows: Sequence[AuditLog]) -> list[dict[str, str]]:
    """The audit list as people read it: 时间 is formatted by the page; here 操作, 对象, 摘要, 来源."""
    names = record_names((r.entity, r.entity_id) for r in rows)
    return [{"action": action_label(r.action), "subject": subject(r, names), "summary": summary_text(r),
             "source": source_text(r.source)} for r in rows]


# ----- before / after ----------------------------------------------------------------------------------------

HIDDEN_FIELDS = frozenset({"id", "password_hash", "created_at", "updated_at", "sessions_valid_after",
                           "password_changed_at", "last_seen_at"})


@dataclass(frozen=True)
class Change:
    field: str  # Chinese label
    before: str
    after: str


def _load(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _fmt_scalar(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        try:  # an ISO moment as stored by db.audit.to_json
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(DISPLAY_TZ)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _formatter(entity: str, row_key: str, names: dict[tuple[str, str], str]) -> Callable[[str, Any], str]:
    spec = _type(entity)
    values = {f: dict(v) for f, v in (spec.values if spec else ())}
    masked = set(spec.masked if spec else ())
    param = book.PARAMS.get(row_key) if entity == "policy" else None

    def fmt(field: str, value: Any) -> str:
        if field in masked and isinstance(value, str):
            return mask_id_number(value) or "—"
        if param is not None and field == "value" and value is not None:
            try:
                return book.format_value(param, value)
            except (KeyError, TypeError, ValueError):
                pass
        if field in REFERENCE_FIELDS and value not in (None, ""):
            return names.get((REFERENCE_FIELDS[field], str(value)), f"（编号 {value}）")
        if isinstance(value, list):
            return "、".join(fmt(field, v) for v in value) or "—"
        if field in values:
            return values[field].get(str(value), _fmt_scalar(value))
        if isinstance(value, dict):
            return "；".join(f"{k}：{_fmt_scalar(v)}" for k, v in value.items())
        return _fmt_scalar(value)

    return fmt


def changes(row: AuditLog) -> tuple[list[Change], list[str]]:
    """Before/after as a field | 修改前 | 修改后 table (only the fields that changed, or every field of a new or
    removed record), and the stored names of fields that have no Chinese label (shown apart, for experts)."""
    before, after = _load(row.before_json), _load(row.after_json)
    spec = _type(row.entity)
    labels = dict(spec.fields if spec else ())
    if row.action == "user.grants":  # lists of [role, unit] pairs
        before, after = {"grants": before}, {"grants": after}
    if not isinstance(before, dict | type(None)) or not isinstance(after, dict | type(None)):
        before, after = {"value": before}, {"value": after}
    before, after = before or {}, after or {}
    refs = {(REFERENCE_FIELDS[f], str(v)) for d in (before, after) for f, v in d.items()
            if f in REFERENCE_FIELDS and v not in (None, "")}
    refs |= {("org_unit", str(v[1])) for d in (before, after) for v in (d.get("grants") or [])
             if isinstance(v, list) and len(v) == 2}
    names = record_names(refs) if refs else {}
    fmt = _formatter(row.entity, row.entity_id, names)
    rows, unlabeled = [], []
    for field in dict.fromkeys([*before, *after]):
        if field in HIDDEN_FIELDS:
            continue
        old, new = before.get(field), after.get(field)
        if before and after and old == new:
            continue
        if field not in labels:
            unlabeled.append(field)
            continue
        if field == "grants":
            rows.append(Change(labels[field], _grants(old, names), _grants(new, names)))
            continue
        rows.append(Change(labels[field], fmt(field, old) if field in before else "—",
                           fmt(field, new) if field in after else "—"))
    return rows, unlabeled


def _grants(value: Any, names: dict[tuple[str, str], str]) -> str:
    from core.roles import ROLE_LABELS

    if not value:
        return "—"
    out = []
    for item in value:
        if isinstance(item, list) and len(item) == 2:
            role, unit = item
            out.append(f"{ROLE_LABELS.get(role, role)}@{names.get(('org_unit', str(unit)), unit)}")
        else:
            out.append(str(item))
    return "、".join(out)

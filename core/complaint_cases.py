"""顾客投诉案例库 (顾客投诉处理制度(投诉整理分析) 第1、3条; 知识管理): typical cases written up from closed complaints.

Each unit writes up its typical cases — "including but not limited to" 重大, 热点 and 重要 complaints — within the
policy book's window after the complaint was closed (a duty on the complaint), sends them to the HQ 客服中心, which
publishes them for the whole company (or returns one with a reason). A case is anonymised: its text may not contain
the complainant's name, phone number or room. Pure: no database, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.complaints import RECORD_TYPE as COMPLAINT
from core.complaints import Grade, cite
from core.duties import DutySpec, register_duty
from core.errors import DomainError
from core.policy import PARAMS, PolicyBook
from core.registry import RecordType, pairs, register_record_type
from core.roles import Role
from core.worktime import due_at

PAGE = "views/complaints/cases.py"
WITHIN = "complaint.case_submit_within"
CLAUSE = PARAMS[WITHIN].citation  # 投诉整理分析 第3条
C_SCOPE = cite("D15", "第1条")  # "包括但不限于重大、热点、重要投诉"
CASE_GRADES = frozenset({Grade.MAJOR, Grade.HOT, Grade.IMPORTANT})  # owe a case; any other closed one may have one


class CaseState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # sent to the HQ 客服中心
    PUBLISHED = "published"  # in the company's case library (OA)
    RETURNED = "returned"  # sent back with a reason


STATE_LABELS = {CaseState.DRAFT: "草稿", CaseState.SUBMITTED: "已提交总部", CaseState.PUBLISHED: "已发布",
                CaseState.RETURNED: "已退回修改"}
EDITABLE = frozenset({CaseState.DRAFT, CaseState.RETURNED})

RECORD_TYPE = register_record_type(RecordType(
    "complaint_case", "投诉案例", page=PAGE,
    actions=pairs({"complaint_case.create": "编写案例", "complaint_case.update": "修改案例",
                   "complaint_case.submit": "提交总部", "complaint_case.publish": "发布案例",
                   "complaint_case.return": "退回修改"}),
    fields=pairs({"state": "状态", "summary": "案例概要", "cause": "原因分析", "handling": "处理经过", "result": "处理结果",
                  "lessons": "经验教训", "prevention": "预防措施", "tags": "标签", "reason": "退回原因"}),
    values=(("state", pairs(STATE_LABELS)),)))

# The complaint owes its write-up once closed (投诉整理分析 第3条): met when the case is submitted to headquarters.
SUBMIT = register_duty(DutySpec("complaint.case", COMPLAINT.code, "典型案例提交", CLAUSE, (WITHIN,),
                                role=Role.CS_MANAGER.value))


def owes_case(grade: Grade | str) -> bool:
    return Grade(grade) in CASE_GRADES


def submit_due(closed_at: datetime, policy: PolicyBook) -> datetime:
    """The case is due within ``complaint.case_submit_within`` of the complaint's closing."""
    amount, unit = policy.duration(WITHIN)
    return due_at(closed_at, amount, unit, policy.calendar())


# ----- the write-up ------------------------------------------------------------------------------------------------

TEXT_FIELDS = (("summary", "案例概要"), ("cause", "原因分析"), ("handling", "处理经过"), ("result", "处理结果"),
               ("lessons", "经验教训"), ("prevention", "预防措施"))
REQUIRED = ("summary", "cause", "handling", "lessons")
MAX_TEXT = 2000
MAX_TAGS = 8


@dataclass(frozen=True)
class CaseText:
    summary: str
    cause: str
    handling: str
    result: str
    lessons: str
    prevention: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Secrets:
    """What identifies the complainant in the source complaint: never in a case's text."""

    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()  # a property's label and its bare room number


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def secrets_of(*, names: list[str], phones: list[str], property_label: str = "", room: str = "") -> Secrets:
    clean_names = tuple(sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True))
    clean_phones = tuple(sorted({_digits(p) for p in phones if len(_digits(p)) >= 7}))
    rooms = {r.strip() for r in (property_label, room) if r and len(r.strip()) >= 3}
    return Secrets(clean_names, clean_phones, tuple(sorted(rooms, key=len, reverse=True)))


def leaks(text: str, secrets: Secrets) -> list[str]:
    """Which kinds of personal data ``text`` still holds (姓名, 电话, 房号)."""
    found = []
    if any(n in text for n in secrets.names):
        found.append("姓名")
    digits = _digits(text)
    if any(p in digits or p[-8:] in digits for p in secrets.phones):
        found.append("电话")
    if any(r in text for r in secrets.rooms):
        found.append("房号")
    return found


def anonymise(text: str, secrets: Secrets) -> str:
    """The text with the complainant's name, phone and room replaced (the draft the clerk starts from)."""
    for name in secrets.names:
        text = text.replace(name, "某业主")
    for room in secrets.rooms:
        text = text.replace(room, "××")
    for phone in secrets.phones:
        text = re.sub(r"[\s-]?".join(phone), "电话略", text)
    return text


def parse_tags(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Tags as typed (comma, 、, ；or spaces between them), deduplicated, in order."""
    parts = raw if isinstance(raw, list | tuple) else re.split(r"[,，、;；\s]+", raw or "")
    tags = tuple(dict.fromkeys(t.strip()[:20] for t in parts if t and t.strip()))
    if len(tags) > MAX_TAGS:
        raise DomainError(f"标签最多 {MAX_TAGS} 个", field="tags")
    return tags


def stored_tags(tags: tuple[str, ...]) -> str:
    """``,tag1,tag2,``: one tag is found with ``LIKE '%,tag,%'`` (whole tags only)."""
    return "," + ",".join(tags) + "," if tags else ""


def tags_of(stored: str) -> tuple[str, ...]:
    return tuple(t for t in (stored or "").split(",") if t)


def check_text(text: CaseText, secrets: Secrets, *, for_submit: bool) -> CaseText:
    """Lengths, the required fields before submitting, and no personal data of the complainant (anonymised)."""
    values = {}
    for key, label in TEXT_FIELDS:
        value = (getattr(text, key) or "").strip()
        if len(value) > MAX_TEXT:
            raise DomainError(f"“{label}”最多 {MAX_TEXT} 字", field=key)
        if for_submit and key in REQUIRED and not value:
            raise DomainError(f"提交前请填写“{label}”", field=key, clause=CLAUSE)
        found = leaks(value, secrets)
        if found:
            raise DomainError(f"“{label}”含有投诉人的{'、'.join(found)}：案例须匿名化（如“某业主”“××室”）后保存",
                              field=key, clause=C_SCOPE)
        values[key] = value
    if not values["summary"]:
        raise DomainError("请填写“案例概要”", field="summary")
    return CaseText(**values, tags=parse_tags(text.tags))


def check_state(state: CaseState | str, allowed: frozenset[CaseState], doing: str) -> None:
    if CaseState(state) not in allowed:
        raise DomainError(f"案例当前为“{STATE_LABELS[CaseState(state)]}”，不能{doing}", clause=CLAUSE)


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因", field="reason")
    return reason[:500]

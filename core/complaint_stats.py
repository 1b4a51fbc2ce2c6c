"""《顾客投诉分类统计表》 (顾客投诉处理制度(知识管理) 第2条, (投诉整理分析) 第2条): the monthly table per 管理处.

Rows are the policy book's complaint categories; a complaint counts in the month it was received, under the class it
had at the month's end (its class history, ``complaint_grade_history``). Rates state their denominators and use the complaint rules' own formulas (``core.complaints``). Each
管理处 submits its table by the due day of the next month (a duty); the submitted table is frozen, and headquarters
can return it for correction with a reason (every submitted version is kept). Pure: no database, no clock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time
from enum import StrEnum

from core import complaints as rules
from core.duties import DutySpec, register_duty
from core.errors import DomainError
from core.policy import PARAMS, PolicyBook
from core.registry import RecordType, pairs, register_record_type
from core.roles import Role

PAGE = "views/complaints/stats.py"
CATEGORIES = "complaint.categories"
DUE_DAY = "complaint.monthly_report_due_day"
CLAUSE = PARAMS[DUE_DAY].citation  # 《顾客投诉处理制度(知识管理)》第2条: submitted before the 3rd of each month


class ReportState(StrEnum):
    PENDING = "pending"  # the month is over, nothing submitted yet
    SUBMITTED = "submitted"
    RETURNED = "returned"  # headquarters sent it back for correction


STATE_LABELS = {ReportState.PENDING: "待报送", ReportState.SUBMITTED: "已报送", ReportState.RETURNED: "已退回待更正"}

RECORD_TYPE = register_record_type(RecordType(
    "complaint_stats", "顾客投诉分类统计表", page=PAGE,
    actions=pairs({"complaint_stats.submit": "报送统计表", "complaint_stats.return": "退回更正"}),
    fields=pairs({"state": "状态", "version": "版本", "reason": "退回原因"}),
    values=(("state", pairs(STATE_LABELS)),)))

SUBMIT = register_duty(DutySpec(
    "complaint_stats.submit", RECORD_TYPE.code, "投诉分类统计表报送", CLAUSE, (DUE_DAY,), role=Role.OFFICE_DIRECTOR.value))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_range(month: date, policy: PolicyBook) -> tuple[datetime, datetime]:
    """The local calendar month as an instant range [start, end) in the company's time zone."""
    tz = policy.calendar().tz
    return datetime.combine(first_of_month(month), time(0), tz), datetime.combine(next_month(month), time(0), tz)


def due_at(month: date, policy: PolicyBook) -> datetime:
    """23:59 of the policy book's due day in the month after ``month`` (知识管理 第2条: "每月3日前")."""
    due = next_month(month).replace(day=int(policy[DUE_DAY]))
    return datetime.combine(due, time(23, 59), policy.calendar().tz)


def check_submittable(state: ReportState | str, month: date, now: datetime, policy: PolicyBook) -> None:
    """A table is submitted once the month is over, when nothing is submitted or headquarters returned it."""
    if now < month_range(month, policy)[1]:
        raise DomainError(f"{month:%Y年%m月}尚未结束，月末后才能报送统计表", clause=CLAUSE)
    if ReportState(state) == ReportState.SUBMITTED:
        raise DomainError("本月统计表已报送；如需更正，请总部客服中心退回后重新报送", clause=CLAUSE)


def check_returnable(state: ReportState | str, reason: str) -> str:
    if ReportState(state) != ReportState.SUBMITTED:
        raise DomainError("只有已报送的统计表可以退回更正", clause=CLAUSE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因", field="reason", clause=CLAUSE)
    return reason[:500]


# ----- the table ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    """One category's complaints received in the month (or the month before, for the change)."""

    total: int = 0
    major: int = 0
    hot: int = 0
    important: int = 0
    general: int = 0
    closed: int = 0  # 已结案 (state closed)
    callbacks_required: int = 0  # a callback duty owed (verified, not exempted)
    callbacks_done: int = 0  # that duty met
    surveyed: int = 0  # a callback with the customer's satisfaction
    satisfied: int = 0  # 满意 or 基本满意 (core.complaints.SATISFIED_RESULTS)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)))


@dataclass(frozen=True)
class StatsRow:
    code: str  # the category code ("" on the total row)
    label: str
    counts: Counts
    previous_total: int

    @property
    def open(self) -> int:
        return self.counts.total - self.counts.closed

    @property
    def closure_rate(self) -> float | None:
        """结案率 = 已结案 ÷ 本月受理."""
        return self.counts.closed / self.counts.total if self.counts.total else None

    @property
    def callback_rate(self) -> float | None:
        """回访率 = 已回访 ÷ 需回访 (the complaint rules' formula, 投诉回访 第6条)."""
        return rules.callback_rate(self.counts.callbacks_done, self.counts.callbacks_required)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 = 满意与基本满意 ÷ 回访有评价."""
        return rules.satisfaction_rate(self.counts.satisfied, self.counts.surveyed)

    @property
    def change(self) -> int:
        return self.counts.total - self.previous_total


TOTAL_LABEL = "合计"


def build_rows(current: dict[str, Counts], previous: dict[str, int], policy: PolicyBook) -> list[StatsRow]:
    """Every active category of the policy book in its order (and a deactivated one that still has complaints),
    then the total row."""
    codes = [r["code"] for r in policy.rows(CATEGORIES)]
    codes += sorted((set(current) | set(previous)) - set(codes))
    rows = [StatsRow(code, policy.row_label(CATEGORIES, code), current.get(code, Counts()), previous.get(code, 0))
            for code in codes]
    total = Counts()
    for r in rows:
        total = total + r.counts
    return [*rows, StatsRow("", TOTAL_LABEL, total, sum(previous.values()))]


# Columns of the table as printed and exported: (key, heading, value of a row). ``key`` names a cell's drill-down.
def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


COLUMNS: tuple[tuple[str, str], ...] = (
    ("total", "本月受理"), ("major", "重大"), ("important", "重要"), ("hot", "热点"), ("general", "一般"),
    ("closed", "已结案"), ("open", "未结案"), ("closure_rate", "结案率"), ("callbacks_required", "需回访"),
    ("callbacks_done", "已回访"), ("callback_rate", "回访率"), ("satisfaction_rate", "满意率"),
    ("previous_total", "上月受理"), ("change", "环比增减"),
)
# the columns whose cell lists complaints (rates and the previous month open the counts they divide)
DRILL_COLUMNS = {"total": "本月受理", "major": "重大", "important": "重要", "hot": "热点", "general": "一般",
                 "closed": "已结案", "open": "未结案", "callbacks_required": "需回访", "callbacks_done": "已回访",
                 "previous_total": "上月受理"}
DENOMINATORS = ("结案率 = 已结案 ÷ 本月受理；回访率 = 已回访 ÷ 需回访（验证合格且未免回访的投诉）；"
                "满意率 = 满意与基本满意 ÷ 回访中有满意度评价的投诉；按受理月份统计，分级为月末时的分级。")


def cell(row: StatsRow, key: str) -> object:
    if key in {"open", "closure_rate", "callback_rate", "satisfaction_rate", "change"}:
        value = getattr(row, key)
        if key == "change":
            return f"{value:+d}"
        return _pct(value) if key.endswith("_rate") else value
    if key == "previous_total":
        return row.previous_total
    return getattr(row.counts, key)


def to_json(rows: list[StatsRow]) -> list[dict]:
    """The frozen form stored with a submitted version (labels as they were when submitted)."""
    return [{"code": r.code, "label": r.label, "previous_total": r.previous_total, **asdict(r.counts)} for r in rows]


def from_json(data: list[dict]) -> list[StatsRow]:
    names = {f.name for f in fields(Counts)}
    return [StatsRow(d["code"], d["label"], Counts(**{k: int(v) for k, v in d.items() if k in names}),
                     int(d.get("previous_total", 0))) for d in data]

"""投诉公示 (顾客投诉处理制度(顾客投诉规范) 第1、2条): each month every unit publishes how it handled the complaints
about common areas and public interests, disputes between owners and shared problems, on the estate's notice board,
website, community magazine or at an owners' meeting; when there were none, no publication is needed.

The month's task per 管理处 opens once the month is over (a duty due by the end of the next month); it is skipped by
itself when no complaint of the month is publishable; ``complaint.publication_per_month`` publications meet it.
Personal complaints are left out; the listed ones are anonymised. Pure: no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from core.complaint_cases import Secrets, anonymise
from core.complaint_stats import next_month
from core.complaints import Category, cite
from core.duties import DutySpec, register_duty
from core.errors import DomainError
from core.policy import PARAMS, PolicyBook
from core.registry import RecordType, pairs, register_record_type
from core.roles import Role

PAGE = "views/complaints/disclosure.py"
PER_MONTH = "complaint.publication_per_month"
CLAUSE = PARAMS[PER_MONTH].citation  # 顾客投诉规范 第1条
C_CHANNELS = cite("D18", "第2条")
C_PERSONAL = cite("D18", "第3条")

CHANNELS = {"notice_board": "小区公告栏", "website": "小区网站", "magazine": "社区刊物", "owners_meeting": "业主恳谈会"}


class TaskState(StrEnum):
    PENDING = "pending"  # publications still owed
    DONE = "done"  # the month's publications made
    SKIPPED = "skipped"  # nothing publishable that month (第1条: no routine publication needed)


STATE_LABELS = {TaskState.PENDING: "待公示", TaskState.DONE: "已公示", TaskState.SKIPPED: "本月无需公示"}

RECORD_TYPE = register_record_type(RecordType(
    "complaint_disclosure", "投诉公示", page=PAGE,
    actions=pairs({"complaint_disclosure.open": "生成公示任务", "complaint_disclosure.skip": "无需公示",
                   "complaint_disclosure.publish": "登记公示"}),
    fields=pairs({"state": "状态", "channel": "公示渠道", "published_on": "公示日期", "link": "链接"}),
    values=(("state", pairs(STATE_LABELS)), ("channel", pairs(CHANNELS)))))

PUBLISH = register_duty(DutySpec("complaint_disclosure.publish", RECORD_TYPE.code, "投诉处理情况公示", CLAUSE, (PER_MONTH,),
                                 role=Role.OFFICE_DIRECTOR.value))


def due_at(month: date, policy: PolicyBook) -> datetime:
    """By the end of the month after the complaints' month (the last instant before the month after it)."""
    tz = policy.calendar().tz
    return datetime.combine(next_month(next_month(month)), time(0), tz)


def required(policy: PolicyBook) -> int:
    return int(policy[PER_MONTH])


def publishable(*, common_area: bool, category: str, same_issue: bool) -> bool:
    """Common areas and public interests (the complaint's own fact), disputes between owners (the 邻里纠纷 category)
    and shared problems (several complainants of one same-issue group); a personal complaint is not published."""
    return bool(common_area or same_issue or category == Category.NEIGHBOUR.value)


def state_after(publications: int, policy: PolicyBook) -> TaskState:
    return TaskState.DONE if publications >= required(policy) else TaskState.PENDING


@dataclass(frozen=True)
class Publication:
    published_on: date
    channel: str
    link: str
    note: str


def check_publication(p: Publication, *, month: date, today: date, has_photo: bool) -> Publication:
    """A real publication: a channel of 第2条, a date after the month counted and not in the future, and evidence (a
    photo of the notice or a link)."""
    if p.channel not in CHANNELS:
        raise DomainError("请选择公示渠道", field="channel", clause=C_CHANNELS)
    if p.published_on < next_month(month):
        raise DomainError(f"公示日期应在 {next_month(month):%Y-%m-%d} 之后（公示的是{month:%Y年%m月}的投诉处理情况）",
                          field="published_on")
    if p.published_on > today:
        raise DomainError("公示日期不能晚于今天", field="published_on")
    link = (p.link or "").strip()
    if link and not link.startswith(("http://", "https://")):
        raise DomainError("链接应以 http:// 或 https:// 开头", field="link")
    if not link and not has_photo:
        raise DomainError("请上传公示照片或填写网页链接，作为公示的凭据", field="link", clause=CLAUSE)
    return Publication(p.published_on, p.channel, link[:300], (p.note or "").strip()[:300])


def notice_line(text: str, secrets: Secrets) -> str:
    """A complaint as the notice lists it: anonymised (no name, phone or room of the complainant)."""
    return anonymise(text, secrets)

"""The reception pages' shared pieces: labels, the register table, its Excel frame, the daily register PDF lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core import reception as rules
from core.pdf.reception_forms import RegisterLine, daily_register
from core.permissions import Actor
from db.services import reception_queues as queues
from db.services.policy import policy_at
from ui.fmt import TZ, dt, local_to_utc, now, short_dt, yes_no
from ui.pdf import pdf_button
from ui.tables import frame, table, text_column

POLICY_LINE = f"{rules.cite('')}：来电、来访、来函、网络一律登记，分类处理并跟进至顾客满意".replace("》：", "》")


def channel_label(code: str) -> str:
    return rules.CHANNEL_LABELS.get(rules.Channel(code), code) if code in rules.Channel._value2member_map_ else code


def state_label(code: str) -> str:
    return rules.STATE_LABELS.get(rules.State(code), code) if code in rules.State._value2member_map_ else code


def category_labels() -> dict[str, str]:
    """Every row of the policy book's table (inactive ones too: old records still name them)."""
    return {r["code"]: r["label"] for r in policy_at(now()).rows(rules.CATEGORIES, active_only=False)}


def register_table(rows, categories: dict[str, str]) -> tuple[Any, dict]:
    """Rows are (contact, clerk name) as ``reception_queues.search`` returns them; fits 1280 px."""
    moment = now()
    columns: dict[str, Callable[[Any], Any]] = {
        "编号": lambda r: r[0].number, "时间": lambda r: short_dt(r[0].received_at),
        "渠道": lambda r: channel_label(r[0].channel), "分类": lambda r: categories.get(r[0].category, r[0].category),
        "客户/来人": lambda r: r[0].caller_name, "内容": lambda r: r[0].content[:40],
        "状态": lambda r: state_label(r[0].state), "登记人": lambda r: r[1] or "", "提醒": lambda r: rules.reminders(r[0], moment),
    }
    widths = {"编号": 125, "时间": 88, "渠道": 44, "分类": 76, "客户/来人": 76, "内容": 150, "状态": 62, "登记人": 62,
              "提醒": 66}
    return table(rows, columns), {k: text_column(k, w) for k, w in widths.items()}


def export_frame(rows, categories: dict[str, str]):
    return frame(rows, {
        "编号": lambda r: r[0].number, "渠道": lambda r: channel_label(r[0].channel),
        "受理时间": lambda r: dt(r[0].received_at), "客户/来人": lambda r: r[0].caller_name,
        "电话": lambda r: r[0].caller_phone, "内容": lambda r: r[0].content,
        "分类": lambda r: categories.get(r[0].category, r[0].category), "状态": lambda r: state_label(r[0].state),
        "处理结果": lambda r: r[0].result, "需回电": lambda r: yes_no(r[0].callback_needed),
        "回电时间": lambda r: dt(r[0].callback_done_at), "答复期限": lambda r: dt(r[0].reply_due_at),
        "答复日期": lambda r: dt(r[0].replied_at), "关闭时间": lambda r: dt(r[0].closed_at), "登记人": lambda r: r[1] or "",
    })


def register_lines(reg: queues.DailyRegister, categories: dict[str, str]) -> list[RegisterLine]:
    return [RegisterLine(
        number=c.number, channel=channel_label(c.channel), received_at=dt(c.received_at)[11:],
        customer=c.caller_name, room=room, phone=c.caller_phone, content=c.content[:120],
        category=categories.get(c.category, c.category), handler=receiver or clerk, routed_to=routed,
        result=c.result[:80], callback_needed=yes_no(c.callback_needed), callback_at=dt(c.callback_done_at)[5:],
        closed_at=dt(c.closed_at)[5:]) for c, clerk, receiver, room, routed in reg.rows]


def daily_pdf_button(actor: Actor, *, office_id: int, day, key: str) -> None:
    """打印 《客户来电来访登记表》 of one office and day (rendered only when clicked)."""
    since = local_to_utc(day)
    until = since + timedelta(days=1)
    categories = category_labels()

    def render() -> bytes:
        reg = queues.daily_register(actor=actor, office_id=office_id, since=since, until=until,
                                    day_label=f"{day:%Y-%m-%d}")
        return daily_register(register_lines(reg, categories), company=reg.company, office=reg.office_name,
                              day=reg.day_label, printed_at=now().astimezone(TZ), total=reg.total)

    pdf_button("打印登记表", render, f"客户来电来访登记表_{day:%Y%m%d}.pdf", key=key)

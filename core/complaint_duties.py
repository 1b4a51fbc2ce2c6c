"""The complaint module's duties (core.duties): every deadline of 顾客投诉处理制度 a complaint carries.

Each names the policy-book parameters that set its due time and the clause it follows; the services open, move,
meet and cancel them (``db.services.complaint_kernel.set_deadline`` and friends) in the transaction that changes the
complaint, and the hourly sweep flags the ones gone overdue. The complaint's own deadline columns (``due_at``,
``report_due_at`` …) are written by the same helper: they stay as the list queries' denormalisation.
"""

from __future__ import annotations

from core.complaints import RECORD_TYPE, cite
from core.duties import DutySpec, register_duty
from core.policy import PARAMS
from core.roles import Role

HANDLE = register_duty(DutySpec(
    "complaint.handle", RECORD_TYPE.code, "投诉处理", PARAMS["complaint.due_general"].citation,
    ("complaint.due_major", "complaint.due_hot", "complaint.due_important", "complaint.due_general")))
REPORT = register_duty(DutySpec(
    "complaint.report", RECORD_TYPE.code, "重大/热点投诉通报", cite("D14", "二"), ("complaint.report_at_once",),
    role=Role.OFFICE_DIRECTOR.value, breach_event="report_breach"))
HOTLINE = register_duty(DutySpec(
    "complaint.hotline", RECORD_TYPE.code, "政府热线/住建转办答复", PARAMS["complaint.hotline_reply"].citation,
    ("complaint.hotline_reply",), breach_event="hotline_breach"))
CALLBACK = register_duty(DutySpec(
    "complaint.callback", RECORD_TYPE.code, "投诉回访", cite("D13", "第3条"), ("complaint.callback_within",),
    role=Role.CS_SUPERVISOR.value, breach_event="callback_breach"))
CONSULT_REPLY = register_duty(DutySpec(
    "complaint.consult_reply", RECORD_TYPE.code, "专业顾问书面答复", cite("D12", "一.3"), ("complaint.consultant_reply",),
    role=Role.CONSULTANT.value))
HQ_FORWARD = register_duty(DutySpec(
    "complaint.hq_forward", RECORD_TYPE.code, "客服中心转达顾问求助", cite("D12", "一.2"), ("complaint.hq_forward_within",),
    role=Role.HQ_SPECIALIST.value))
ONLINE_FACTS = register_duty(DutySpec(
    "complaint.online_facts", RECORD_TYPE.code, "网上投诉书面事实报告", cite("D17", "第2条"),
    ("complaint.online_facts", "complaint.online_facts_viral")))
ONLINE_REPLY = register_duty(DutySpec(
    "complaint.online_reply", RECORD_TYPE.code, "总部网上公开回复", cite("D17", "第3条"), ("complaint.online_public_reply",),
    role=Role.HQ_SPECIALIST.value))
EXPRESS = register_duty(DutySpec(
    "complaint.express", RECORD_TYPE.code, "重大投诉每周快报", cite("D14", "二.1"), ("complaint.express_bulletin_every",),
    breach_event="express_breach"))
SPECIAL = register_duty(DutySpec(
    "complaint.special", RECORD_TYPE.code, "重大/热点投诉专题报告", cite("D14", "二"), ("complaint.special_report_within",),
    breach_event="special_breach"))

# The duties a handler answers for once the complaint is assigned (派单).
HANDLER_DUTIES = (HANDLE.code, HOTLINE.code)

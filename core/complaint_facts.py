"""A complaint's facts (顾客投诉处理制度: 投诉通报处理制度 一, 投诉回访 第2条): defined once here.

This one definition drives the intake type (``ComplaintIn`` inherits ``ComplaintFacts``), the model's columns (the
``Complaint`` table has a column of each name and default, checked by tests/unit/test_complaint_facts.py), the intake
form (a checkbox per flag, with the label below), the facts that may be corrected later (``update_facts``), and the
inputs of the classification (``classification_facts``). A new fact is one line here plus its column and migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from core.complaints import GRADE_LABELS, RECORD_TYPE, STATE_LABELS, Facts
from core.registry import RecordType, pairs, register_record_type


def _fact(label: str, default: Any = False, *, classifies: str = "", editable: bool = False) -> Any:
    """``classifies``: the name of the classification input (``core.complaints.Facts``) this fact feeds."""
    return field(default=default, metadata={"label": label, "classifies": classifies, "editable": editable})


@dataclass(kw_only=True)
class ComplaintFacts:
    complainant_count: int = _fact("投诉人数", 1, classifies="complainant_count", editable=True)
    our_fault: bool = _fact("我方原因", classifies="our_fault", editable=True)
    lawsuit: bool = _fact("已起诉", classifies="lawsuit", editable=True)
    media_exposed: bool = _fact("已被媒体曝光", classifies="media_exposed", editable=True)
    media_or_lawsuit_risk: bool = _fact("可能诉讼/曝光", classifies="media_or_lawsuit_risk", editable=True)
    needs_group_help: bool = _fact("需集团协助", classifies="needs_help", editable=True)
    sensitive: bool = _fact("敏感投诉", editable=True)
    common_area: bool = _fact("涉及公共区域/公共利益", editable=True)
    contact_available: bool = _fact("有有效联系方式", True)
    resolved_on_spot: bool = _fact("当场解决")
    satisfied_on_spot: bool = _fact("顾客当场确认满意")


FACTS = fields(ComplaintFacts)
FACT_NAMES = tuple(f.name for f in FACTS)
FACT_LABELS = {f.name: f.metadata["label"] for f in FACTS}
FLAG_FACTS = tuple(f.name for f in FACTS if f.type in (bool, "bool"))  # the intake form's checkboxes, in order
EDITABLE_FACTS = tuple(f.name for f in FACTS if f.metadata["editable"])  # may be corrected after intake


def fact_values(source: Any) -> dict[str, Any]:
    """The facts of an intake or a complaint row, by name."""
    return {name: getattr(source, name) for name in FACT_NAMES}


def classification_facts(source: Any, *, as_of: datetime, arose_at: datetime, same_issue_distinct_complainants: int,
                         resolved: bool, repeat_after_close: bool, has_consult: bool) -> Facts:
    """The classification inputs: the facts marked ``classifies`` plus what the caller derived from other rows."""
    given = {f.metadata["classifies"]: getattr(source, f.name) for f in FACTS if f.metadata["classifies"]}
    given["needs_help"] = bool(given["needs_help"] or has_consult)  # a consultant request is help too (doc 12)
    return Facts(as_of=as_of, arose_at=arose_at, same_issue_distinct_complainants=same_issue_distinct_complainants,
                 resolved=resolved, repeat_after_close=repeat_after_close, **given)


# ----- the complaint module's record types (the audit page, and later timelines, attachments, approvals) -----

COMPLAINT_RECORD = register_record_type(RecordType(
    RECORD_TYPE.code, RECORD_TYPE.label, page=RECORD_TYPE.page,
    actions=(
        ("complaint.register", "受理登记"), ("complaint.assign", "派单"), ("complaint.handle", "处理完成"),
        ("complaint.verify", "验证合格"), ("complaint.verify_fail", "验证不合格"),
        ("complaint.unexempt", "撤销免回访"), ("complaint.callback", "回访"), ("complaint.callback_attempt", "回访未联系上"),
        ("complaint.exempt", "免回访"), ("complaint.close", "归档"), ("complaint.reopen", "重新处理"),
        ("complaint.note", "补充记录"), ("complaint.attachment", "上传附件"), ("complaint.facts", "更新投诉情况"),
        ("complaint.grade", "投诉类别变更"), ("complaint.same_issue", "归入同一事项"),
        ("complaint.responsibility", "责任认定"), ("complaint.consult", "请顾问支持"),
        ("complaint.consult_hq", "转总部客服中心"), ("complaint.consult_forwarded", "总部转顾问"),
        ("complaint.consult_result", "顾问意见反馈"), ("complaint.consult_reply", "顾问书面答复"),
        ("complaint.online", "网上投诉登记"), ("complaint.online_notified", "网上投诉通知管理处"),
        ("complaint.online_facts", "网上投诉事实报告"), ("complaint.online_reply", "网上公开回复"),
        ("complaint.online_result", "原帖公布处理结果"),
        ("complaint.report_phone", "电话通报"), ("complaint.report_express", "快报"),
        ("complaint.report_special", "专题报告"), ("complaint.report_ack", "确认通报"),
        ("complaint.report_breach", "通报超时"), ("complaint.callback_breach", "回访超时"),
        ("complaint.hotline_breach", "热线/住建答复超时"), ("complaint.express_breach", "快报超时"),
        ("complaint.special_breach", "专题报告超时"),
    ),
    fields=(("number", "投诉编号"), ("grade", "投诉类别"), ("state", "状态"), ("clause", "依据条款"),
            ("person", "责任人"), ("decision", "认定"), ("note", "说明"), *pairs(FACT_LABELS)),
    values=(("grade", pairs(GRADE_LABELS)), ("state", pairs(STATE_LABELS))),
))
CONSULTANT_RECORD = register_record_type(RecordType(
    "consultant", "投诉顾问", page="views/complaints/consultants.py",
    actions=(("consultant.save", "保存顾问"),),
    fields=(("name", "姓名"), ("speciality", "专业"), ("unit", "所在单位"), ("phone", "电话"), ("email", "邮箱"),
            ("user_id", "账号"), ("active", "启用")),
))
CONSULT_REQUEST_RECORD = register_record_type(RecordType("consult_request", "顾问咨询", page="views/complaints/consult.py"))
SAME_ISSUE_GROUP_RECORD = register_record_type(RecordType("same_issue_group", "同一事项分组"))

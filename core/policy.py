"""The policy book: every configurable number of the company's customer-service policies, as data.

Defaults ship here with their unit, the clause they come from and how sure we are of them (provenance,
from shared/domain-rules.md). Administrators override values in the database with an effective-from
date; every override is a new version. A record stores the version in force when it was made and is
judged by ``resolve(changes, version=…, at=…)``. Values tagged [inferred] show "待客户确认".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from core import money
from core.errors import DomainError
from core.policy_tables import Column, TableSpec, summary, validate_rows
from core.roles import ROLE_LABELS
from core.worktime import WorkCalendar

DOCS = {
    "D1": "客户来电、来访、来函处理作业规定",
    "D2": "小区出入证管理规定",
    "D3": "小区内人员违规处理规定",
    "D4": "物业客服中心员工培训实施作业规程",
    "D5": "物业客服中心员工劳动纪律管理规程",
    "D6": "物业客服中心员工奖惩规程",
    "D7": "物业客服中心员工考核规程",
    "D8": "大市场商铺装修施工责任书",
    "D9": "住宅室内装饰装修管理服务协议",
    "D11": "物业家访(临时)操作规程",
    "D12": "顾客投诉处理制度(投诉顾问支持及责任划分)",
    "D13": "顾客投诉处理制度(投诉回访)",
    "D14": "顾客投诉处理制度(投诉通报处理制度)",
    "D15": "顾客投诉处理制度(投诉整理分析)",
    "D16": "顾客投诉处理制度(顾客档案管理)",
    "D17": "顾客投诉处理制度(网上投诉处理)",
    "D18": "顾客投诉处理制度(顾客投诉规范)",
    "D19": "顾客投诉处理制度(知识管理)",
    "D20": "XX物业客服中心来访接待流程",
    "SYS": "系统安全设置",
    "CO": "公司设定",
}
# A number no policy document states (the company's own setting, e.g. the per-class handling deadlines): it cites no
# clause; its citation says so and that the value awaits the customer's confirmation (推定).
COMPANY_SETTING = "CO"

KINDS = ("int", "float", "money", "bool", "text", "time", "duration", "table", "order")
CONFIRM_NEEDED = frozenset({"inferred"})


@dataclass(frozen=True)
class Param:
    key: str
    label: str
    default: Any
    kind: str  # one of KINDS; "duration" values are {"amount": n, "unit": "hours|days|working_days|…"}; "money" int 分
    unit: str
    doc: str
    clause: str
    provenance: str
    minimum: float | None = None
    maximum: float | None = None
    group: str = ""
    table: TableSpec | None = None  # the columns of a "table" parameter (core.policy_tables)
    # An "order" parameter: every code of ``choices`` once, most important first, stored as "a>b>c" (the form the
    # rules read); ``choices`` maps each code to the label every screen shows instead of the code.
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def citation(self) -> str:
        if self.doc == COMPANY_SETTING:
            return f"公司设定（{self.clause}；制度未规定，推定，待客户确认）"
        return f"依据《{DOCS[self.doc]}》{self.clause}"

    @property
    def needs_confirmation(self) -> bool:
        return self.provenance in CONFIRM_NEEDED


def _p(key, label, default, kind, unit, doc, clause, provenance, lo=None, hi=None) -> Param:
    if kind == "money":  # written in 元 below for reading against the policy text; held as int 分
        default, lo, hi = (None if x is None else money.yuan(x) for x in (default, lo, hi))
    return Param(key, label, default, kind, unit, doc, clause, provenance, lo, hi, group=key.split(".")[0])


def _order(key, label, choices: dict[str, str], doc, clause, provenance) -> Param:
    return Param(key, label, ">".join(choices), "order", "", doc, clause, provenance, group=key.split(".")[0],
                 choices=tuple(choices.items()))


def _dur(amount: float, unit: str) -> dict:
    return {"amount": amount, "unit": unit}


def _t(key, label, spec: TableSpec, rows: list[dict], doc, clause, provenance) -> Param:
    rows = [{**row, "active": row.get("active", True)} for row in rows]
    return Param(key, label, rows, "table", "", doc, clause, provenance, group=key.split(".")[0], table=spec)


# ----- table parameters ------------------------------------------------------------------------------
# Rows of the monthly 《顾客投诉分类统计表》 (知识管理 第2条), in the table's order. Complaint records store the code;
# intake offers the active rows, every screen shows the label (core.complaints.Category names the shipped codes).
COMPLAINT_CATEGORIES = TableSpec(columns=(Column("label", "类别名称", required=True, max_len=32),),
                                 code_label="类别代码", row_noun="类")
_CATEGORY_ROWS = [
    {"code": code, "label": label} for code, label in (
        ("engineering", "工程维修"), ("security", "安全秩序"), ("environment", "环境清洁绿化"),
        ("attitude", "客户服务态度"), ("fees", "收费"), ("parking", "停车"), ("decoration", "装修"),
        ("neighbour", "邻里纠纷"), ("building_quality", "开发遗留/房屋质量"), ("other", "其他"))
]

# 客户来电来访接待工作规程 intake classification (D1): one set for every channel; ``to_complaint`` marks the rows handed
# over to the complaint workflow (转为投诉), ``action`` is what the clerk is told to do.
RECEPTION_CATEGORIES = TableSpec(columns=(Column("label", "分类名称", required=True, max_len=32),
                                          Column("action", "处理方式", max_len=64),
                                          Column("to_complaint", "转投诉处理", type="bool")),
                                 code_label="分类代码", row_noun="类", required_codes=frozenset({"complaint"}))
_RECEPTION_CATEGORY_ROWS = [
    {"code": "consult", "label": "事务咨询", "action": "能答复的当即答复，不能的转交知情部门", "to_complaint": False},
    {"code": "help", "label": "事务求助", "action": "记录后在服务范围内派人协助", "to_complaint": False},
    {"code": "paid", "label": "有偿服务", "action": "按有偿维修程序办理", "to_complaint": False},
    {"code": "suggestion", "label": "建议/意见", "action": "能采纳的办理，不能的向上反映", "to_complaint": False},
    {"code": "complaint", "label": "投诉", "action": "转入投诉处理流程", "to_complaint": True},
]

# Who is told of a complaint of each reported class (§14 二). Recipients are posts, resolved to accounts by the
# complaint module: the 行政公关部 and a complaint's functional department through the department master data.
REPORT_RECIPIENTS = {
    "hq_cs": "客服中心(总部)",
    "pr_admin_head": "行政公关部负责人",
    "leaders": "公司领导",
    "leader_in_charge": "分管领导",
    "dept_head": "职能部门负责人",
    "office_director": "管理处主任",
}
REPORT_TIMING = {"at_once": "立即通报", "bulletin": "质量简报"}


# The recipients 投诉通报处理制度 二 names for each reported class: a routing may add others, never leave one out.
REQUIRED_RECIPIENTS = {"major": ("hq_cs", "pr_admin_head", "leaders"), "hot": ("hq_cs", "dept_head", "leader_in_charge")}


def _routing_names_hq(rows: list[dict]) -> None:
    for row in rows:
        if row["active"] and row["timing"] == "at_once" and "hq_cs" not in row["recipients"]:
            raise DomainError(f"“{row['label']}”须通报客服中心(总部)（《{DOCS['D14']}》二）：通报对象不能缺少它")
        if row["code"] in REQUIRED_RECIPIENTS and not (row["active"] and row["timing"] == "at_once"):
            raise DomainError(f"“{row['label']}”须立即通报（《{DOCS['D14']}》二）：不能停用或改为其他通报方式")
        missing = [REPORT_RECIPIENTS[r] for r in REQUIRED_RECIPIENTS.get(row["code"], ()) if r not in row["recipients"]]
        if missing:
            raise DomainError(f"“{row['label']}”的通报对象不能缺少{'、'.join(missing)}（《{DOCS['D14']}》二）")


COMPLAINT_ROUTING = TableSpec(
    columns=(
        Column("label", "投诉类别", required=True, max_len=16),
        Column("timing", "通报方式", "choice", required=True, allowed=REPORT_TIMING),
        Column("recipients", "通报对象", "multi", required=True, allowed=REPORT_RECIPIENTS),
    ),
    code_label="类别代码", row_noun="类", required_codes=frozenset({"major", "hot"}), checks=(_routing_names_hq,),
)
_ROUTING_ROWS = [
    {"code": "major", "label": "重大投诉", "timing": "at_once",
     "recipients": ["hq_cs", "pr_admin_head", "leaders", "office_director"]},
    {"code": "hot", "label": "热点投诉", "timing": "at_once",
     "recipients": ["hq_cs", "dept_head", "leader_in_charge", "office_director"]},
    {"code": "important", "label": "重要投诉", "timing": "bulletin", "recipients": ["hq_cs", "leaders"]},
]


def _one_chain_per_step(rows: list[dict]) -> None:
    seen: set[tuple[str, int]] = set()
    for row in rows:
        if not row["active"]:
            continue
        if row["step"] < 1:
            raise DomainError(f"审批链“{row['label']}”的步骤应从 1 开始")
        key = (row["record_type"], row["step"])
        if key in seen:
            raise DomainError(f"记录类型“{row['record_type']}”的第 {row['step']} 步重复")
        seen.add(key)


def _grade_codes(rows: list[dict]) -> None:
    grades = {"major": "重大", "hot": "热点", "important": "重要", "general": "一般"}
    for row in rows:
        if row["code"] not in grades:
            raise DomainError(f"“{row['label']}”的类别代码须是 {'、'.join(grades)} 之一（{'、'.join(grades.values())}）")


# Who calls back a complaint of a class (投诉回访 第3条: 重大 by the 管理处主任 or the company, possibly a home visit).
# A class without an active row: any account allowed to call back (the 客服主任, 第1条).
COMPLAINT_CALLBACK_CALLERS = TableSpec(
    columns=(
        Column("label", "投诉类别", required=True, max_len=16),
        Column("roles", "回访人角色", "multi", required=True, allowed={r.value: label for r, label in ROLE_LABELS.items()}),
    ),
    code_label="类别代码", row_noun="类", checks=(_grade_codes,),
)
_CALLBACK_CALLER_ROWS = [
    {"code": "major", "label": "重大投诉", "roles": ["office_director", "hq_head", "hq_specialist"]},
]


# Read by the approval mechanism (core/approvals.py): keep the key and the column names.
APPROVAL_CHAINS = TableSpec(
    columns=(
        Column("record_type", "记录类型", required=True, max_len=32),
        Column("step", "步骤", "int", required=True),
        Column("roles", "可审批角色", "multi", required=True, allowed={r.value: label for r, label in ROLE_LABELS.items()}),
        Column("label", "步骤名称", required=True, max_len=32),
    ),
    code_label="代码", row_noun="步", checks=(_one_chain_per_step,),
)
_CHAIN_ROWS = [
    # 责任划分 二: the 管理处主任 (own office) or the head of the HQ 客服中心 confirms the proposed responsibility.
    {"code": "complaint_finding_1", "record_type": "complaint_finding", "step": 1,
     "roles": ["office_director", "hq_head"], "label": "管理处主任或客服中心负责人确认"},
]


# Office-visitor incident classes (来访接待流程, domain-rules §20): the seed shows only the start of "A类"; the rest is
# inferred, so every row is data the customer's own definitions replace. ``duties`` says which deadlines and checks of
# core.visitor_incidents a class carries (限时接待/上报: visitor.a_*; 书面报告: visitor.d_report; 推选代表:
# visitor.b_representatives).
VISITOR_DUTIES = {"receive": "客服主任限时接待", "escalate": "未平息限时上报管理处主任", "report": "书面事件报告",
                  "representatives": "推选代表商谈"}
VISITOR_CLASSES = TableSpec(
    columns=(
        Column("label", "分类名称", required=True, max_len=16),
        Column("definition", "适用情形", required=True, max_len=200),
        Column("script", "应对话术/步骤", required=True, max_len=500),
        Column("duties", "时限与检查", "multi", allowed=VISITOR_DUTIES),
    ),
    code_label="分类代码", row_noun="类",
)
_VISITOR_CLASS_ROWS = [
    {"code": "a", "label": "A类", "definition": "业主未预约来访，情绪激动、要求见领导或当面投诉",
     "script": "前台起身问候，引至接待室（离开开放办公区），奉茶请坐；通知客服主任限时到场接待；耐心倾听并记录诉求；"
               "限时内未能平息的，报告管理处主任。", "duties": ["receive", "escalate"]},
    {"code": "b", "label": "B类", "definition": "多名业主结伴来访或集体上访",
     "script": "保安在门口维持秩序，不发生肢体接触；请来访者推选代表到会议室商谈；立即报告管理处主任及公司，"
               "并报客服中心(总部)；达到集体投诉人数的，按集体投诉登记（人数见投诉处理参数）。", "duties": ["representatives"]},
    {"code": "c", "label": "C类", "definition": "外来人员：媒体记者、律师、政府人员、推销人员、身份不明者",
     "script": "核实身份与来意；媒体记者：员工不接受采访，报公司行政公关部及客服中心(总部)；政府人员：报管理处主任；"
               "推销人员：礼貌劝离。", "duties": []},
    {"code": "d", "label": "D类", "definition": "暴力、威胁、毁坏财物等突发事件",
     "script": "保安保护人员与财产安全，必要时拨打110报警；保护现场，记录经过；限时提交书面事件报告。",
     "duties": ["report"]},
]

# 出入证 (小区出入证管理规定): the types a clerk issues (``kind`` tells the rules which is the 住户卡) and the purposes a
# temporary pass is issued for, each with the limit its validity follows (第10条 [inferred]).
PASS_KINDS = {"temporary": "临时出入证", "resident": "住户卡"}
PASS_LIMITS = {"decoration_period": "不超过装修期", "casual_months": "不超过钟点工/保姆最长期限",
               "same_day": "仅限当日", "temporary_max": "不超过临时证最长有效期", "none": "不限"}
PASS_TYPES = TableSpec(columns=(Column("label", "类型名称", required=True, max_len=16),
                                Column("kind", "种类", "choice", required=True, allowed=PASS_KINDS)),
                       code_label="类型代码", row_noun="类", required_codes=frozenset({"temporary", "resident"}))
_PASS_TYPE_ROWS = [{"code": "temporary", "label": "临时出入证", "kind": "temporary"},
                   {"code": "resident", "label": "住户卡", "kind": "resident"}]
PASS_PURPOSES = TableSpec(columns=(Column("label", "事由", required=True, max_len=16),
                                   Column("limit", "有效期限制", "choice", required=True, allowed=PASS_LIMITS)),
                          code_label="事由代码", row_noun="项")
_PASS_PURPOSE_ROWS = [
    {"code": "decoration", "label": "装修", "limit": "decoration_period"},
    {"code": "casual", "label": "钟点工/保姆", "limit": "casual_months"},
    {"code": "visitor", "label": "访客", "limit": "same_day"},
    {"code": "engineering", "label": "工程整改", "limit": "temporary_max"},
    {"code": "greening", "label": "绿化整改", "limit": "temporary_max"},
    {"code": "resident", "label": "住户", "limit": "none"},
]


PARAMS: dict[str, Param] = {
    p.key: p
    for p in [
        # reception (D1, D20)
        _p("reception.max_rings", "来电接听最多响铃次数", 3, "int", "声", "D1", "来电第1条", "seed", 1, 10),
        _p("reception.letter_reply", "来函书面答复期限", _dur(3, "working_days"), "duration", "", "D1", "来函第11条", "inferred"),
        _p("reception.letter_reply_max", "来函答复最长期限", _dur(7, "working_days"), "duration", "", "D1", "来函第11条", "inferred"),
        _p("visitor.a_receive_minutes", "A类来访客服主任接待时限", 10, "int", "分钟", "D20", "A类", "inferred", 1, 120),
        _p("visitor.a_escalate_minutes", "A类来访未平息上报管理处主任时限", 30, "int", "分钟", "D20", "A类", "inferred", 1, 480),
        _p("visitor.b_representatives", "群访代表人数上限", 5, "int", "人", "D20", "B类", "inferred", 1, 50),
        _p("visitor.d_report", "D类事件书面报告期限", _dur(24, "hours"), "duration", "", "D20", "D类", "inferred"),
        # the customer's own A/B/C definitions are not yet known: the classes and scripts are inferred, as data
        _t("visitor.classes", "来访事件分类及应对话术", VISITOR_CLASSES, _VISITOR_CLASS_ROWS, "D20", "事件分类", "inferred"),
        # access passes (D2)
        _p("pass.worker_deposit", "施工人员临时出入证押金", 50, "money", "元/证", "D2", "3.1 第2条", "found-variant", 0, 10000),
        _p("pass.worker_fee", "临时出入证工本费", 0, "money", "元/证", "D2", "3.1 第2条", "comparable", 0, 1000),
        _p("pass.resident_cards_per_household", "每户住户卡数量", 3, "int", "张", "D2", "3.1 第1条", "found-variant", 1, 20),
        _p("pass.late_return_window", "过期后退证宽限期", _dur(1, "weeks"), "duration", "", "D2", "第6条", "comparable"),
        _p("pass.extension_fee", "出入证续期费", 5, "money", "元/证", "D2", "第6条", "comparable", 0, 1000),
        _p("pass.casual_worker_max_months", "钟点工/保姆出入证最长有效期", 12, "int", "个月", "D2", "第10条", "inferred", 1, 60),
        _p("violation.room_hopping_min", "串房补偿下限", 30, "money", "元/人", "D2", "第8条", "found-variant", 0, 10000),
        _p("violation.room_hopping_max", "串房补偿上限", 50, "money", "元/人", "D2", "第8条", "found-variant", 0, 10000),
        # violations (D3)
        _p("violation.mailbox_repair", "撬信箱修理费", 100, "money", "元/户", "D3", "处理标准", "comparable", 0, 10000),
        _p("violation.nuisance_min", "摆摊/派单清洁费下限", 50, "money", "元", "D3", "处理标准", "comparable", 0, 10000),
        _p("violation.nuisance_max", "摆摊/派单清洁费上限", 200, "money", "元", "D3", "处理标准", "comparable", 0, 10000),
        _p("violation.facility_damage_factor_min", "损坏公共设施赔偿倍数下限", 2, "float", "倍", "D3", "处理标准", "comparable", 1, 100),
        _p("violation.facility_damage_factor_max", "损坏公共设施赔偿倍数上限", 10, "float", "倍", "D3", "处理标准", "comparable", 1, 100),
        _p("violation.repeat_publish_after", "第几次违规起张榜公示", 2, "int", "次", "D3", "工作流程第4条", "inferred", 1, 10),
        # training (D4)
        _p("training.induction_days", "入职岗前培训天数", 7, "int", "天", "D4", "第2条", "found-variant", 1, 60),
        _p("training.pass_mark", "培训考核合格分", 80, "int", "分", "D4", "工作流程第5条", "inferred", 0, 100),
        _p("training.retrain_within", "不合格补训期限", _dur(1, "months"), "duration", "", "D4", "工作流程第6条", "inferred"),
        _p("training.onjob_sessions_per_month", "在岗培训每月最少次数", 2, "int", "次", "D4", "第4条", "inferred", 0, 31),
        _p("training.sop_min_minutes", "SOP培训每次最少时长", 60, "int", "分钟", "D4", "同类版本", "found-variant", 0, 600),
        _p("training.annual_plan_due_day", "年度培训计划截止(12月)日", 15, "int", "日", "D4", "工作流程第1条", "found-variant", 1, 31),
        _p("training.monthly_plan_due_day", "月度培训计划截止(上月)日", 25, "int", "日", "D4", "工作流程第1条", "inferred", 1, 28),
        # discipline and assessment (D5, D6, D7)
        _p("discipline.arrive_early_minutes", "提前到岗交接时间", 10, "int", "分钟", "D5", "4.2", "found", 0, 60),
        _p("discipline.front_desk_arrive_early_minutes", "前台提前交接时间", 15, "int", "分钟", "D5", "4.2", "found", 0, 60),
        _p("sanction.late_lt10", "迟到/早退10分钟以内罚款", 5, "money", "元", "D6", "P-ATT-1", "found", 0, 1000),
        _p("sanction.late_10_20", "迟到/早退10–20分钟罚款", 10, "money", "元", "D6", "P-ATT-2", "found", 0, 1000),
        _p("sanction.late_gt20", "迟到/早退20分钟以上罚款", 20, "money", "元", "D6", "P-ATT-3", "found", 0, 1000),
        _p("sanction.absence", "旷工罚款(另书面警告)", 20, "money", "元", "D6", "P-ATT-4", "found", 0, 1000),
        _p("sanction.sick_leave_per_day", "病假每日扣款", 10, "money", "元/天", "D6", "P-ATT-5", "found", 0, 1000),
        _p("sanction.uniform", "仪容不整/工牌不全罚款", 5, "money", "元/次", "D6", "P-IMG-1", "found", 0, 1000),
        _p("sanction.rude", "态度恶劣罚款(另书面警告)", 20, "money", "元", "D6", "P-IMG-3", "found", 0, 1000),
        _p("sanction.warnings_to_dismissal", "12个月内书面警告次数→建议辞退", 3, "int", "次", "D6", "补充", "inferred", 1, 10),
        _p("assessment.base_score", "月度考核基础分", 100, "int", "分", "D7", "总则", "seed", 0, 1000),
        _p("assessment.appeal_window", "考核申诉期限", _dur(3, "working_days"), "duration", "", "D7", "考核周期", "inferred"),
        _p("assessment.publish_day", "考核结果公布(次月)日", 5, "int", "日", "D7", "考核周期", "inferred", 1, 28),
        _p("assessment.band1_max", "扣分档1上限(全额工资)", 10, "int", "分", "D7", "扣分档", "comparable", 0, 100),
        _p("assessment.band2_cut_pct", "扣分档2工资扣减", 10, "int", "%", "D7", "扣分档", "comparable", 0, 100),
        _p("assessment.band3_cut_pct", "扣分档3工资扣减", 20, "int", "%", "D7", "扣分档", "comparable", 0, 100),
        _p("assessment.band4_cut_pct", "扣分档4工资扣减", 25, "int", "%", "D7", "扣分档", "comparable", 0, 100),
        _p("assessment.band5_cut_pct", "扣分档5工资扣减", 30, "int", "%", "D7", "扣分档", "comparable", 0, 100),
        # decoration (D8, D9)
        _p("decoration.work_start", "装修施工开始时间", "08:00", "time", "", "D9", "第4条", "comparable"),
        _p("decoration.lunch_start", "装修午休开始", "12:00", "time", "", "D9", "第4条", "comparable"),
        _p("decoration.lunch_end", "装修午休结束", "14:00", "time", "", "D9", "第4条", "comparable"),
        _p("decoration.work_end", "装修施工结束时间", "18:00", "time", "", "D9", "第4条", "comparable"),
        _p("decoration.min_extinguishers", "施工现场灭火器最少数量", 2, "int", "具", "D9", "第5条", "comparable", 0, 20),
        _p("decoration.home_deposit", "住宅装修保证金", 2000, "money", "元", "D9", "第7条", "inferred", 0, 100000),
        _p("decoration.shop_deposit_min", "商铺装修保证金下限", 3000, "money", "元", "D8", "参考数额", "comparable", 0, 1000000),
        _p("decoration.shop_deposit_max", "商铺装修保证金上限", 10000, "money", "元", "D8", "参考数额", "comparable", 0, 1000000),
        _p("decoration.refund_wait", "验收后保证金退还观察期", _dur(3, "months"), "duration", "", "D9", "第9条", "inferred"),
        # home visits (D11)
        _p("home_visit.quota_per_zone_quarter", "每苑区每季度家访户数", 20, "int", "户", "D11", "目标第2条", "found", 0, 1000),
        _p("home_visit.key_household_per_quarter", "重点业户每季度家访次数", 2, "int", "次", "D11", "目标第3条", "found", 0, 20),
        _p("home_visit.min_team", "家访最少人数", 2, "int", "人", "D11", "规定", "found", 1, 10),
        _p("home_visit.arrive_early_minutes", "提前到达时间", 5, "int", "分钟", "D11", "步骤第3条", "found", 0, 60),
        # complaints (D12–D19)
        _p("complaint.consultant_reply", "顾问书面答复期限", _dur(24, "hours"), "duration", "", "D12", "一.3", "found"),
        # 二.1 says "及时" without a number: from when anyone of ours first had the complaint to the 投诉接口 having it
        _p("complaint.contact_within", "投诉信息送达投诉接口时限", _dur(2, "hours"), "duration", "", "D12", "二.1", "inferred"),
        _p("complaint.major_collective", "重大投诉：集体投诉人数", 10, "int", "人", "D14", "一.1", "found", 2, 1000),
        _p("complaint.hot_collective", "热点投诉：集体投诉人数", 3, "int", "人", "D14", "一.2", "found", 2, 1000),
        _p("complaint.hot_same_issue", "热点投诉：同一事项不同投诉人数", 3, "int", "人", "D14", "一.2", "found", 2, 1000),
        _p("complaint.same_issue_window", "同一事项统计窗口", _dur(1, "months"), "duration", "", "D14", "一.2", "found"),
        _p("complaint.hot_unresolved", "热点投诉：我方原因未解决时长", _dur(7, "days"), "duration", "", "D14", "一.2", "found"),
        _p("complaint.major_unresolved", "重大投诉：我方原因未解决时长", _dur(1, "months"), "duration", "", "D14", "一.1", "found"),
        _p("complaint.age_clock_from_receipt", "我方原因未解决时长自受理时起算（否：自投诉产生时起算，同制度原文）", False,
           "bool", "", "D14", "一", "inferred"),
        _p("complaint.thresholds_inclusive", "“以上”含本数", True, "bool", "", "D14", "一", "inferred"),
        # The four classes' codes and labels as core.complaints names them (a unit test holds the two together).
        _order("complaint.rank", "投诉类别严重程度次序",
               {"major": "重大", "hot": "热点", "important": "重要", "general": "一般"}, "D14", "二", "found"),
        _p("complaint.report_at_once", "重大/热点“立即”通报时限", _dur(1, "hours"), "duration", "", "D14", "二", "inferred"),
        _p("complaint.express_bulletin_every", "重大投诉快报间隔", _dur(7, "days"), "duration", "", "D14", "二.1", "found"),
        _p("complaint.special_report_within", "专题报告提交期限(归档后)", _dur(7, "days"), "duration", "", "D14", "二", "inferred"),
        _p("complaint.due_major", "重大投诉处理期限", _dur(7, "days"), "duration", "", "CO", "投诉处理期限", "inferred"),
        _p("complaint.due_hot", "热点投诉处理期限", _dur(5, "days"), "duration", "", "CO", "投诉处理期限", "inferred"),
        _p("complaint.due_important", "重要投诉处理期限", _dur(3, "working_days"), "duration", "", "CO", "投诉处理期限", "inferred"),
        _p("complaint.due_general", "一般投诉处理期限", _dur(2, "working_days"), "duration", "", "CO", "投诉处理期限", "inferred"),
        _p("complaint.callback_within", "验证后回访期限", _dur(3, "days"), "duration", "", "D13", "第3条", "inferred"),
        _t("complaint.callback_callers", "各类投诉的回访人", COMPLAINT_CALLBACK_CALLERS, _CALLBACK_CALLER_ROWS, "D13", "第3条",
           "inferred"),
        _p("complaint.callback_target_pct", "回访率目标", 100, "int", "%", "D13", "第6条", "inferred", 0, 100),
        _p("complaint.hotline_reply", "政府热线/住建转办答复期限", _dur(2, "working_days"), "duration", "", "CO", "政府热线/住建转办答复期限", "inferred"),
        _p("complaint.online_facts", "网上投诉书面事实报告期限", _dur(24, "hours"), "duration", "", "D17", "第2条", "inferred"),
        _p("complaint.online_facts_viral", "网上投诉(媒体关注)事实报告期限", _dur(4, "hours"), "duration", "", "D17", "第2条", "inferred"),
        _p("complaint.online_public_reply", "总部网上公开回复期限", _dur(2, "working_days"), "duration", "", "D17", "第3条", "inferred"),
        _p("complaint.attachment_max_kb", "投诉附件大小上限", 5120, "int", "KB", "SYS", "附件", "inferred", 16, 51200),
        _p("complaint.case_submit_within", "典型案例提交期限(结案后)", _dur(1, "weeks"), "duration", "", "D15", "第3条", "inferred"),
        _p("complaint.monthly_report_due_day", "投诉分类统计表报送(次月)日", 3, "int", "日", "D19", "第2条", "seed", 1, 28),
        _p("complaint.publication_per_month", "每月投诉公示次数", 1, "int", "次", "D18", "第1条", "seed", 0, 31),
        _p("complaint.important_on_repeat", "二次投诉(含回访不满意重开)列为重要", True, "bool", "", "D14", "一.3", "found"),
        _p("complaint.important_on_help", "需顾问或集团协助列为重要", True, "bool", "", "D14", "一.3", "found"),
        _p("complaint.callback_attempts", "联系不上顾客：免回访前最少回访次数", 3, "int", "次", "D13", "第2条", "inferred", 1, 20),
        _p("complaint.callback_exempt_extra", "其他免回访情形(以“；”分隔)", "顾客明确表示不接受回访", "text", "", "D13", "第2条", "inferred"),
        _p("complaint.hq_forward_within", "客服中心转达顾问求助期限", _dur(2, "hours"), "duration", "", "D12", "一.2", "inferred"),
        _p("complaint.same_issue_suggest_days", "同一事项建议：同类别同楼栋天数", 30, "int", "天", "D14", "一.2", "inferred", 1, 365),
        _p("complaint.breaching_soon_hours", "即将超期提醒提前量", 24, "int", "小时", "CO", "即将超期提醒", "inferred", 1, 240),
        _t("complaint.categories", "投诉分类", COMPLAINT_CATEGORIES, _CATEGORY_ROWS, "D19", "第2条", "seed"),
        _t("complaint.report_routing", "各类投诉的通报对象", COMPLAINT_ROUTING, _ROUTING_ROWS, "D14", "二", "found"),
        _t("approval.chains", "审批链", APPROVAL_CHAINS, _CHAIN_ROWS, "D12", "二", "inferred"),
        _p("archive.update_within", "客户变更后档案更新期限", _dur(2, "days"), "duration", "", "D16", "第1条", "seed"),
        # system and security
        _p("security.login_failures", "登录失败次数上限(时间窗内)", 5, "int", "次", "SYS", "登录", "inferred", 3, 100),
        _p("security.login_window_minutes", "登录失败统计时间窗", 15, "int", "分钟", "SYS", "登录", "inferred", 1, 1440),
        _p("security.source_failures", "同一来源登录失败上限(时间窗内)", 30, "int", "次", "SYS", "登录", "inferred", 5, 10000),
        _p("security.idle_timeout_minutes", "空闲超时", 30, "int", "分钟", "SYS", "会话", "inferred", 5, 1440),
        _p("security.absolute_timeout_hours", "会话绝对超时", 12, "int", "小时", "SYS", "会话", "inferred", 1, 168),
        _p("security.min_password_length", "密码最短长度", 8, "int", "位", "SYS", "密码", "inferred", 8, 64),
        _p("worktime.morning_start", "上午上班", "08:00", "time", "", "D9", "作息时间", "comparable"),
        _p("worktime.morning_end", "上午下班", "12:00", "time", "", "D9", "作息时间", "comparable"),
        _p("worktime.afternoon_start", "下午上班", "14:00", "time", "", "D9", "作息时间", "comparable"),
        _p("worktime.afternoon_end", "下午下班", "18:00", "time", "", "D9", "作息时间", "comparable"),
        # reception desk (issue 12): the register's categories, greeting, callback deadline; grooming moved to discipline
        _t("reception.categories", "来电来访来函分类", RECEPTION_CATEGORIES, _RECEPTION_CATEGORY_ROWS, "D1", "受理分类",
           "found-variant"),
        _p("reception.greeting", "电话问候语", "您好，{公司}，{姓名}为您服务", "text", "", "D1", "来电第2条", "found-variant"),
        _p("reception.callback_within", "需回电的来电回电期限", _dur(1, "working_days"), "duration", "", "D1", "来电第3条",
           "inferred"),
        _p("reception.attachment_max_kb", "来函扫描件、答复复印件大小上限", 5120, "int", "KB", "SYS", "附件", "inferred", 16,
           51200),
        _p("discipline.nail_max_mm", "前台指甲长度上限", 1, "float", "mm", "D1", "来访第9条", "found-variant", 0, 10),
        _p("discipline.hair_max_cm", "男员工头发长度上限", 10, "float", "cm", "D1", "来访第9条", "found-variant", 0, 50),
        # access passes (issue 13): the types and purposes as tables, the validity limits, the home-page window,
        # the photo size cap and the gate phone's idle timeout (保安 role)
        _t("pass.types", "出入证类型", PASS_TYPES, _PASS_TYPE_ROWS, "D2", "出入证种类", "seed"),
        _t("pass.purposes", "出入证办证事由", PASS_PURPOSES, _PASS_PURPOSE_ROWS, "D2", "第10条", "inferred"),
        _p("pass.temporary_max_days", "临时出入证最长有效期(非装修事由)", 90, "int", "天", "D2", "第10条", "inferred", 1, 366),
        _p("pass.expiring_days", "出入证即将到期提醒提前量", 7, "int", "天", "D2", "第6条", "inferred", 1, 60),
        _p("pass.photo_max_kb", "出入证照片大小上限", 2048, "int", "KB", "SYS", "附件", "inferred", 100, 20480),
        _p("pass.guard_idle_minutes", "保安账号空闲超时(门岗共用手机)", 10, "int", "分钟", "SYS", "会话", "inferred", 1, 1440),
    ]
}

GROUP_LABELS = {
    "reception": "来电来访来函",
    "visitor": "来访接待",
    "pass": "出入证",
    "violation": "违规处理",
    "training": "员工培训",
    "discipline": "劳动纪律",
    "sanction": "奖惩",
    "assessment": "考核",
    "decoration": "装修管理",
    "home_visit": "家访",
    "complaint": "投诉处理",
    "archive": "顾客档案",
    "approval": "审批",
    "security": "系统安全",
    "worktime": "作息时间",
}


def _validate_order(param: Param, value: Any, name: str) -> str:
    """An ordering as "a>b>c" (or a list of codes, as the policy page's picker gives it): every code once."""
    codes = [c.strip() for c in (value.split(">") if isinstance(value, str) else list(value))]
    known = [code for code, _ in param.choices]
    if sorted(codes) != sorted(known):
        labels = "、".join(label for _, label in param.choices)
        raise DomainError(f"{name}须把 {labels} 各列一次，从重到轻排列")
    return ">".join(codes)


def order_codes(param: Param, value: str) -> list[str]:
    return [c.strip() for c in str(value).split(">")]


def _parse_time(text: str) -> time:
    try:
        hh, mm = str(text).split(":")
        return time(int(hh), int(mm))
    except (ValueError, TypeError) as exc:
        raise DomainError("时间格式应为 HH:MM，例如 08:30") from exc


def validate(key: str, value: Any, *, known: Iterable[Any] = ()) -> Any:
    """Return the normalised value for ``key`` or raise a Chinese ``DomainError``.

    ``known``: for a table, its earlier versions (lists of rows): no row once used may disappear.
    """
    param = PARAMS.get(key)
    if param is None:
        raise DomainError(f"未知的制度参数：{key}")
    name = f"“{param.label}”"
    if param.kind == "table":
        earlier = {row["code"]: row for rows in (param.default, *known) for row in rows}
        return validate_rows(param.table, value, known=earlier.values())
    try:
        if param.kind == "int":
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            value = int(float(value))
        elif param.kind == "money":
            # int = 分 (stored values, defaults); text = what an administrator typed in 元; float never.
            value = money.parse_yuan(value, name=name) if isinstance(value, str) else money.require_fen(value, name=name)
        elif param.kind == "float":
            value = round(float(value), 2)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        elif param.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError
        elif param.kind == "time":
            value = _parse_time(value).strftime("%H:%M")
        elif param.kind == "duration":
            from core.worktime import UNITS

            amount, unit = float(value["amount"]), str(value["unit"])
            if unit not in UNITS or amount < 0 or amount > 10000:
                raise ValueError
            value = {"amount": int(amount) if amount == int(amount) else amount, "unit": unit}
        elif param.kind == "order":
            value = _validate_order(param, value, name)
        elif param.kind == "text":
            value = str(value).strip()
            if not value or len(value) > 500:
                raise ValueError
    except DomainError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise DomainError(f"{name}的取值无效") from exc
    if param.kind == "money":
        if param.minimum is not None and value < param.minimum:
            raise DomainError(f"{name}不能小于 {money.format_yuan(param.minimum)}")
        if param.maximum is not None and value > param.maximum:
            raise DomainError(f"{name}不能大于 {money.format_yuan(param.maximum)}")
    elif param.kind in ("int", "float"):
        if param.minimum is not None and value < param.minimum:
            raise DomainError(f"{name}不能小于 {param.minimum:g}")
        if param.maximum is not None and value > param.maximum:
            raise DomainError(f"{name}不能大于 {param.maximum:g}")
    return value


def encode(key: str, value: Any) -> str:
    """The JSON stored in ``policy_change.value_json`` for a validated value (money: int 分)."""
    return json.dumps(value, ensure_ascii=False)


def decode(key: str, text: str) -> Any:
    """A stored value back to what the rules read.

    Money was stored in 元 as a JSON float (``50.0``) before it became int 分: a JSON float under a money key is
    such a legacy value and is converted (digits read as ``Decimal``, never through a float).
    """
    param = PARAMS.get(key)
    if param is None or param.kind != "money":
        return json.loads(text)
    raw = json.loads(text, parse_float=Decimal)
    if isinstance(raw, Decimal):
        return money.from_legacy_yuan(raw)
    return raw


@dataclass(frozen=True)
class Change:
    """One administrator override: becomes a policy version of its own."""

    version: int
    key: str
    value: Any
    effective_from: datetime


@dataclass(frozen=True)
class Holiday:
    day: date
    kind: str  # "holiday" | "workday" (调休上班)
    name: str = ""


@dataclass(frozen=True)
class PolicyBook:
    """The rules in force for one version and one moment."""

    version: int
    values: dict[str, Any]
    holidays: tuple[Holiday, ...] = field(default=())
    overridden: frozenset[str] = field(default=frozenset())

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def param(self, key: str) -> Param:
        return PARAMS[key]

    def cite(self, key: str) -> str:
        return PARAMS[key].citation

    def rows(self, key: str, *, active_only: bool = True) -> list[dict]:
        """A table parameter's rows (by default the active ones), in the administrator's order."""
        return [r for r in self.values[key] if r["active"] or not active_only]

    def row(self, key: str, code: str) -> dict | None:
        """The row with ``code``, active or not (a record made under an old row still reads it)."""
        return next((r for r in self.values[key] if r["code"] == code), None)

    def row_label(self, key: str, code: str) -> str:
        """A stored code as a clerk reads it; the code itself when no row (ever) had it."""
        row = self.row(key, code)
        return str(row["label"]) if row and row.get("label") else code

    def duration(self, key: str) -> tuple[float, str]:
        value = self.values[key]
        return value["amount"], value["unit"]

    def calendar(self, tz=None) -> WorkCalendar:
        periods = (
            (_parse_time(self.values["worktime.morning_start"]), _parse_time(self.values["worktime.morning_end"])),
            (_parse_time(self.values["worktime.afternoon_start"]), _parse_time(self.values["worktime.afternoon_end"])),
        )
        kwargs = {"tz": tz} if tz is not None else {}
        return WorkCalendar(
            holidays=frozenset(h.day for h in self.holidays if h.kind == "holiday"),
            makeup_workdays=frozenset(h.day for h in self.holidays if h.kind == "workday"),
            periods=periods,
            **kwargs,
        )


def resolve(
    changes: Iterable[Change], *, version: int | None, at: datetime, holidays: Iterable[Holiday] = ()
) -> PolicyBook:
    """Defaults overridden by the changes known at ``version`` that are effective at ``at``.

    Among several effective changes of one key, the latest effective-from date wins, then the latest version.
    """
    values = {key: p.default for key, p in PARAMS.items()}
    chosen: dict[str, Change] = {}
    top = 0
    for ch in changes:
        if version is not None and ch.version > version:
            continue
        top = max(top, ch.version)
        if ch.effective_from > at or ch.key not in PARAMS:
            continue
        best = chosen.get(ch.key)
        if best is None or (ch.effective_from, ch.version) > (best.effective_from, best.version):
            chosen[ch.key] = ch
    for key, ch in chosen.items():
        values[key] = ch.value
    return PolicyBook(
        version=version if version is not None else top,
        values=values,
        holidays=tuple(holidays),
        overridden=frozenset(chosen),
    )


def format_value(param: Param, value: Any) -> str:
    from core.worktime import UNITS

    if param.kind == "duration":
        amount = value["amount"]
        return f"{amount:g} {UNITS.get(value['unit'], value['unit'])}"
    if param.kind == "bool":
        return "是" if value else "否"
    if param.kind == "table":
        return summary(param.table, value)
    if param.kind == "order":
        labels = dict(param.choices)
        return " > ".join(labels.get(code, code) for code in order_codes(param, value))
    if param.kind == "money":
        return money.format_yuan(value) + (f" {param.unit.removeprefix('元')}" if param.unit not in ("元", "") else "")
    return f"{value}{(' ' + param.unit) if param.unit else ''}"


def format_stored(key: str, text: str) -> str:
    """A stored value as the history tab shows it (money in 元, codes as labels)."""
    param = PARAMS.get(key)
    if param is None:
        return text
    return format_value(param, decode(key, text))


# Statutory holidays and 调休 working weekends shipped as a starting calendar (State Council notice for
# 2026); administrators keep it current on the policy page.
DEFAULT_HOLIDAYS_2026: tuple[Holiday, ...] = tuple(
    [Holiday(date(2026, 1, d), "holiday", "元旦") for d in (1, 2, 3)]
    + [Holiday(date(2026, 1, 4), "workday", "元旦调休")]
    + [Holiday(date(2026, 2, d), "holiday", "春节") for d in range(15, 24)]
    + [Holiday(date(2026, 2, 14), "workday", "春节调休"), Holiday(date(2026, 2, 28), "workday", "春节调休")]
    + [Holiday(date(2026, 4, d), "holiday", "清明节") for d in (4, 5, 6)]
    + [Holiday(date(2026, 5, d), "holiday", "劳动节") for d in range(1, 6)]
    + [Holiday(date(2026, 5, 9), "workday", "劳动节调休")]
    + [Holiday(date(2026, 6, d), "holiday", "端午节") for d in (19, 20, 21)]
    + [Holiday(date(2026, 9, d), "holiday", "中秋节") for d in (25, 26, 27)]
    + [Holiday(date(2026, 10, d), "holiday", "国庆节") for d in range(1, 8)]
    + [Holiday(date(2026, 9, 20), "workday", "国庆节调休"), Holiday(date(2026, 10, 10), "workday", "国庆节调休")]
)

"""通报 on the detail page (records, 电话通报, 快报, 专题报告 with their PDFs) and the list page's 质量简报 download
(顾客投诉处理制度(投诉通报处理制度) 二)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import complaint_stats as stats_rules
from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_workflow import Op
from core.complaints import Grade
from core.pdf import complaint_forms as forms
from core.permissions import Action, Actor
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services.policy import policy_at
from ui.fmt import dt, now
from ui.forms import submit_button
from ui.pdf import pdf_button
from ui.tables import frame
from views.complaints.widgets.actions import run_action
from views.complaints.widgets.common import REPORT_KINDS, grade_label, sheet_data
from views.complaints.widgets.panels import datetime_input


def reports_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    may_report = actor.can(Action.COMPLAINT_REPORT, c.office_id)
    if d.reports:
        st.dataframe(frame(d.reports, {"时间": lambda r: dt(r.at), "方式": lambda r: REPORT_KINDS.get(r.kind, r.kind),
                                       "对象": lambda r: r.to_whom, "说明": lambda r: r.note}),
                     hide_index=True, width="stretch")
    elif not wf.is_reported(c.grade):
        st.caption(f"{grade_label(c.grade)}投诉处理中无须通报；结案后列入质量简报（{rules.cite('D14', '二')}）。")
    if wf.offered(actor, Op.PHONE_REPORT, wf.Situation.of(c)):
        _phone_form(actor, c)
    _express(actor, d, may_report)
    _special(actor, d, may_report)


def _phone_form(actor: Actor, c) -> None:
    with st.expander("记录电话通报", icon=":material/call:"):
        with st.form(f"phone_{c.id}"):
            st.caption(rules.cite("D14", "二") + "：重大投诉立即报总部客服中心、行政公关部和公司领导；热点投诉报总部客服中心")
            to_whom = st.text_input("通报对象 *", placeholder="总部客服中心 周中心")
            at = datetime_input("通报时间", key=f"phone_at_{c.id}", optional=False)
            note = st.text_input("通报内容摘要")
            if submit_button(f"phone_{c.id}", "记录已电话通报"):
                run_action("记录电话通报", reports.record_phone_report, form=f"phone_{c.id}", actor=actor,
                           complaint_id=c.id, at=at, to_whom=to_whom, note=note)


def _express(actor: Actor, d: svc.Detail, may_report: bool) -> None:
    c = d.complaint
    status = reports.express_status(actor=actor, complaint_id=c.id, now=now())
    issues = reports.express_issues(actor=actor, complaint_id=c.id) if c.grade == Grade.MAJOR.value else []
    if status.required:
        overdue = wf.is_overdue(status.next_due_at, now())
        text = f"下次快报应于 {dt(status.next_due_at)} 前报送（已报 {status.count} 期；{status.citation}）"
        (st.error if overdue else st.info)(text, icon=":material/schedule:")
        if status.changes_since:
            st.warning("上期快报以来有重大变化，应及时报送快报：\n" + "\n".join(f"- {x}" for x in status.changes_since[-5:]))
        if wf.offered(actor, Op.EXPRESS, wf.Situation.of(c)):
            with st.form(f"express_{c.id}", clear_on_submit=True):
                progress = st.text_area("本期进展 *")
                steps = st.text_input("下一步措施")
                if submit_button(f"express_{c.id}", "报送快报", icon=":material/send:"):
                    run_action("报送快报", reports.record_express, form=f"express_{c.id}", actor=actor,
                               complaint_id=c.id, progress=progress, next_steps=steps)
    if issues:
        last = issues[-1]
        key = f"express_pdf_{c.id}_{last.number}"
        pdf_button(f"打印快报 PDF（第{last.number}期）", lambda: forms.express_bulletin(
            _express_data(d, last, status), company=d.company, printed_at=dt(now())),
            f"{c.number}-快报第{last.number}期.pdf", key=f"{key}_btn")


def _express_data(d: svc.Detail, issue, status) -> forms.ExpressData:
    since = [e for e in d.events if e.event in rules.MAJOR_CHANGE_ACTIONS]
    return forms.ExpressData(sheet=sheet_data(d), issue=issue.number, sent_at=dt(issue.at), text=issue.text,
                             changes=[(dt(e.at), e.actor_name, e.note) for e in since][-12:],
                             next_due=dt(status.next_due_at) if status.required else "投诉已归档，改报专题报告",
                             citation=status.citation or rules.C_EXPRESS)


def _special(actor: Actor, d: svc.Detail, may_report: bool) -> None:
    c = d.complaint
    kind = rules.special_kind(c.grade)
    if kind is None:
        return
    title = "专题报告（A/B/C 三部分）" if kind == "three_part" else "简要专题报告"
    if not wf.check(Op.SPECIAL_REPORT, wf.Situation.of(c)):
        st.caption(f"结案后须写{title}（{rules.C_SPECIAL}）。")
        return
    written = reports.special_report(actor=actor, complaint_id=c.id)
    if written is None and c.closed_at is not None:  # the duty: the policy book's days after archiving (二)
        policy = policy_at(now(), c.policy_version)
        due = rules.special_due(c.closed_at, policy)
        text = f"{title}应于 {dt(due)} 前报送（归档后{wf.quote(policy, 'complaint.special_report_within')}，" \
               f"{policy.cite('complaint.special_report_within')}）"
        if wf.is_overdue(due, now()):
            st.error(text + "，已超期", icon=":material/alarm:")
        else:
            st.info(text, icon=":material/schedule:")
    if written is not None:
        st.success(f"{title}已于 {dt(written.written_at)} 报送。", icon=":material/description:")
        key = f"special_pdf_{c.id}_{written.id}"
        pdf_button("打印专题报告 PDF", lambda: forms.special_report(forms.SpecialData(
            sheet=sheet_data(d), kind=written.kind, part_a=written.part_a, part_b=written.part_b,
            part_c=written.part_c, written_at=dt(written.written_at),
            timeline=[(dt(e.at), e.actor_name, e.note) for e in d.events]), company=d.company, printed_at=dt(now())),
            f"{c.number}-专题报告.pdf", key=f"{key}_btn")
    if not may_report:
        return
    with st.expander(("重写" if written else "撰写") + title, icon=":material/edit_document:", expanded=written is None):
        with st.form(f"special_{c.id}"):
            a = st.text_area(rules.SPECIAL_PARTS["part_a"] + " *", value=written.part_a if written else _course(d),
                             height=180)
            b = st.text_area(rules.SPECIAL_PARTS["part_b"] + " *", value=written.part_b if written else "") \
                if kind == "three_part" else ""
            cc = st.text_area(rules.SPECIAL_PARTS["part_c"] + " *", value=written.part_c if written else "") \
                if kind == "three_part" else ""
            if submit_button(f"special_{c.id}", "报送专题报告", icon=":material/send:"):
                run_action("报送专题报告", reports.write_special_report, form=f"special_{c.id}", actor=actor,
                           complaint_id=c.id, part_a=a, part_b=b, part_c=cc)


def _course(d: svc.Detail) -> str:
    """A first draft of part A from the timeline: the whole course and how it was handled."""
    lines = [f"{dt(e.at)} {e.actor_name}：{e.note}" for e in d.events]
    return "\n".join(lines)[:6000]


def quality_bulletin_button(actor: Actor, *, office_id: int | None, since: datetime | None,
                            until: datetime | None, period_label: str) -> None:
    """质量简报 for the list's period: 重要 items with a short account and notable 一般 items (PDF on request)."""
    if not actor.can(Action.COMPLAINT_EXPORT):
        return
    if since is None or until is None:
        st.caption("选择受理日期区间后可生成该期质量简报（PDF）。")
        return
    key = f"qb_{office_id}_{since:%Y%m%d}_{until:%Y%m%d}"
    def render() -> bytes:
        data = reports.quality_bulletin(actor=actor, since=since, until=until, office_id=office_id)
        return forms.quality_bulletin(_bulletin_data(data, period_label), company=data.company, printed_at=dt(now()))

    pdf_button("打印质量简报 PDF", render, f"投诉质量简报-{period_label}.pdf", key=f"{key}_btn",
               icon=":material/summarize:")


# The quarterly analysis' columns after the category (core.pdf.complaint_forms.QUARTER_HEADERS)
QUARTER_KEYS = ("total", "major", "important", "hot", "general", "closure_rate", "callback_rate", "satisfaction_rate",
                "previous_total", "change")


def _bulletin_data(b: reports.QualityBulletin, period_label: str) -> forms.BulletinData:
    def items(rows):
        return [forms.BulletinEntry(i.number, i.office, i.grade, i.category, i.title, i.account, i.callback,
                                    "；".join(i.reasons)) for i in rows]

    return forms.BulletinData(scope=b.scope, period=period_label, received=b.received, closed=b.closed,
                              by_grade={rules.GRADE_LABELS[Grade(k)]: v for k, v in b.by_grade.items()},
                              callbacks=b.callbacks, satisfied=b.satisfied, important=items(b.important),
                              notable=items(b.notable), citation=b.citation, important_total=b.important_total,
                              cases=[(f"{c.number} · {c.office}", f"{c.grade} · {c.category}", c.summary, c.lessons)
                                     for c in b.cases],
                              quarter=None if b.quarter is None else [
                                  [r.label, *(str(stats_rules.cell(r, k)) for k in QUARTER_KEYS)] for r in b.quarter])

"""Detail tabs around a complaint: 专业顾问, 网上投诉, 同一事项, 附件 and 责任认定 (顾客投诉处理制度 docs 12, 14, 17).

Each panel shows the record and only the actions the signed-in user may take now, citing the clause.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_workflow import Op
from core.permissions import Action, Actor
from db.services import (
    complaint_attachments,
    complaint_consult,
    complaint_findings,
    complaint_groups,
    complaint_online,
)
from db.services import complaints as svc
from db.services.policy import policy_at
from ui.attachments import attachments_section
from ui.fmt import TZ, dt, now
from ui.forms import button, submit_button
from ui.tables import frame
from ui.theme import PICK
from views.complaints.widgets.actions import run_action
from views.complaints.widgets.common import kv_table, rule


def datetime_input(label: str, *, key: str, optional: bool = True, value: datetime | None = None) -> datetime | None:
    """A date and a time side by side, read as Asia/Shanghai; empty date → None (when optional)."""
    left, right = st.columns(2)
    local = (value or now()).astimezone(TZ)
    day = left.date_input(f"{label}（日期）", value=local.date() if value or not optional else None, key=f"{key}_d")
    clock = right.time_input(f"{label}（时间）", value=local.time().replace(second=0, microsecond=0), key=f"{key}_t")
    if day is None:
        return None
    return datetime.combine(day, clock, TZ)


# ----- 专业顾问 ---------------------------------------------------------------------------------------


def consult_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    policy = policy_at(now(), c.policy_version)
    st.caption(f"{rules.cite('D12', '一')}：顾问 {rule(policy, 'complaint.consultant_reply')} 内书面答复；联系不上顾问时"
               f"由客服中心在 {rule(policy, 'complaint.hq_forward_within')} 内联系顾问或指派临时顾问")
    moment = now()
    if not d.consults:
        st.caption("尚未请求专业顾问支持。")
    else:
        st.dataframe(frame(d.consults, {
            "顾问": lambda x: x[1] + ("（临时）" if x[0].is_temporary else ""),
            "请求时间": lambda x: dt(x[0].requested_at), "答复期限": lambda x: dt(x[0].due_at),
            "答复时间": lambda x: dt(x[0].replied_at) or ("已超时" if wf.is_overdue(x[0].due_at, moment) else "待答复"),
            "答复": lambda x: x[0].reply,
            "客服中心协调": lambda x: _hq_state(x[0]),
        }), hide_index=True, width="stretch")
    for req, name in d.consults:
        _consult_actions(actor, c, req, name)
    if wf.offered(actor, Op.CONSULT_REQUEST, wf.Situation.of(c)):
        _request_form(actor, d)


def _hq_state(req) -> str:
    if req.hq_asked_at is None:
        return ""
    if req.hq_forwarded_at:
        return f"已转达 {dt(req.hq_forwarded_at)}"
    return f"待转达（时限 {dt(req.hq_forward_due_at)}）"


def _consult_actions(actor: Actor, c, req, name: str) -> None:
    here, consult = wf.Situation.of(c), wf.ConsultSituation.of(req)
    if wf.offered(actor, Op.CONSULT_UNREACHABLE, here, consult=consult):
        if st.button(f"联系不上{name}，请客服中心协调", key=f"unreach_{req.id}", icon=":material/phone_missed:"):
            run_action("请客服中心协调", complaint_consult.consultant_unreachable, actor=actor, consult_id=req.id)
    if wf.offered(actor, Op.CONSULT_FORWARDED, here, consult=consult):
        if st.button(f"已联系到{name}并转达", key=f"fwd_{req.id}", icon=":material/forward_to_inbox:"):
            run_action("记录转达", complaint_consult.hq_forwarded, actor=actor, consult_id=req.id)
    if wf.offered(actor, Op.CONSULT_FINAL_RESULT, here, consult=consult):
        if st.button("已将最终结果告知客服中心", key=f"final_{req.id}", icon=":material/task_alt:"):
            run_action("告知最终结果", complaint_consult.final_result_notified, actor=actor, consult_id=req.id)


def _request_form(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    consultants = {x.id: f"{x.name}（{x.speciality}）{x.phone}" for x in complaint_consult.list_consultants(actor=actor)}
    if not consultants:
        st.caption("顾问名录为空，请联系总部客服中心。")
        return
    hq = actor.can(Action.COMPLAINT_CONSULTANT_MANAGE)
    waiting = {r.id: f"{n} 的请求（{dt(r.requested_at)}）" for r, n in d.consults
               if r.hq_asked_at and r.hq_forwarded_at is None}
    with st.form(f"consult_{c.id}", clear_on_submit=True):
        st.markdown("**请求专业顾问支持**")
        cid = st.selectbox("顾问", list(consultants), format_func=consultants.get, placeholder=PICK)
        question = st.text_area("需要支持的问题 *")
        temporary = hq and st.checkbox("临时顾问（总部客服中心指派）")
        instead = st.selectbox("代替联系不上的请求", [None, *waiting], format_func=lambda k: "—" if k is None else waiting[k], placeholder=PICK) \
            if hq and waiting else None
        if submit_button(f"consult_{c.id}", "发送请求", icon=":material/send:"):
            run_action("请求顾问支持", complaint_consult.request_consult, form=f"consult_{c.id}", actor=actor,
                       complaint_id=c.id, consultant_id=cid,
                       question=question, temporary=bool(temporary or instead), instead_of=instead)


# ----- 网上投诉 ---------------------------------------------------------------------------------------


def online_panel(actor: Actor, d: svc.Detail) -> None:
    c, post = d.complaint, d.online
    st.caption(rules.cite("D17", "第1–3条") + "：单位立即通知被投诉部门负责人；书面事实报告限时报送；只有总部客服中心网上公开回复")
    hq = actor.can(Action.COMPLAINT_ONLINE_REPLY, c.office_id)
    unit = actor.can(Action.COMPLAINT_HANDLE, c.office_id)
    if post is not None:
        kv_table({"发布平台": post.platform, "链接": post.url or "—", "发帖人": post.poster_handle or "—",
                  "发帖时间": dt(post.posted_at) or "—", "总部客服中心转来": dt(post.forwarded_by_hq_at) or "—",
                  "通知被投诉部门负责人": dt(post.unit_notified_at) or "未记录（应立即通知）",
                  "广泛关注/媒体介入": "是" if post.viral else "否"})
        late = wf.is_overdue(post.facts_due_at, now(), done=post.facts_at is not None)
        facts = f"已于 {dt(post.facts_at)} 收到" if post.facts_at else ("已超时，" if late else "") + "尚未收到"
        st.markdown(f"**书面事实报告**：应于 {dt(post.facts_due_at)} 前报送；{facts}")
        if post.facts_text:
            st.text(post.facts_text)
        if post.public_reply_at:
            st.markdown(f"**总部公开回复**（{dt(post.public_reply_at)}）")
            st.text(post.reply_text)
        elif post.public_reply_due_at:
            st.caption(f"总部公开回复应于 {dt(post.public_reply_due_at)} 前完成")
        here, online = wf.Situation.of(c), wf.OnlineSituation.of(post)
        if wf.offered(actor, Op.ONLINE_NOTIFIED, here, online=online) and st.button("已通知被投诉部门负责人", key=f"on_notify_{c.id}",
                                                                 icon=":material/notifications_active:"):
            run_action("记录通知", complaint_online.online_department_notified, actor=actor, complaint_id=c.id)
        if wf.offered(actor, Op.ONLINE_FACTS, here, online=online):
            with st.form(f"on_facts_{c.id}"):
                text = st.text_area("书面事实及拟采取的措施 *")
                if st.form_submit_button("提交书面事实报告"):
                    run_action("提交书面事实报告", complaint_online.online_facts, actor=actor, complaint_id=c.id, facts_text=text)
        if wf.offered(actor, Op.ONLINE_REPLY, here, online=online):
            with st.form(f"on_reply_{c.id}"):
                text = st.text_area("公开回复内容 *", help="须依据单位的书面事实报告（第3条）")
                if st.form_submit_button("登记总部公开回复"):
                    run_action("登记公开回复", complaint_online.online_public_reply, actor=actor, complaint_id=c.id, reply_text=text)
        elif hq and post.public_reply_at is None:  # HQ sees why it cannot reply yet
            st.caption(wf.check(Op.ONLINE_REPLY, here, online=online).message)
        if post.result_posted_at:
            who = d.user_names.get(post.result_posted_by) or "总部客服中心"
            st.markdown(f"**原帖公布处理结果**：{who}，{dt(post.result_posted_at)}，{post.result_url}")
        else:
            st.caption(f"处理完成后由总部客服中心在原帖公布处理结果，之后方可归档（{wf.C_ONLINE_RESULT}）")
        if wf.offered(actor, Op.ONLINE_RESULT, here, online=online):
            with st.form(f"on_result_{c.id}"):
                link = st.text_input("公布处理结果的帖子链接 *", value=post.url)
                if st.form_submit_button("已在原帖公布处理结果"):
                    run_action("登记原帖公布处理结果", complaint_online.online_result_posted, actor=actor, complaint_id=c.id,
                               url=link)
    elif c.channel != rules.Channel.ONLINE.value:
        st.caption("非网上投诉；如该投诉同时在网上发布，可在此登记。")
    if unit or hq:
        with st.expander("登记/修改网上投诉信息" if post else "登记网上投诉信息", expanded=post is None and
                         c.channel == rules.Channel.ONLINE.value):
            online_post_form(actor, c, post)


def online_post_form(actor: Actor, c, post) -> None:
    with st.form(f"on_post_{c.id}"):
        platform = st.text_input("发布平台 *", value=post.platform if post else "", placeholder="业主论坛、微博、抖音…")
        url = st.text_input("链接", value=post.url if post else "")
        handle = st.text_input("发帖人", value=post.poster_handle if post else "")
        posted = datetime_input("发帖时间", key=f"on_posted_{c.id}", value=post.posted_at if post else None)
        forwarded = datetime_input("总部客服中心转来时间", key=f"on_fwd_{c.id}",
                                   value=post.forwarded_by_hq_at if post else None)
        viral = st.checkbox("已引起广泛关注/媒体介入（事实报告时限缩短，按媒体曝光判定为重大）",
                            value=bool(post and post.viral))
        if submit_button(f"on_post_{c.id}", "保存网上投诉信息"):
            run_action("保存网上投诉信息", complaint_online.save_online_post, form=f"on_post_{c.id}", actor=actor,
                       complaint_id=c.id, platform=platform, url=url, poster_handle=handle, posted_at=posted,
                       viral=viral, forwarded_by_hq_at=forwarded)


# ----- 同一事项 ---------------------------------------------------------------------------------------


def group_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    group = complaint_groups.same_issue_group(actor=actor, complaint_id=c.id, now=now())
    policy = policy_at(now(), c.policy_version)
    can_edit = actor.can(Action.COMPLAINT_HANDLE, c.office_id)
    if group is not None:
        st.markdown(f"**{group.title}**：{group.distinct_complainants} 位不同投诉人"
                    f"（{wf.at_least(policy, 'complaint.hot_same_issue')}为热点，{group.citation}）")
        st.dataframe(frame(group.members, {"编号": lambda m: m[1], "摘要": lambda m: m[2], "状态": lambda m: m[3]}),
                     hide_index=True, width="stretch")
        if wf.offered(actor, Op.SAME_ISSUE_UNLINK, wf.Situation.of(c)):
            reason = st.text_input("移出理由", key=f"unlink_reason_{c.id}")
            if st.button("移出同一事项", key=f"unlink_{c.id}", icon=":material/link_off:"):
                run_action("移出同一事项", complaint_groups.unlink_same_issue, actor=actor, complaint_id=c.id, reason=reason)
    else:
        st.caption(f"未归入同一事项。{policy.cite('complaint.hot_same_issue')}：{rule(policy, 'complaint.same_issue_window')}"
                   f"内同一事项不同投诉人{wf.at_least(policy, 'complaint.hot_same_issue')}为热点投诉")
    if not can_edit:
        return
    suggestions = complaint_groups.suggest_same_issue(actor=actor, complaint_id=c.id, now=now())
    days = rule(policy, "complaint.same_issue_suggest_days")
    if suggestions:
        st.markdown(f"**可能的同一事项**（同分类、同楼栋、前后 {days} 内）")
    else:
        st.caption(f"没有可能的同一事项（同分类、同楼栋、前后 {days} 内）" if c.building_id else "未登记房屋，无法按楼栋提示同一事项。")
    for other_id, label, gid in suggestions:
        left, right = st.columns([3, 1])
        left.write(label + ("（已在其他同一事项中）" if gid else ""))
        with right:
            linked = button(f"link_{c.id}_{other_id}", "归入同一事项", icon=":material/link:")
        if linked:
            run_action("归入同一事项", complaint_groups.link_same_issue, form=f"link_{c.id}_{other_id}", actor=actor,
                       complaint_id=c.id, with_complaint_id=other_id)
    groups = dict(complaint_groups.group_choices(actor=actor, office_id=c.office_id))
    groups.pop(c.same_issue_group_id, None)
    with st.form(f"group_{c.id}"):
        choice = st.selectbox("归入已有同一事项", [None, *groups], format_func=lambda g: "新建同一事项" if g is None else groups[g], placeholder=PICK)
        title = st.text_input("新建时的事项名称", value=c.title)
        if submit_button(f"group_{c.id}", "归入"):
            run_action("归入同一事项", complaint_groups.link_same_issue, form=f"group_{c.id}", actor=actor,
                       complaint_id=c.id, group_id=choice, title=title)


# ----- 附件 -------------------------------------------------------------------------------------------


def attachments_panel(actor: Actor, d: svc.Detail) -> None:
    """The complaint's files from the detail's metadata; a file's bytes are read only when it is opened."""
    c = d.complaint
    attachments_section(actor, key=f"att_{c.id}", record_type=complaint_attachments.RECORD_TYPE, record_id=c.id,
                        now=now(), items=d.attachments, can_add=actor.can(Action.COMPLAINT_HANDLE, c.office_id))


# ----- 责任认定 ---------------------------------------------------------------------------------------


def findings_panel(actor: Actor, d: svc.Detail, views: list[complaint_findings.FindingView]) -> None:
    c = d.complaint
    st.caption(rules.C_RESP + "：按错过的时限自动提出责任建议；与奖惩、考核挂钩须经人工确认并写明理由")
    if not views:
        st.success("目前没有错过的时限，无需责任认定。", icon=":material/verified:")
        return
    may_decide = actor.can(Action.COMPLAINT_RESPONSIBILITY_CONFIRM, c.office_id)
    for i, v in enumerate(views):
        f = v.finding
        with st.container(border=True):
            st.markdown(f"**{f.clause} · {f.person}**：{f.reason}（{f.citation}）")
            if v.approval is not None:
                a = v.approval
                st.caption(f"审批：{a.state_label}（第{max(a.step, 1)}/{len(a.steps)}步，{a.steps[0].label}；{a.clause}）"
                           + "".join(f"；{x.decision_label} {x.actor_name} {dt(x.at)}" for x in a.decisions))
            if v.decision is not None:
                label = complaint_findings.FINDING_DECISIONS[v.decision.decision]
                st.caption(f"{label}：{v.decision.note}（{v.decided_by_name}，{dt(v.decision.decided_at)}）")
            elif may_decide:
                with st.form(f"finding_{c.id}_{i}"):
                    decision = st.radio("认定", list(complaint_findings.FINDING_DECISIONS), format_func=complaint_findings.FINDING_DECISIONS.get,
                                        horizontal=True)
                    note = st.text_area("认定理由 *", help="写明核实的事实；确认后方可作为奖惩、考核的依据")
                    if st.form_submit_button("提交认定"):
                        run_action("提交责任认定", complaint_findings.decide_finding, actor=actor, complaint_id=c.id, clause=f.clause,
                                   person=f.person, decision=decision, note=note)
            else:
                st.caption("待管理处主任或客服中心负责人确认。")

"""Detail tabs around a complaint: 专业顾问, 网上投诉, 同一事项, 附件 and 责任认定 (顾客投诉处理制度 docs 12, 14, 17).

Each panel shows the record and only the actions the signed-in user may take now, citing the clause.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import complaints as rules
from core.complaints import State
from core.errors import DomainError
from core.permissions import Action, Actor
from db.services import complaint_support as support
from db.services import complaints as svc
from ui.complaint_actions import run_action
from ui.fmt import TZ, dt, now
from ui.forms import show_error
from ui.tables import frame

IMAGE_MIMES = {"image/jpeg", "image/png"}


def datetime_input(label: str, *, key: str, optional: bool = True) -> datetime | None:
    """A date and a time side by side, read as Asia/Shanghai; empty date → None (when optional)."""
    left, right = st.columns(2)
    local = now().astimezone(TZ)
    day = left.date_input(f"{label}（日期）", value=None if optional else local.date(), key=f"{key}_d")
    clock = right.time_input(f"{label}（时间）", value=local.time().replace(second=0, microsecond=0), key=f"{key}_t")
    if day is None:
        return None
    return datetime.combine(day, clock, TZ)


# ----- 专业顾问 ---------------------------------------------------------------------------------------


def consult_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    st.caption(rules.cite("D12", "一") + "：顾问24小时内书面答复；联系不上顾问时由客服中心及时联系或指派临时顾问")
    moment = now()
    if not d.consults:
        st.caption("尚未请求专业顾问支持。")
    else:
        st.dataframe(frame(d.consults, {
            "顾问": lambda x: x[1] + ("（临时）" if x[0].is_temporary else ""),
            "请求时间": lambda x: dt(x[0].requested_at), "答复期限": lambda x: dt(x[0].due_at),
            "答复时间": lambda x: dt(x[0].replied_at) or ("已超时" if x[0].due_at < moment else "待答复"),
            "答复": lambda x: x[0].reply,
            "客服中心协调": lambda x: _hq_state(x[0]),
        }), hide_index=True, width="stretch")
    for req, name in d.consults:
        _consult_actions(actor, c, req, name)
    if State(c.state) in rules.OPEN_STATES and actor.can(Action.COMPLAINT_CONSULT_REQUEST, c.office_id):
        _request_form(actor, d)


def _hq_state(req) -> str:
    if req.hq_asked_at is None:
        return ""
    if req.hq_forwarded_at:
        return f"已转达 {dt(req.hq_forwarded_at)}"
    return f"待转达（时限 {dt(req.hq_forward_due_at)}）"


def _consult_actions(actor: Actor, c, req, name: str) -> None:
    office = c.office_id
    still_open = State(c.state) in rules.OPEN_STATES
    if (still_open and req.replied_at is None and req.hq_asked_at is None
            and actor.can(Action.COMPLAINT_CONSULT_REQUEST, office)):
        if st.button(f"联系不上{name}，请客服中心协调", key=f"unreach_{req.id}", icon=":material/phone_missed:"):
            run_action("请客服中心协调", support.consultant_unreachable, actor=actor, consult_id=req.id)
    if req.hq_asked_at and req.hq_forwarded_at is None and actor.can(Action.COMPLAINT_CONSULTANT_MANAGE):
        if st.button(f"已联系到{name}并转达", key=f"fwd_{req.id}", icon=":material/forward_to_inbox:"):
            run_action("记录转达", support.hq_forwarded, actor=actor, consult_id=req.id)
    if (req.replied_at and req.final_result_notified_at is None and State(c.state) == State.CLOSED
            and actor.can(Action.COMPLAINT_CONSULT_REQUEST, office)):
        if st.button("已将最终结果告知客服中心", key=f"final_{req.id}", icon=":material/task_alt:"):
            run_action("告知最终结果", support.final_result_notified, actor=actor, consult_id=req.id)


def _request_form(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    consultants = {x.id: f"{x.name}（{x.speciality}）{x.phone}" for x in support.list_consultants(actor=actor)}
    if not consultants:
        st.caption("顾问名录为空，请联系总部客服中心。")
        return
    hq = actor.can(Action.COMPLAINT_CONSULTANT_MANAGE)
    waiting = {r.id: f"{n} 的请求（{dt(r.requested_at)}）" for r, n in d.consults
               if r.hq_asked_at and r.hq_forwarded_at is None}
    with st.form(f"consult_{c.id}", clear_on_submit=True):
        st.markdown("**请求专业顾问支持**")
        cid = st.selectbox("顾问", list(consultants), format_func=consultants.get)
        question = st.text_area("需要支持的问题 *")
        temporary = hq and st.checkbox("临时顾问（总部客服中心指派）")
        instead = st.selectbox("代替联系不上的请求", [None, *waiting], format_func=lambda k: "—" if k is None else waiting[k]) \
            if hq and waiting else None
        if st.form_submit_button("发送请求", icon=":material/send:"):
            run_action("请求顾问支持", support.request_consult, actor=actor, complaint_id=c.id, consultant_id=cid,
                       question=question, temporary=bool(temporary or instead), instead_of=instead)


# ----- 网上投诉 ---------------------------------------------------------------------------------------


def online_panel(actor: Actor, d: svc.Detail) -> None:
    c, post = d.complaint, d.online
    st.caption(rules.cite("D17", "第1–3条") + "：单位立即通知被投诉部门负责人；书面事实报告限时报送；只有总部客服中心网上公开回复")
    hq = actor.can(Action.COMPLAINT_ONLINE_REPLY, c.office_id)
    unit = actor.can(Action.COMPLAINT_HANDLE, c.office_id)
    if post is not None:
        st.dataframe(frame([post], {
            "平台": lambda p: p.platform, "链接": lambda p: p.url, "发帖人": lambda p: p.poster_handle,
            "发帖时间": lambda p: dt(p.posted_at), "总部转来": lambda p: dt(p.forwarded_by_hq_at),
            "已通知部门": lambda p: dt(p.unit_notified_at) or "未记录（应立即）",
            "广泛关注": lambda p: "是" if p.viral else "否",
        }), hide_index=True, width="stretch")
        late = post.facts_at is None and post.facts_due_at and post.facts_due_at < now()
        facts = f"已于 {dt(post.facts_at)} 收到" if post.facts_at else ("已超时，" if late else "") + "尚未收到"
        st.markdown(f"**书面事实报告**：应于 {dt(post.facts_due_at)} 前报送；{facts}")
        if post.facts_text:
            st.text(post.facts_text)
        if post.public_reply_at:
            st.markdown(f"**总部公开回复**（{dt(post.public_reply_at)}）")
            st.text(post.reply_text)
        elif post.public_reply_due_at:
            st.caption(f"总部公开回复应于 {dt(post.public_reply_due_at)} 前完成")
        if unit and post.unit_notified_at is None and st.button("已通知被投诉部门负责人", key=f"on_notify_{c.id}",
                                                                 icon=":material/notifications_active:"):
            run_action("记录通知", support.online_department_notified, actor=actor, complaint_id=c.id)
        if unit and post.facts_at is None:
            with st.form(f"on_facts_{c.id}"):
                text = st.text_area("书面事实及拟采取的措施 *")
                if st.form_submit_button("提交书面事实报告"):
                    run_action("提交书面事实报告", support.online_facts, actor=actor, complaint_id=c.id, facts_text=text)
        if hq and post.public_reply_at is None:
            with st.form(f"on_reply_{c.id}"):
                text = st.text_area("公开回复内容 *", help="须依据单位的书面事实报告（第3条）")
                if st.form_submit_button("登记总部公开回复"):
                    run_action("登记公开回复", support.online_public_reply, actor=actor, complaint_id=c.id, reply_text=text)
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
        posted = datetime_input("发帖时间", key=f"on_posted_{c.id}")
        forwarded = datetime_input("总部客服中心转来时间", key=f"on_fwd_{c.id}")
        viral = st.checkbox("已引起广泛关注/媒体介入（事实报告时限缩短，并按可能曝光判定类别）",
                            value=bool(post and post.viral))
        if st.form_submit_button("保存网上投诉信息"):
            run_action("保存网上投诉信息", support.save_online_post, actor=actor, complaint_id=c.id, platform=platform,
                       url=url, poster_handle=handle, posted_at=posted, viral=viral, forwarded_by_hq_at=forwarded)


# ----- 同一事项 ---------------------------------------------------------------------------------------


def group_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    group = support.same_issue_group(actor=actor, complaint_id=c.id, now=now())
    can_edit = actor.can(Action.COMPLAINT_HANDLE, c.office_id)
    if group is not None:
        st.markdown(f"**{group.title}**：{group.distinct_complainants} 位不同投诉人（{group.threshold} 位以上为热点，"
                    f"{group.citation}）")
        st.dataframe(frame(group.members, {"编号": lambda m: m[1], "摘要": lambda m: m[2], "状态": lambda m: m[3]}),
                     hide_index=True, width="stretch")
        if can_edit:
            reason = st.text_input("移出理由", key=f"unlink_reason_{c.id}")
            if st.button("移出同一事项", key=f"unlink_{c.id}", icon=":material/link_off:"):
                run_action("移出同一事项", support.unlink_same_issue, actor=actor, complaint_id=c.id, reason=reason)
    else:
        st.caption("未归入同一事项。" + rules.cite("D14", "一.2") + "：一个月内同一事项不同投诉人3位以上为热点投诉")
    if not can_edit:
        return
    suggestions = support.suggest_same_issue(actor=actor, complaint_id=c.id, now=now())
    st.markdown("**可能的同一事项**（同分类、同楼栋、前后30天内）" if suggestions else "")
    for other_id, label, gid in suggestions:
        left, right = st.columns([3, 1])
        left.write(label + ("（已在其他同一事项中）" if gid else ""))
        if right.button("归入同一事项", key=f"link_{c.id}_{other_id}", icon=":material/link:"):
            run_action("归入同一事项", support.link_same_issue, actor=actor, complaint_id=c.id, with_complaint_id=other_id)
    groups = dict(support.group_choices(actor=actor, office_id=c.office_id))
    groups.pop(c.same_issue_group_id, None)
    with st.form(f"group_{c.id}"):
        choice = st.selectbox("归入已有同一事项", [None, *groups], format_func=lambda g: "新建同一事项" if g is None else groups[g])
        title = st.text_input("新建时的事项名称", value=c.title)
        if st.form_submit_button("归入"):
            run_action("归入同一事项", support.link_same_issue, actor=actor, complaint_id=c.id, group_id=choice, title=title)


# ----- 附件 -------------------------------------------------------------------------------------------


def attachments_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    limit, clause = support.upload_limit(now=now())
    for att_id, filename, size in d.attachments:
        left, right = st.columns([3, 1])
        left.write(f"{filename}（{max(1, size // 1024)} KB）")
        name, mime, data = support.attachment(actor=actor, attachment_id=att_id)
        right.download_button("下载", data=data, file_name=name, mime=mime, key=f"att_dl_{att_id}",
                              icon=":material/download:")
        if mime in IMAGE_MIMES:
            left.image(data, width=240)
    if not d.attachments:
        st.caption("暂无附件。")
    if actor.can(Action.COMPLAINT_HANDLE, c.office_id):
        key = f"att_up_{c.id}_{st.session_state.get(f'att_gen_{c.id}', 0)}"
        upload = st.file_uploader("上传照片或扫描件（JPG、PNG、PDF）", type=["jpg", "jpeg", "png", "pdf"], key=key,
                                  help=f"单个文件不超过 {limit // 1024} KB（{clause}）；图片将重新编码并去除位置等信息")
        if upload is not None and st.button("保存附件", key=f"att_save_{c.id}", icon=":material/upload:"):
            try:
                support.add_attachment(actor=actor, complaint_id=c.id, filename=upload.name, data=upload.getvalue(),
                                       now=now())
                st.session_state[f"att_gen_{c.id}"] = st.session_state.get(f"att_gen_{c.id}", 0) + 1
                st.session_state["flash"] = "已上传附件"
                st.rerun()
            except DomainError as exc:
                show_error(exc)


# ----- 责任认定 ---------------------------------------------------------------------------------------


def findings_panel(actor: Actor, d: svc.Detail) -> None:
    c = d.complaint
    views = support.findings(actor=actor, complaint_id=c.id, now=now())
    st.caption(rules.C_RESP + "：按错过的时限自动提出责任建议；与奖惩、考核挂钩须经人工确认并写明理由")
    if not views:
        st.success("各项时限均已按时完成，暂无责任认定。", icon=":material/verified:")
        return
    may_decide = actor.can(Action.COMPLAINT_RESPONSIBILITY_CONFIRM, c.office_id)
    for i, v in enumerate(views):
        f = v.finding
        with st.container(border=True):
            st.markdown(f"**{f.clause} · {f.person}**：{f.reason}（{f.citation}）")
            if v.decision is not None:
                label = support.FINDING_DECISIONS[v.decision.decision]
                st.caption(f"{label}：{v.decision.note}（{v.decided_by_name}，{dt(v.decision.decided_at)}）")
            elif may_decide:
                with st.form(f"finding_{c.id}_{i}"):
                    decision = st.radio("认定", list(support.FINDING_DECISIONS), format_func=support.FINDING_DECISIONS.get,
                                        horizontal=True)
                    note = st.text_area("认定理由 *", help="写明核实的事实；确认后方可作为奖惩、考核的依据")
                    if st.form_submit_button("提交认定"):
                        run_action("提交责任认定", support.decide_finding, actor=actor, complaint_id=c.id, clause=f.clause,
                                   person=f.person, decision=decision, note=note)
            else:
                st.caption("待管理处主任或客服中心负责人确认。")

"""登记投诉: the intake form (defaults: now, my office); class, deadlines and 通报 follow from the rules."""

from datetime import datetime

import streamlit as st

from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_facts import FACT_LABELS, FLAG_FACTS, ComplaintFacts
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_attachments, complaint_groups
from db.services import complaints as svc
from db.services.org import find_properties
from db.services.policy import policy_at
from ui.attachments import file_picker
from ui.context import page_header, require
from ui.fmt import TZ, dt, now
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.pickers import office_picker
from ui.theme import PICK
from views.complaints.widgets.common import POLICY_LINE, complaint_link, grade_label, options
from views.complaints.widgets.panels import datetime_input

FORM = "complaint_new"
DONE = "complaint_new_done"  # the registration just saved: shown above the emptied form until the next submission
NO_FACTS = ComplaintFacts()  # the defaults
actor = require(Action.COMPLAINT_CREATE)
page_header("登记投诉", ":material/add_comment:", POLICY_LINE)

# Kept (not popped): the rerun of a late second click would otherwise draw the emptied form without the number.
done = st.session_state.get(DONE)
if done:
    for kind, text in done["messages"]:
        getattr(st, kind)(text)
    complaint_link(done["id"], f"打开 {done['number']}")

office_id = office_picker(actor, Action.COMPLAINT_CREATE, key="new_office", allow_all=False)
prop_text = st.text_input("房屋（输入苑区/楼栋/房号搜索，可留空）", key="new_prop_text")
props = dict(find_properties(actor=actor, text=prop_text, office_id=office_id, limit=30)) if prop_text.strip() else {}
groups = dict(complaint_groups.group_choices(actor=actor, office_id=office_id))
repeat_text = st.text_input("二次投诉的原投诉（输入编号/电话/姓名搜索本管理处已处理的投诉，可留空）", key="new_repeat_text")
repeats = dict(svc.repeat_candidates(actor=actor, office_id=office_id, text=repeat_text)) if repeat_text.strip() else {}
policy = policy_at(now())
collective_help = (f"{wf.at_least(policy, 'complaint.hot_collective')}为热点，"
                   f"{wf.at_least(policy, 'complaint.major_collective')}为重大"
                   f"（{policy.cite('complaint.major_collective')}）")

# The form is keyed by its request id (ui.forms.form_token): a new id after a registration draws a new, empty form,
# and a late second click on the old one presses no button of it (issue 11 item 20).
token = form_token(FORM)
with st.form(f"{FORM}_{token}"):
    c1, c2, c3 = st.columns(3)
    channel = c1.selectbox("渠道 *", options(rules.CHANNEL_LABELS), format_func=rules.CHANNEL_LABELS.get, placeholder=PICK)
    categories = {r["code"]: r["label"] for r in policy.rows("complaint.categories")}  # the policy book's table
    category = c2.selectbox("分类 *", list(categories), format_func=categories.get, placeholder=PICK)
    property_id = c3.selectbox("房屋", [None, *props], format_func=lambda p: "—" if p is None else props[p],
                               placeholder=PICK)
    anonymous = c1.checkbox("匿名投诉")
    name = c2.text_input("投诉人姓名")
    phone = c3.text_input("联系电话")
    count = c1.number_input(FACT_LABELS["complainant_count"], min_value=1, max_value=10000, value=1, help=collective_help)
    local = now().astimezone(TZ)
    day = c2.date_input("发生日期 *", value=local.date())
    clock = c3.time_input("发生时间 *", value=local.time().replace(second=0, microsecond=0))
    title = st.text_input("摘要", max_chars=100)
    description = st.text_area("投诉内容 *", height=120)
    st.caption("以下情况影响投诉类别（《投诉通报处理制度》一）")
    fact_columns = st.columns(4)  # one checkbox per fact flag, labels and defaults from core.complaint_facts
    flags = {name: fact_columns[i % 4].checkbox(FACT_LABELS[name], value=getattr(NO_FACTS, name))
             for i, name in enumerate(FLAG_FACTS)}
    group = st.selectbox("同一事项", [None, *groups], format_func=lambda g: "—" if g is None else groups[g], placeholder=PICK)
    repeat_of = st.selectbox(f"二次投诉：原投诉（{rules.cite('D14', '一.3')}）", [None, *repeats],
                             format_func=lambda r: "—（不是二次投诉）" if r is None else repeats[r], placeholder=PICK)
    with st.expander("网上投诉信息（渠道为“网络”时填写，《网上投诉处理》第1–2条）", icon=":material/public:"):
        platform = st.text_input("发布平台", placeholder="业主论坛、微博、抖音…")
        url = st.text_input("链接")
        poster = st.text_input("发帖人")
        posted_at = datetime_input("发帖时间", key=f"new_posted_{token}")
        forwarded_at = datetime_input("总部客服中心转来时间", key=f"new_fwd_{token}")
        viral = st.checkbox("已引起广泛关注/媒体介入")
    with st.expander(f"转交情况（他人先接到时填写；{policy.cite('complaint.contact_within')}）", icon=":material/move_down:"):
        st.caption(f"投诉接口须在首次接到后 {wf.quote(policy, 'complaint.contact_within')} 内收到（推定，待客户确认）；"
                   "晚于时限须写明经手人，责任认定第1条据此提出")
        first_received = datetime_input("首次接到时间", key=f"new_first_{token}")
        held_by = st.text_input("经手人（谁先接到并转交）", max_chars=64)
    files = file_picker(f"new_files_{token}", record_type=complaint_attachments.RECORD_TYPE, now=now())
    submitted = submit_button(FORM, "登记投诉", type="primary", icon=":material/save:")

if submitted:
    st.session_state.pop(DONE, None)  # this submission's outcome replaces the last registration's
    occurred = datetime.combine(day, clock, TZ)
    data = svc.ComplaintIn(
        office_id=office_id, channel=channel, category=category, description=description, occurred_at=occurred,
        title=title, property_id=property_id, anonymous=anonymous, complainant_name=name, complainant_phone=phone,
        complainant_count=int(count), **flags, same_issue_group_id=group, first_received_at=first_received,
        held_by=held_by, repeat_of_id=repeat_of,
        online=svc.OnlineIn(platform=platform, url=url, poster_handle=poster, posted_at=posted_at,
                            forwarded_by_hq_at=forwarded_at, viral=viral) if platform.strip() else None,
        attachments=files,
    )
    try:
        c = svc.register(actor=actor, data=data, request_id=token, now=now())
    except DomainError as exc:
        show_error(exc)
    else:
        messages = [("success", f"已登记 {c.number}，类别：{grade_label(c.grade)}（{c.grade_trigger}），处理期限：{dt(c.due_at)}")]
        if c.report_due_at:
            messages.append(("warning", f"{grade_label(c.grade)}投诉已按通报对象发出通报，须在 {dt(c.report_due_at)} 前通报到"
                                        "每一对象；通报对象与确认情况见投诉详情。"))
        if channel == rules.Channel.ONLINE.value and not platform.strip():
            messages.append(("info", "网上投诉：请在投诉详情的“网上投诉”页登记发布平台，书面事实报告期限随之计算。"))
        st.session_state[DONE] = {"id": c.id, "number": c.number, "messages": messages}
        new_form_token(FORM)  # the next render is a new request with an empty form
        st.session_state.pop("new_prop_text", None)
        st.rerun()

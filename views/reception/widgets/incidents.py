"""Office-visitor incident widgets (来访接待流程): the intake with the chosen class's script, the list's columns, the
daily view's section, and one incident's record with its deadlines, complaint and timeline."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from core import visitor_incidents as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from core.policy import PolicyBook, format_value
from db.services import visitor_incident_queues as queues
from db.services import visitor_incidents as svc
from db.services.org import find_properties
from db.services.policy import policy_at
from ui.fmt import TZ, dt, now, short_dt
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.pdf import pdf_button
from ui.pickers import office_picker
from ui.tables import frame, table, text_column
from ui.theme import PICK

PAGE = rules.RECORD_TYPE.page
POLICY_LINE = "依据《XX物业客服中心来访接待流程》：事件分类、接待、上报、处理与跟进（分类定义与话术为推定，待客户确认）"
FORM = "visitor_incident_new"
DONE = "visitor_incident_done"


def state_label(code: str) -> str:
    return rules.STATE_LABELS.get(code, code)


def when_input(label: str, *, key: str, value: datetime | None = None) -> datetime:
    """A date and a time side by side, read in the company's time zone (default: now)."""
    left, right = st.columns(2)
    local = (value or now()).astimezone(TZ)
    day = left.date_input(f"{label}（日期）", value=local.date(), key=f"{key}_d")
    clock = right.time_input(f"{label}（时间）", value=local.time().replace(second=0, microsecond=0), key=f"{key}_t")
    return datetime.combine(day, clock, TZ)


def show_script(vc: rules.VisitClass, policy: PolicyBook) -> None:
    """The class's scripted response for the clerk, with the deadlines it carries, from the policy book."""
    lines = [f"**{vc.label}应对话术**（{vc.definition}）：{vc.script}"]
    if "receive" in vc.duties:
        lines.append(f"客服主任须在 {policy['visitor.a_receive_minutes']} 分钟内接待（{policy.cite('visitor.a_receive_minutes')}）")
    if "escalate" in vc.duties:
        lines.append(f"{policy['visitor.a_escalate_minutes']} 分钟内未平息须报告管理处主任"
                     f"（{policy.cite('visitor.a_escalate_minutes')}）")
    if "representatives" in vc.duties:
        lines.append(f"请来访者推选不超过 {policy['visitor.b_representatives']} 名代表商谈"
                     f"（{policy.cite('visitor.b_representatives')}）")
    if "report" in vc.duties:
        lines.append(f"须在 {book_value(policy, 'visitor.d_report')} 内提交书面事件报告（{policy.cite('visitor.d_report')}）")
    st.info("\n\n".join(lines), icon=":material/record_voice_over:")


def book_value(policy: PolicyBook, key: str) -> str:
    return format_value(policy.param(key), policy[key])


def intake(actor: Actor) -> None:
    """登记来访事件: the class first (its script shows at once), then the visit; Enter in the form submits."""
    done = st.session_state.get(DONE)
    if done:
        st.success(done)
    policy = policy_at(now())
    classes = {vc.code: vc for vc in rules.classes(policy)}
    c1, c2 = st.columns([1, 2])
    with c1:
        office_id = office_picker(actor, Action.VISITOR_INCIDENT_CREATE, key="vi_office", allow_all=False)
    visit_class = c2.segmented_control("事件分类 *", list(classes), format_func=lambda c: classes[c].label,
                                       key="vi_class", default=None)
    if visit_class is None:
        st.caption("先选择事件分类：系统显示该类的应对话术和时限。")
        return
    show_script(classes[visit_class], policy)
    prop_text = st.text_input("房屋（输入苑区/楼栋/房号搜索，可留空）", key="vi_prop_text")
    props = dict(find_properties(actor=actor, text=prop_text, office_id=office_id, limit=30)) if prop_text.strip() else {}
    categories = {r["code"]: r["label"] for r in policy.rows("complaint.categories")}
    token = form_token(FORM)
    with st.form(f"{FORM}_{token}"):
        a, b, c = st.columns(3)
        name = a.text_input("来访人姓名 *")
        phone = b.text_input("联系电话")
        prop = c.selectbox("房屋", [None, *props], format_func=lambda p: "—" if p is None else props[p], placeholder=PICK)
        people = a.number_input("来访人数 *", min_value=1, max_value=rules.MAX_PEOPLE, value=1)
        reps = b.number_input(f"代表人数（上限 {policy['visitor.b_representatives']} 人）", min_value=0, max_value=50,
                              value=0, help=f"群访时请来访者推选的代表人数；0 表示未推选（{policy.cite('visitor.b_representatives')}）")
        category = c.selectbox("投诉分类（集体来访/转投诉时）", [None, *categories], placeholder=PICK,
                               format_func=lambda k: "—" if k is None else categories[k],
                               help=rules.collective_phrase(policy))
        purpose = st.text_area("来访事由 *", height=80)
        arrived = when_input("来访时间", key=f"vi_arrived_{token}")
        submitted = submit_button(FORM, "登记", type="primary", icon=":material/save:")
    if not submitted:
        return
    st.session_state.pop(DONE, None)
    data = svc.IncidentIn(office_id=office_id, visit_class=visit_class, visitor_name=name, visitor_phone=phone,
                          property_id=prop, people_count=int(people), representatives=int(reps) or None,
                          purpose=purpose, arrived_at=arrived, complaint_category=category)
    try:
        row = svc.register(actor=actor, data=data, request_id=token, now=now())
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[DONE] = f"已登记 {row.number}（{classes[visit_class].label}，{row.people_count}人）" + (
        "，已按集体投诉登记" if row.complaint_id else "")
    st.session_state["vi_open"] = row.id
    new_form_token(FORM)
    st.session_state.pop("vi_prop_text", None)
    st.rerun()


# ----- lists --------------------------------------------------------------------------------------------

ROW_PX = 35  # a data grid row (and its header) in px
_WIDTHS = {"编号": 118, "管理处": 96, "来访时间": 92, "分类": 52, "人数": 44, "来访人": 80, "状态": 64}


def _columns(policy: PolicyBook, office_names: dict[int, str], *, show_office: bool, export: bool = False) -> dict:
    cols = {"编号": lambda r: r.number}
    if show_office or export:
        cols["管理处"] = lambda r: office_names.get(r.office_id, "")
    cols |= {"来访时间": (lambda r: dt(r.arrived_at)) if export else (lambda r: short_dt(r.arrived_at)),
             "分类": lambda r: rules.class_label(policy, r.visit_class), "人数": lambda r: r.people_count,
             "来访人": lambda r: r.visitor_name, "事由": lambda r: r.purpose[:60], "状态": lambda r: state_label(r.state)}
    if export:
        cols |= {"接待时间": lambda r: dt(r.received_at), "上报客服主任": lambda r: dt(r.supervisor_told_at),
                 "上报管理处主任": lambda r: dt(r.director_told_at), "处理结果": lambda r: r.outcome,
                 "跟进安排": lambda r: r.follow_up_plan, "跟进结果": lambda r: r.follow_up_result,
                 "已转投诉": lambda r: "是" if r.complaint_id else ""}
    return cols


def incident_table(rows, policy: PolicyBook, office_names: dict[int, str], *, show_office: bool):
    cols = _columns(policy, office_names, show_office=show_office)
    widths = {n: text_column(n, w) for n, w in _WIDTHS.items() if n in cols}
    widths["事由"] = text_column("事由", 150 if show_office else 246)
    return table(rows, cols), widths


def incident_frame(rows, policy: PolicyBook, office_names: dict[int, str]):
    return frame(rows, _columns(policy, office_names, show_office=True, export=True))


def daily_section(actor: Actor, day: date, *, office_ids=None, limit: int = 50) -> None:
    """The daily view's 来访事件: the day's incidents and the ones still open from earlier days."""
    if not actor.can(Action.VISITOR_INCIDENT_VIEW):
        return
    try:
        rows, total = queues.day_list(actor=actor, day=day, office_ids=office_ids, limit=limit, offset=0)
    except DomainError as exc:
        show_error(exc)
        return
    st.subheader(f"来访事件（{total}）")
    if not rows:
        st.caption("当日没有来访事件，也没有未平息的事件。")
        return
    policy = policy_at(now())
    st.dataframe(table(rows, {"编号": lambda r: r.number, "来访时间": lambda r: short_dt(r.arrived_at),
                              "分类": lambda r: rules.class_label(policy, r.visit_class),
                              "人数": lambda r: r.people_count, "来访人": lambda r: r.visitor_name,
                              "状态": lambda r: state_label(r.state)}),
                 hide_index=True, width="stretch", column_config={"编号": text_column("编号", 118)})
    if total > len(rows):
        st.caption(f"仅显示前 {len(rows)} 条，共 {total} 条；全部见“来访事件”页。")


# ----- one incident -------------------------------------------------------------------------------------


def show_incident(actor: Actor, d: svc.IncidentDetail) -> None:
    r, vc = d.incident, d.visit_class
    st.subheader(f"{r.number} · {vc.label} · {state_label(r.state)}")
    info = {"管理处": d.office_name, "来访时间": dt(r.arrived_at),
            "来访人": "，".join(x for x in (r.visitor_name, r.visitor_phone, d.property_label) if x),
            "人数": f"{r.people_count}人" + (f"（代表 {r.representatives}人）" if r.representatives else ""),
            "事由": r.purpose, "接待": f"{dt(r.received_at)} {d.receiver_name}".strip() or "—",
            "上报客服主任": dt(r.supervisor_told_at) or "—", "上报管理处主任": dt(r.director_told_at) or "—"}
    if r.escalation_note:
        info["上报说明"] = r.escalation_note
    if r.outcome:
        info["处理结果"] = f"{dt(r.resolved_at)} {r.outcome}"
    if r.follow_up_needed or r.follow_up_result:
        info["跟进"] = "；".join(x for x in (r.follow_up_plan, r.follow_up_result) if x)
    if r.report:
        info["书面事件报告"] = f"{dt(r.reported_at)} {r.report}"
    info["投诉"] = f"{d.complaint_number} {d.complaint_state}" if d.complaint_number else "未转为投诉"
    st.dataframe(table(list(info.items()), {"项目": lambda x: x[0], "内容": lambda x: x[1]}), hide_index=True,
                 width="stretch", height=ROW_PX * (len(info) + 1) + 3,  # every line shown, no inner scrolling
                 column_config={"项目": text_column("项目", 100), "内容": text_column("内容", 340)})
    st.caption(f"{vc.label}应对话术：{vc.script}")
    if d.deadlines:
        st.dataframe(table(d.deadlines, {"时限": lambda x: x.label, "期限": lambda x: short_dt(x.due_at),
                                         "完成": lambda x: short_dt(x.met_at), "状态": lambda x: x.status}),
                     hide_index=True, width="stretch",
                     column_config={"时限": text_column("时限", 150), "期限": text_column("期限", 92),
                                    "完成": text_column("完成", 92), "状态": text_column("状态", 72)})
        st.caption("时限依据：" + "；".join(dict.fromkeys(x.clause for x in d.deadlines)))
    pdf_button("打印登记表", lambda: svc.incident_pdf(actor=actor, incident_id=r.id, now=now()), f"{r.number}.pdf",
               key=f"vi_pdf_{r.id}")
    with st.expander(f"时间线（{len(d.events)}）", icon=":material/timeline:"):
        st.dataframe(table(d.events, {"时间": lambda e: short_dt(e.at), "经办人": lambda e: e.actor_name,
                                      "记录": lambda e: e.note, "依据": lambda e: e.citation}),
                     hide_index=True, width="stretch",
                     column_config={"时间": text_column("时间", 92), "经办人": text_column("经办人", 64),
                                    "记录": text_column("记录", 180), "依据": text_column("依据", 96)})

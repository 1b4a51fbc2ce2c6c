"""投诉公示: each month's publication of how the 管理处 handled complaints about common areas, disputes between
owners and shared problems (顾客投诉处理制度(顾客投诉规范) 第1、2条)."""

from datetime import date

import pandas as pd
import streamlit as st

from core import complaint_disclosure as rules
from core import complaint_stats as months
from core.errors import DomainError
from core.permissions import Action
from db.services import complaint_disclosure as disclosure
from ui.attachments import attachments_section, file_picker
from ui.context import page_header, require
from ui.fmt import TZ, dt, now
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.pdf import pdf_button
from ui.pickers import office_picker
from ui.tables import text_column
from ui.theme import PICK

actor = require(Action.COMPLAINT_EXPORT)
page_header("投诉公示", ":material/campaign:", f"{rules.CLAUSE}：每月至少公示一次涉及公共区域与公共利益、业主之间纠纷及共性问题的"
            "投诉处理情况；当月没有的，不需要公示")
if saved := st.session_state.pop("disclosure_saved", None):
    st.success(saved)
moment = now()
this_month = months.first_of_month(moment.astimezone(TZ).date())
choices = [months.previous_month(this_month)]
for _ in range(11):
    choices.append(months.previous_month(choices[-1]))
c1, c2 = st.columns(2)
month: date = c1.selectbox("公示的投诉月份", choices, format_func=lambda m: f"{m:%Y年%m月}", key="dc_month",
                           placeholder=PICK)
with c2:
    office_id = office_picker(actor, Action.COMPLAINT_EXPORT, key="dc_office")
try:
    rows = disclosure.tasks(actor=actor, month=month, now=moment, office_id=office_id)
except DomainError as exc:
    show_error(exc)
    st.stop()
if not rows:
    st.info(f"{month:%Y年%m月}的公示任务在该月结束后的整点例行任务中生成。")
    st.stop()
st.dataframe(pd.DataFrame([{"管理处": r.office, "状态": r.state_label, "可公示投诉": r.complaints,
                            "已公示/应公示": f"{r.publications}/{r.required}", "公示期限": dt(r.due_at),
                            "是否按时": disclosure.DUTY_LABELS[r.duty] if r.duty else "—"} for r in rows]),
             hide_index=True, column_config={"管理处": text_column("管理处", 160)})
if office_id is None:
    st.caption("选择一个管理处，查看公示内容、打印公示并登记公示情况。")
    st.stop()
task = rows[0]
st.subheader(f"{task.office} · {month:%Y年%m月} · {task.state_label}")
items = disclosure.notice_items(actor=actor, disclosure_id=task.id, now=moment)
if items:
    st.dataframe(pd.DataFrame([{"编号": i.number, "分类": i.category, "投诉事项": i.matter, "处理情况": i.handling,
                                "状态": i.state} for i in items]), hide_index=True,
                 column_config={"编号": text_column("编号", 130), "分类": text_column("分类", 90),
                                "投诉事项": text_column("投诉事项", 230), "处理情况": text_column("处理情况", 230),
                                "状态": text_column("状态", 70)})
    st.caption(f"投诉人的姓名、电话、房号已隐去；涉及个人的投诉不在公示之列（{rules.C_PERSONAL}）。")
    pdf_button("打印 PDF：投诉处理情况公示",
               lambda: disclosure.notice_pdf(actor=actor, disclosure_id=task.id, now=moment, tz=TZ),
               f"投诉处理情况公示-{task.office}-{month:%Y%m}.pdf", key=f"dc_pdf_{task.id}")
else:
    st.caption("本月没有需要公示的投诉。")
published = disclosure.publications(actor=actor, disclosure_id=task.id)
for p in published:
    st.write(f"- {p.published_on:%Y-%m-%d} · {p.channel}" + (f" · {p.link}" if p.link else "")
             + (f" · {p.note}" if p.note else ""))
if task.state != rules.TaskState.SKIPPED and actor.can(Action.COMPLAINT_DISCLOSE, task.office_id):
    key = f"dc_publish_{task.id}"
    with st.form(f"{key}_{form_token(key)}"):
        st.markdown("**登记公示**")
        f1, f2 = st.columns(2)
        on = f1.date_input("公示日期", value=moment.astimezone(TZ).date(), key=f"{key}_on")
        channel = f2.selectbox("公示渠道", list(rules.CHANNELS), format_func=rules.CHANNELS.get, index=None,
                               placeholder=PICK, key=f"{key}_channel", help=rules.C_CHANNELS)
        link = st.text_input("网页链接（小区网站公示时填写）", key=f"{key}_link")
        note = st.text_input("备注", key=f"{key}_note")
        photos = file_picker(f"{key}_photo", record_type=rules.RECORD_TYPE.code, now=moment,
                             label="公示照片（公告栏、刊物、恳谈会现场）")
        if submit_button(key, "登记公示", type="primary"):
            try:
                after = disclosure.publish(actor=actor, disclosure_id=task.id, photos=photos, now=moment,
                                           request_id=form_token(key), publication=rules.Publication(
                                               published_on=on, channel=channel or "", link=link, note=note))
            except DomainError as exc:
                show_error(exc)
            else:
                new_form_token(key)
                st.session_state["disclosure_saved"] = (f"已登记公示（{after.publications}/{after.required}）"
                                                        + ("，本月公示已完成" if after.state == "done" else ""))
                st.rerun()
attachments_section(actor, key=f"dc_files_{task.id}", record_type=rules.RECORD_TYPE.code, record_id=task.id,
                    now=moment)

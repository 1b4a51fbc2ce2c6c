"""办理出入证: the issue form — type and purpose from the policy book, holder with a checked ID number, rooms,
applicant, validity; the fee and deposit follow from the policy book; the rules refuse what they do not allow."""

from datetime import timedelta

import streamlit as st

from core import money
from core import passes as rules
from core.errors import DomainError
from core.identity import ID_TYPES
from core.permissions import Action
from db.services import pass_registers
from db.services import passes as svc
from db.services.org import find_properties
from db.services.policy import policy_at
from ui.attachments import file_picker
from ui.context import page_header, require
from ui.fmt import TZ, now
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.pdf import pdf_button
from ui.pickers import office_picker
from ui.theme import PICK
from views.passes.widgets.common import POLICY_LINE, pass_link

FORM = "pass_issue"
DONE = "pass_issue_done"
ROOMS = "pass_issue_rooms"  # every room found so far: {id: label}, so a second search keeps the rooms picked
actor = require(Action.PASS_ISSUE)
page_header("办理出入证", ":material/add_card:", POLICY_LINE)
moment = now()
policy = policy_at(moment)

done = st.session_state.get(DONE)
if done:
    st.success(done["message"])
    pdf_button("打印出入证", lambda pid=done["id"]: pass_registers.card_pdf(actor=actor, pass_id=pid, now=now()),
               f"出入证_{done['number']}.pdf", key=f"pi_card_{done['id']}")
    pass_link(done["id"], f"打开 {done['number']}")

office_id = office_picker(actor, Action.PASS_ISSUE, key="pi_office", allow_all=False)
types = {r["code"]: r for r in policy.rows(rules.TYPES)}
purposes = {r["code"]: r["label"] for r in policy.rows(rules.PURPOSES)}
c1, c2 = st.columns(2)
pass_type = c1.selectbox("出入证类型 *", list(types), format_func=lambda c: types[c]["label"], key="pi_type",
                         placeholder=PICK)
resident = types[pass_type]["kind"] == "resident" if pass_type else False
terms = rules.terms(policy, pass_type) if pass_type else None
if terms:
    c2.info(f"工本费 {money.format_yuan(terms.fee)}，押金 {money.format_yuan(terms.deposit)}"
            + (f"（{policy.cite('pass.worker_deposit')}）" if terms.deposit else "（住户卡不收押金）"))
room_text = st.text_input("服务房屋（输入苑区/楼栋/房号搜索）", key="pi_room_text")
known = st.session_state.setdefault(ROOMS, {})
if room_text.strip():
    known.update(dict(find_properties(actor=actor, text=room_text, office_id=office_id, limit=30)))

token = form_token(FORM)
with st.form(f"{FORM}_{token}"):
    rooms = st.multiselect("服务房屋 *" + ("（住户卡：本户）" if resident else "（可多选）"), list(known),
                           format_func=lambda r: known[r], placeholder=PICK)
    a1, a2, a3 = st.columns(3)
    holder = a1.text_input("持证人姓名 *", max_chars=64)
    id_type = a2.selectbox("证件类型 *", list(ID_TYPES), format_func=ID_TYPES.get, placeholder=PICK)
    id_number = a3.text_input("证件号 *", max_chars=32, help="居民身份证核验第 18 位校验码")
    phone = a1.text_input("持证人电话")
    employer = a2.text_input("施工单位/装修公司", max_chars=100)
    purpose = a3.selectbox("办证事由", list(purposes), format_func=purposes.get, placeholder=PICK,
                           index=list(purposes).index("resident") if resident and "resident" in purposes else 0)
    kinds = [k.value for k in rules.ApplicantKind]
    b1, b2 = st.columns(2)
    applicant_kind = b1.selectbox("申请人身份 *", kinds, format_func=lambda k: rules.APPLICANT_LABELS[rules.ApplicantKind(k)],
                                  index=0 if resident else 1, help=rules.cite("第2条"), placeholder=PICK)
    applicant = b2.text_input("申请人姓名 *", max_chars=64)
    today = moment.astimezone(TZ).date()
    d1, d2, d3 = st.columns(3)
    valid_from = d1.date_input("有效期自 *", value=today)
    valid_to = d2.date_input("有效期至 *", value=today + timedelta(days=30))
    decoration_until = d3.date_input("批准装修期至（装修事由必填）", value=None,
                                     help="装修人员出入证有效期不超过批准的装修期（第10条）")
    e1, e2 = st.columns(2)
    receipt = e1.text_input("收据号（收取工本费或押金时必填）", max_chars=32)
    verified = e2.checkbox("原件已核验（住户卡：已核验业主/住户身份证原件）", help=rules.cite("第1条"))
    photo = file_picker(f"pi_photo_{token}", record_type="pass", now=moment, label="持证人照片", multiple=False)
    submitted = submit_button(FORM, "发放出入证", type="primary", icon=":material/save:")

if submitted:
    st.session_state.pop(DONE, None)
    data = svc.PassIn(office_id=office_id, pass_type=pass_type, purpose=purpose or "", holder_name=holder,
                      id_type=id_type, id_number=id_number, phone=phone, employer=employer, room_ids=list(rooms),
                      applicant_kind=applicant_kind, applicant_name=applicant, valid_from=valid_from,
                      valid_to=valid_to, decoration_until=decoration_until, receipt_no=receipt,
                      original_verified=verified, photo=photo)
    try:
        p = svc.issue(actor=actor, data=data, request_id=token, now=moment)
    except DomainError as exc:
        show_error(exc)
    else:
        st.session_state[DONE] = {"id": p.id, "number": p.number,
                                  "message": f"已发放 {p.number}（{p.holder_name}），有效期至 {p.valid_to:%Y-%m-%d}"}
        new_form_token(FORM)
        st.session_state.pop(ROOMS, None)
        st.session_state.pop("pi_room_text", None)
        st.rerun()

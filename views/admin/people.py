"""People master data: staff (岗位, 入职日期, 可独立上岗) and customers (业主/住户) with their 房屋.

Only the open tab is drawn (plain ``st.tabs`` run both lists, their counts and tables on every rerun), and
each tab is an ``st.fragment``: a search, a page turn or a row selection reruns that list alone. The unit names
come from the shared lookup cache of ``ui.pickers``.
"""

from datetime import date

import streamlit as st

from core.errors import DomainError
from core.identity import ID_TYPES
from core.labels import CUSTOMER_KIND
from core.permissions import Action
from core.roles import ROLE_LABELS, role_label
from db.services import org, people
from db.services.base import EXPORT_LIMIT
from ui.context import page_header, require
from ui.customer_history import customer_history_panel
from ui.fmt import yes_no
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.pickers import cached_units, office_picker
from ui.tables import excel_button, frame, pager, pager_footer, reset_pager, selectable_table, table
from ui.theme import PICK

actor = require(Action.PEOPLE_VIEW)
page_header("员工与客户", ":material/groups:", "员工档案（可独立上岗）与一户一档的客户基础信息；证件号默认脱敏，查看完整号码会被记录")
office_id = office_picker(actor, Action.PEOPLE_VIEW, key="people_office",
                          on_change=lambda: (reset_pager("staff"), reset_pager("customers")))
names = {u.id: u.name for u in cached_units(actor)} if actor.can(Action.ORG_VIEW) else {}
can_edit = actor.can(Action.PEOPLE_MANAGE, office_id) if office_id else False


@st.fragment
def staff_tab() -> None:
    search = st.text_input("搜索员工姓名", key="staff_search", on_change=reset_pager, args=("staff",))
    page, size = pager("staff", page_size=50)
    result = people.list_staff(actor=actor, office_id=office_id, search=search, page=page, page_size=size)
    staff_cols = {"姓名": lambda r: r.name, "单位": lambda r: names.get(r.office_id, ""),
                  "岗位": lambda r: role_label(r.post), "电话": lambda r: r.phone, "入职日期": lambda r: r.hire_date,
                  "可独立上岗": lambda r: yes_no(r.independent_on_post), "在职": lambda r: yes_no(r.active)}
    picked = selectable_table(table(result.rows, staff_cols), key="staff_table",
                              ids=[r.id for r in result.rows])
    pager_footer("staff", result)
    excel_button(lambda: frame(people.list_staff(actor=actor, office_id=office_id, search=search,
                                                 page_size=EXPORT_LIMIT).rows, staff_cols), "员工列表.xlsx", key="staff_xlsx")
    if can_edit:
        row = result.rows[picked] if picked is not None and picked < len(result.rows) else None
        with st.form("staff_form"):
            st.caption(f"修改员工 {row.name}" if row else "新增员工（选中表格中一行可修改）")
            c1, c2, c3 = st.columns(3)
            name = c1.text_input("姓名 *", value=row.name if row else "")
            posts = [r.value for r in ROLE_LABELS]
            post = c2.selectbox("岗位 *", posts, format_func=role_label,
                                index=posts.index(row.post) if row and row.post in posts else posts.index("clerk"), placeholder=PICK)
            phone = c3.text_input("电话", value=row.phone if row else "")
            hire = c1.date_input("入职日期", value=row.hire_date if row and row.hire_date else date.today())
            independent = c2.checkbox("可独立上岗", value=row.independent_on_post if row else False,
                                      help="未独立上岗者不得接听客户来电（《客户来电、来访、来函处理作业规定》第8条）")
            active = c3.checkbox("在职", value=row.active if row else True)
            if submit_button("staff_form", "保存员工", type="primary"):
                try:
                    people.save_staff(actor=actor, staff_id=row.id if row else None, office_id=office_id, name=name,
                                      post=post, department_id=row.department_id if row else None, phone=phone,
                                      hire_date=hire, independent_on_post=independent, active=active,
                                      request_id=form_token("staff_form"))
                    new_form_token("staff_form")
                    st.session_state["flash"] = f"已保存员工 {name}"
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)
    elif office_id is None and actor.can(Action.PEOPLE_MANAGE):
        st.caption("选择一个管理处后可新增或修改员工。")


@st.fragment
def customers_tab() -> None:
    csearch = st.text_input("搜索姓名或电话", key="cust_search", on_change=reset_pager, args=("customers",))
    page, size = pager("customers", page_size=50)
    cres = people.list_customers(actor=actor, office_id=office_id, search=csearch, page=page, page_size=size)
    cust_cols = {"姓名": lambda r: r.name, "类型": lambda r: CUSTOMER_KIND.get(r.kind, r.kind),
                 "证件类型": lambda r: ID_TYPES.get(r.id_type, r.id_type) if r.id_number else "",
                 "证件号": lambda r: r.id_number, "电话": lambda r: r.phone, "房屋": lambda r: r.properties,
                 "单位": lambda r: names.get(r.office_id, "")}
    cpicked = selectable_table(table(cres.rows, cust_cols), key="cust_table", ids=[r.id for r in cres.rows])
    pager_footer("customers", cres)
    excel_button(lambda: frame(people.list_customers(actor=actor, office_id=office_id, search=csearch,
                                                     page_size=EXPORT_LIMIT).rows, cust_cols),
                 "客户列表.xlsx", key="cust_xlsx")
    crow = cres.rows[cpicked] if cpicked is not None and cpicked < len(cres.rows) else None
    customer_history_panel(actor, crow.id if crow else None)  # earlier records of every process (issue 12)
    if crow and actor.can(Action.ID_NUMBER_VIEW_FULL, crow.office_id):
        if st.button("查看完整证件号（将被记录）", key=f"reveal_{crow.id}"):
            try:
                st.info(f"{crow.name}：{people.reveal_id_number(actor=actor, customer_id=crow.id)}")
            except DomainError as exc:
                show_error(exc)
    if can_edit:
        with st.form("customer_form"):
            st.caption(f"修改客户 {crow.name}" if crow else "新增客户")
            c1, c2 = st.columns(2)
            cname = c1.text_input("姓名 *", value=crow.name if crow else "")
            kinds = list(CUSTOMER_KIND)
            ckind = c2.selectbox("类型", kinds, index=kinds.index(crow.kind) if crow else 0, format_func=CUSTOMER_KIND.get,
                                 placeholder=PICK)
            id_types = list(ID_TYPES)
            id_type = c1.selectbox("证件类型", id_types, format_func=ID_TYPES.get, placeholder=PICK,
                                   index=id_types.index(crow.id_type) if crow and crow.id_type in ID_TYPES else 0)
            id_no = c2.text_input("证件号", placeholder="留空则保持原值" if crow else "身份证 18 位，末位可为 X")
            cphone = c1.text_input("电话", placeholder="留空则保持原值" if crow else "手机 11 位或 区号-号码")
            prop_text = st.text_input("关联房屋（输入苑区/楼栋/房号搜索，可留空）")
            if submit_button("customer_form", "保存客户", type="primary"):
                token = form_token("customer_form")
                try:
                    cid = people.save_customer(actor=actor, customer_id=crow.id if crow else None, office_id=office_id,
                                               name=cname, kind=ckind, id_type=id_type, id_number=id_no,
                                               phone=cphone or (None if crow else ""), keep_phone=bool(crow) and not cphone,
                                               request_id=token)
                    if prop_text.strip():
                        found = org.find_properties(actor=actor, text=prop_text, office_id=office_id, limit=2)
                        if len(found) != 1:
                            raise DomainError("关联房屋请输入能唯一确定一套房屋的文字（已保存客户，未关联房屋）")
                        people.link_property(actor=actor, customer_id=cid, property_id=found[0][0], relation=ckind,
                                             since=date.today(), request_id=f"{token}:link")
                    new_form_token("customer_form")
                    st.session_state["flash"] = f"已保存客户 {cname}"
                    st.rerun()
                except DomainError as exc:
                    show_error(exc)


# 客户 first: looking a customer up is what the page is opened for most (scripts/scale/people.py PAGE_FILTERS).
TABS = {"客户": customers_tab, "员工": staff_tab}
for tab, draw in zip(st.tabs(list(TABS), key="people_tab", on_change="rerun"), TABS.values(), strict=True):
    if tab.open:
        with tab:
            draw()

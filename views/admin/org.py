"""Organisation master data: units and complaint contact points, 苑区, 楼栋, 房屋, departments.

Only the open tab is drawn: plain ``st.tabs`` run every tab's body (five tables, several queries) on every
rerun. Each tab is an ``st.fragment``: a search, a page turn or a row selection reruns that tab alone; a save
reruns the page (``st.rerun``). The lookups (units, offices, departments) come from the short-lived shared cache of ``ui.pickers``,
cleared after this page's own writes to them.
"""

import streamlit as st

from core.errors import DomainError
from core.labels import DEPARTMENT_KIND, ORG_KIND, PROPERTY_KIND
from core.permissions import Action
from db.services import org
from db.services.base import EXPORT_LIMIT
from db.services.people import staff_choices
from ui.context import page_header, require
from ui.forms import form_token, new_form_token, show_error, submit_button
from ui.pickers import cached_departments, cached_units, clear_lookups, office_picker
from ui.tables import excel_button, frame, pager, pager_footer, reset_pager, selectable_table, table
from ui.theme import PICK

actor = require(Action.ORG_VIEW)
page_header("组织与房屋", ":material/apartment:", "公司 → 客服中心(总部)/管理处 → 苑区 → 楼栋 → 房屋；各部门负责人与投诉接口人")
can_edit = actor.can(Action.ORG_MANAGE)
units = cached_units(actor)
unit_names = {u.id: u.name for u in units}


def saved(message: str, *, form: str, lookups: bool = False) -> None:
    new_form_token(form)  # the next render of the form is a new request
    if lookups:
        clear_lookups()
    st.session_state["flash"] = message
    st.rerun()


@st.fragment
def properties_tab() -> None:
    c1, c2 = st.columns(2)
    with c1:
        p_office = office_picker(actor, Action.ORG_VIEW, key="prop_office", on_change=reset_pager, args=("props",))
    search = c2.text_input("搜索房屋（苑区、楼栋、房号）", key="prop_search", on_change=reset_pager, args=("props",))
    page, size = pager("props", page_size=50)
    result = org.list_properties(actor=actor, office_id=p_office, search=search, page=page, page_size=size)
    prop_cols = {"房屋": lambda p: p.label, "管理处": lambda p: unit_names.get(p.office_id, ""),
                 "类型": lambda p: PROPERTY_KIND[p.kind], "面积(㎡)": lambda p: p.area_m2,
                 "重点业户": lambda p: "是" if p.key_household else "否"}
    st.dataframe(table(result.rows, prop_cols), hide_index=True, width="stretch")
    pager_footer("props", result)
    excel_button(lambda: frame(org.list_properties(actor=actor, office_id=p_office, search=search,
                                                   page_size=EXPORT_LIMIT).rows, prop_cols), "房屋列表.xlsx", key="props_xlsx")
    if can_edit and p_office:
        st.markdown("**新增房屋**")
        zone_map = {z.id: z.name for z in org.list_zones(actor=actor, office_id=p_office)}
        zid = st.selectbox("苑区 *", list(zone_map), format_func=zone_map.get, key="prop_zone", placeholder=PICK)
        blds = {b.id: b.name for b in org.list_buildings(actor=actor, zone_id=zid)} if zid else {}
        with st.form("property_form", clear_on_submit=True):
            c1, c2, c3 = st.columns(3)
            bid = c2.selectbox("楼栋 *", list(blds), format_func=blds.get, placeholder=PICK)
            unit_no = c3.text_input("单元")
            room = c1.text_input("房号 *")
            area = c2.number_input("面积(㎡)", min_value=0.0, value=0.0, step=1.0)
            kind = c3.selectbox("类型", list(PROPERTY_KIND), format_func=PROPERTY_KIND.get, placeholder=PICK)
            key_household = st.checkbox("重点业户")
            if submit_button("property_form", "添加房屋"):
                try:
                    org.save_property(actor=actor, property_id=None, building_id=bid, unit_no=unit_no, room=room,
                                      area_m2=area or None, kind=kind, key_household=key_household,
                                      request_id=form_token("property_form"))
                    saved("已添加房屋", form="property_form")
                except DomainError as exc:
                    show_error(exc)
    elif can_edit:
        st.caption("选择一个管理处后可新增房屋。")


@st.fragment
def zones_tab() -> None:
    office_id = office_picker(actor, Action.ORG_VIEW, key="zone_office", allow_all=False)
    zones = org.list_zones(actor=actor, office_id=office_id)
    zone_names = {z.id: z.name for z in zones}
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**苑区**")
        st.dataframe(table(zones, {"苑区": lambda z: z.name, "启用": lambda z: "是" if z.active else "否"}),
                     hide_index=True, width="stretch")
        if can_edit:
            with st.form("zone_form", clear_on_submit=True):
                zname = st.text_input("新苑区名称 *")
                if submit_button("zone_form", "添加苑区"):
                    try:
                        org.save_zone(actor=actor, zone_id=None, office_id=office_id, name=zname,
                                      request_id=form_token("zone_form"))
                        saved(f"已添加苑区 {zname}", form="zone_form")
                    except DomainError as exc:
                        show_error(exc)
    with c2:
        zone_id = st.selectbox("楼栋所在苑区", list(zone_names), format_func=zone_names.get, key="bld_zone", placeholder=PICK)
        if zone_id:
            buildings = org.list_buildings(actor=actor, zone_id=zone_id)
            st.dataframe(table(buildings, {"楼栋": lambda b: b.name}), hide_index=True, width="stretch")
            if can_edit:
                with st.form("building_form", clear_on_submit=True):
                    bname = st.text_input("新楼栋名称 *", placeholder="例如 3幢")
                    if submit_button("building_form", "添加楼栋"):
                        try:
                            org.save_building(actor=actor, building_id=None, zone_id=zone_id, name=bname,
                                              request_id=form_token("building_form"))
                            saved(f"已添加楼栋 {bname}", form="building_form")
                        except DomainError as exc:
                            show_error(exc)


@st.fragment
def units_tab() -> None:
    rows = table(units, {"编码": lambda u: u.code, "名称": lambda u: u.name, "类型": lambda u: ORG_KIND[u.kind],
                         "上级": lambda u: unit_names.get(u.parent_id, ""), "电话": lambda u: u.phone,
                         "启用": lambda u: "是" if u.active else "否"})
    picked = selectable_table(rows, key="units_table", ids=[u.id for u in units])
    if not can_edit:
        return
    unit = units[picked] if picked is not None and picked < len(units) else None
    with st.form("unit_form"):
        st.caption("修改选中的单位" if unit else "新建单位（在表格中选中一行可修改）")
        c1, c2, c3 = st.columns(3)
        code = c1.text_input("编码 *", value=unit.code if unit else "")
        name = c2.text_input("名称 *", value=unit.name if unit else "")
        kinds = list(ORG_KIND)
        kind = c3.selectbox("类型", kinds, index=kinds.index(unit.kind) if unit else 2, format_func=ORG_KIND.get, placeholder=PICK)
        parents = [None, *unit_names]
        parent = c1.selectbox("上级单位", parents, index=parents.index(unit.parent_id) if unit else 1,
                              format_func=lambda i: "无" if i is None else unit_names[i], placeholder=PICK)
        address = c2.text_input("地址", value=unit.address if unit else "")
        phone = c3.text_input("电话", value=unit.phone if unit else "")
        staff = dict(staff_choices(actor=actor, office_id=unit.id)) if unit else {}
        contacts = [None, *staff]
        contact = st.selectbox("投诉接口人", contacts, format_func=lambda i: "未指定" if i is None else staff[i],
                               index=contacts.index(unit.complaint_contact_staff_id)
                               if unit and unit.complaint_contact_staff_id in staff else 0, placeholder=PICK)
        active = st.checkbox("启用", value=unit.active if unit else True)
        if submit_button("unit_form", "保存单位", type="primary"):
            try:
                org.save_unit(actor=actor, unit_id=unit.id if unit else None, code=code, name=name, kind=kind,
                              parent_id=parent, address=address, phone=phone,
                              complaint_contact_staff_id=contact, active=active, request_id=form_token("unit_form"))
                saved(f"已保存单位 {name}", form="unit_form", lookups=True)
            except DomainError as exc:
                show_error(exc)


def _company_staff() -> dict[int, str]:
    """Staff of the company and the HQ 客服中心 in the actor's view: the 分管领导 a department may name."""
    found: dict[int, str] = {}
    for u in units:
        if u.kind in ("company", "hq") and actor.can(Action.ORG_VIEW, u.id):
            found.update(staff_choices(actor=actor, office_id=u.id))
    return found


@st.fragment
def departments_tab() -> None:
    depts = cached_departments(actor)  # a 管理处 user: the own 管理处's departments only
    leaders = _company_staff()
    st.dataframe(table(depts, {"单位": lambda d: unit_names.get(d.org_unit_id, ""), "部门": lambda d: d.name,
                               "类型": lambda d: DEPARTMENT_KIND.get(d.kind, d.kind),
                               "分管领导": lambda d: leaders.get(d.leader_staff_id, "已指定") if d.leader_staff_id else "—"}),
                 hide_index=True,
                 width="stretch")
    if not can_edit:
        return
    # The unit is chosen outside the form: the 负责人 list is that unit's staff, so it must follow the choice.
    d_unit = st.selectbox("新部门所属单位 *", list(unit_names), format_func=unit_names.get, key="dept_unit", placeholder=PICK)
    heads = dict(staff_choices(actor=actor, office_id=d_unit))
    with st.form("dept_form", clear_on_submit=True):
        c2, c3 = st.columns(2)
        d_name = c2.text_input("部门名称 *")
        d_kind = c3.selectbox("类型", list(DEPARTMENT_KIND), format_func=DEPARTMENT_KIND.get, placeholder=PICK)
        c4, c5 = st.columns(2)
        head = c4.selectbox("负责人", [None, *heads], format_func=lambda i: "未指定" if i is None else heads[i], placeholder=PICK)
        leader = c5.selectbox("分管领导（热点投诉通报对象）", [None, *leaders],
                              format_func=lambda i: "未指定" if i is None else leaders[i], placeholder=PICK)
        if submit_button("dept_form", "添加部门"):
            try:
                org.save_department(actor=actor, department_id=None, org_unit_id=d_unit, name=d_name,
                                    kind=d_kind, head_staff_id=head, leader_staff_id=leader,
                                    request_id=form_token("dept_form"))
                saved(f"已添加部门 {d_name}", form="dept_form", lookups=True)
            except DomainError as exc:
                show_error(exc)
    if depts:
        _edit_department(depts, leaders)


def _edit_department(depts, leaders: dict[int, str]) -> None:
    """An existing department: name, type, 负责人, 分管领导 (热点 reports go to them), active."""
    by_id = {d.id: d for d in depts}
    with st.expander("修改部门", icon=":material/edit:"):
        picked = st.selectbox("部门", list(by_id), key="dept_edit_pick", placeholder=PICK,
                              format_func=lambda i: f"{unit_names.get(by_id[i].org_unit_id, '')} · {by_id[i].name}")
        d = by_id[picked]
        heads = dict(staff_choices(actor=actor, office_id=d.org_unit_id))
        with st.form(f"dept_edit_{d.id}"):
            c1, c2 = st.columns(2)
            name = c1.text_input("部门名称 *", value=d.name)
            kinds = list(DEPARTMENT_KIND)
            kind = c2.selectbox("类型", kinds, format_func=DEPARTMENT_KIND.get, placeholder=PICK,
                                index=kinds.index(d.kind) if d.kind in kinds else 0)
            c3, c4 = st.columns(2)
            head_ids, leader_ids = [None, *heads], [None, *leaders]
            head = c3.selectbox("负责人", head_ids, format_func=lambda i: "未指定" if i is None else heads[i],
                                index=head_ids.index(d.head_staff_id) if d.head_staff_id in head_ids else 0,
                                placeholder=PICK)
            leader = c4.selectbox("分管领导（热点投诉通报对象）", leader_ids, placeholder=PICK,
                                  format_func=lambda i: "未指定" if i is None else leaders[i],
                                  index=leader_ids.index(d.leader_staff_id) if d.leader_staff_id in leader_ids else 0)
            active = st.checkbox("启用", value=d.active)
            if submit_button(f"dept_edit_{d.id}", "保存修改"):
                try:
                    org.save_department(actor=actor, department_id=d.id, org_unit_id=d.org_unit_id, name=name,
                                        kind=kind, head_staff_id=head, leader_staff_id=leader, active=active,
                                        request_id=form_token(f"dept_edit_{d.id}"))
                    saved(f"已修改部门 {name}", form=f"dept_edit_{d.id}", lookups=True)
                except DomainError as exc:
                    show_error(exc)


# 房屋 first: looking a 房屋 up is what the page is opened for most (scripts/scale/org.py PAGE_FILTERS).
TABS = {"房屋": properties_tab, "苑区与楼栋": zones_tab, "单位": units_tab, "部门": departments_tab}
for tab, draw in zip(st.tabs(list(TABS), key="org_tab", on_change="rerun"), TABS.values(), strict=True):
    if tab.open:
        with tab:
            draw()

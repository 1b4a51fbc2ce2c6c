"""Accounts: create, disable, reset password, (role, office) pairs, deputy (代理)."""

from datetime import datetime, time, timedelta

import streamlit as st

from core.errors import DomainError
from core.passwords import length_rule
from core.permissions import Action
from core.roles import ROLE_LABELS
from db.services import users
from db.services.auth import min_password_length
from db.services.base import EXPORT_LIMIT
from db.services.org import list_units
from ui.context import page_header, require
from ui.fmt import TZ, dt, now, yes_no
from ui.forms import form_token, new_form_token, show_error
from ui.tables import excel_button, frame, pager, pager_footer, reset_pager, selectable_table
from ui.theme import PICK

actor = require(Action.USER_MANAGE)
page_header("用户与角色", ":material/manage_accounts:", "账号、角色与所属单位；重置密码或停用账号会立即结束该用户的全部登录")

units = {u.id: u.name for u in list_units(actor=actor)}


def pair_label(pair):
    return f"{ROLE_LABELS[pair[0]]} @ {units.get(pair[1], pair[1])}"


def pairs_picker(key: str, label: str) -> list[tuple[str, int]]:
    """Roles × units as two short lists (12 roles, ~50 units) instead of one list of every pair (~600 options)."""
    c1, c2 = st.columns(2)
    roles = c1.multiselect(f"{label}：角色", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key=f"{key}_roles",
                           placeholder="选择角色")
    chosen_units = c2.multiselect(f"{label}：单位", list(units), format_func=units.get, key=f"{key}_units",
                                  placeholder="选择单位")
    return [(role.value if hasattr(role, "value") else role, uid) for role in roles for uid in chosen_units]


with st.expander("新建账号", icon=":material/person_add:"):
    with st.form("user_new", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("用户名 *", help="小写字母、数字、点、下划线")
        name = c2.text_input("姓名 *")
        password = c1.text_input("初始密码 *", type="password",
                                 help=f"{length_rule(min_password_length(now=now()))}；用户首次登录须修改")
        grants = pairs_picker("user_new", "授予 *")
        st.caption("所选每个角色在所选每个单位各授予一次；不同单位担任不同角色的，创建后在“角色与单位”中追加。")
        if st.form_submit_button("创建账号", type="primary"):
            try:
                users.create_user(actor=actor, username=username, display_name=name, password=password,
                                  grants=grants, now=now(), request_id=form_token("user_new"))
                new_form_token("user_new")
                st.success(f"已创建账号 {username}，首次登录时须修改密码。")
            except DomainError as exc:
                show_error(exc)

search = st.text_input("搜索用户名或姓名", key="user_search", on_change=reset_pager, args=("users",))
page, size = pager("users", page_size=30)
result = users.list_users(actor=actor, search=search, page=page, page_size=size)
columns = {"用户名": lambda r: r.username, "姓名": lambda r: r.display_name, "角色": lambda r: r.roles,
           "启用": lambda r: yes_no(r.active), "须改密码": lambda r: yes_no(r.must_change_password),
           "演示账号": lambda r: yes_no(r.is_demo), "代理人": lambda r: r.deputy, "代理至": lambda r: dt(r.deputy_until)}
picked = selectable_table(frame(result.rows, columns), key="users_table", ids=[r.id for r in result.rows])
pager_footer("users", result)
excel_button(lambda: frame(users.list_users(actor=actor, search=search, page_size=EXPORT_LIMIT).rows, columns),
             "用户列表.xlsx", key="users_xlsx")

if picked is None:
    st.caption("在表格中选中一个账号以修改。")
    st.stop()
row = result.rows[picked]
st.subheader(f"{row.display_name}（{row.username}）")
tab_roles, tab_state, tab_deputy = st.tabs(["角色与单位", "启用与密码", "代理人"])
with tab_roles:
    current = [tuple(p) for p in users.user_grants(actor=actor, user_id=row.id)]
    kept = st.multiselect("现有角色 @ 单位（移除即收回）", current, default=current, format_func=pair_label,
                          key=f"grants_{row.id}", placeholder="无")
    added = pairs_picker(f"grants_add_{row.id}", "追加")
    chosen = list(dict.fromkeys([*kept, *added]))
    if st.button("保存角色", key=f"save_grants_{row.id}", type="primary"):
        try:
            users.set_grants(actor=actor, user_id=row.id, grants=chosen, now=now())
            st.success("角色已保存，用户下次操作时生效。")
        except DomainError as exc:
            show_error(exc)
with tab_state:
    c1, c2 = st.columns(2)
    if c1.button("停用账号" if row.active else "启用账号", key=f"toggle_{row.id}"):
        try:
            users.set_active(actor=actor, user_id=row.id, active=not row.active, now=now())
            st.rerun()
        except DomainError as exc:
            show_error(exc)
    if c2.button("重置密码", key=f"reset_{row.id}"):
        try:
            temporary = users.reset_password(actor=actor, user_id=row.id, now=now())
            st.warning(f"临时密码（只显示这一次，请当面或电话告知本人）：{temporary}")
        except DomainError as exc:
            show_error(exc)
with tab_deputy:
    choices = dict(users.user_choices(actor=actor))
    deputy = st.selectbox("代理人（休假期间可代为审批）", [None, *choices], key=f"deputy_{row.id}",
                          format_func=lambda u: "无" if u is None else choices[u], placeholder=PICK)
    until_day = st.date_input("代理至（含当日）", value=datetime.now(TZ).date() + timedelta(days=7), key=f"until_{row.id}")
    if st.button("保存代理设置", key=f"save_deputy_{row.id}"):
        try:
            until = datetime.combine(until_day, time(23, 59), TZ) if deputy else None
            users.set_deputy(actor=actor, user_id=row.id, deputy_user_id=deputy, until=until, now=now())
            st.success("代理设置已保存。")
        except DomainError as exc:
            show_error(exc)

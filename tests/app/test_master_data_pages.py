"""组织与房屋 and 员工与客户 through AppTest (issue 5): only the open tab is drawn, a 管理处 clerk sees the own
管理处's departments only, and an edit shows at once although the lookup lists are cached."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.services import org as org_service
from db.services import people as people_service
from tests.app.harness import ROOT
from ui.context import ACTOR_KEY

ORG_PAGE, PEOPLE_PAGE = "views/admin/org.py", "views/admin/people.py"


def run_page(path: str, actor, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.session_state[ACTOR_KEY] = actor
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def problems(at: AppTest) -> list[str]:
    return [e.message for e in at.exception] + [e.value for e in at.error]


def keys(at: AppTest) -> set[str]:
    return {w.key for w in (*at.text_input, *at.selectbox) if w.key}


def column(at: AppTest, index: int, name: str) -> list:
    return list(at.dataframe[index].value[name])


def _estate(org, make_actor):
    admin = make_actor(Role.SYSADMIN)
    depts = {unit: org_service.save_department(actor=admin, department_id=None, org_unit_id=unit, name=f"工程部{i}",
                                               kind="engineering", head_staff_id=None)
             for i, unit in enumerate((org.company_id, org.office_a, org.office_b))}
    for office, tag in ((org.office_a, "甲"), (org.office_b, "乙")):
        zone = org_service.save_zone(actor=admin, zone_id=None, office_id=office, name=f"苑区{tag}")
        building = org_service.save_building(actor=admin, building_id=None, zone_id=zone, name="1幢")
        for room in ("101", "1201"):
            org_service.save_property(actor=admin, property_id=None, building_id=building, unit_no="1", room=room,
                                      area_m2=89.0, kind="residential", key_household=False)
        people_service.save_customer(actor=admin, customer_id=None, office_id=office, name=f"王{tag}", kind="owner",
                                     id_number="", phone="")
        people_service.save_staff(actor=admin, staff_id=None, office_id=office, name=f"李{tag}", post="clerk",
                                  department_id=None, phone="", hire_date=date(2024, 1, 1), independent_on_post=True)
    return admin, depts


def test_org_page_draws_only_the_open_tab(db_url, org, make_actor):
    _estate(org, make_actor)
    hq = make_actor(Role.HQ_HEAD)
    at = run_page(ORG_PAGE, hq)
    assert problems(at) == []
    assert [t.label for t in at.tabs] == ["房屋", "苑区与楼栋", "单位", "部门"]
    assert {"prop_office", "prop_search"} <= keys(at) and len(at.dataframe) == 1  # 房屋 only
    assert sorted(column(at, 0, "房屋")) == ["苑区乙 1幢 1单元 101", "苑区乙 1幢 1单元 1201",
                                            "苑区甲 1幢 1单元 101", "苑区甲 1幢 1单元 1201"]
    at.text_input(key="prop_search").input("1201").run()
    assert sorted(column(at, 0, "房屋")) == ["苑区乙 1幢 1单元 1201", "苑区甲 1幢 1单元 1201"]
    at.session_state["org_tab"] = "单位"
    at.run()
    assert problems(at) == [] and "prop_search" not in keys(at) and len(at.dataframe) == 1
    assert "东方家园管理处" in column(at, 0, "名称")
    at.session_state["org_tab"] = "苑区与楼栋"
    at.run()
    assert problems(at) == [] and "zone_office" in keys(at) and len(at.dataframe) == 2


def test_clerk_sees_the_own_offices_departments_only(db_url, org, make_actor):
    _, depts = _estate(org, make_actor)
    clerk = make_actor(Role.CLERK, org.office_a)
    at = run_page(ORG_PAGE, clerk, org_tab="部门")
    assert problems(at) == []
    assert column(at, 0, "部门") == ["工程部1"] and column(at, 0, "单位") == ["东方家园管理处"]
    # the 房屋 office picker offers the clerk's own 管理处, not all of them
    at.session_state["org_tab"] = "房屋"
    at.run()
    assert at.selectbox(key="prop_office").options == ["东方家园管理处"]
    assert set(column(at, 0, "管理处")) == {"东方家园管理处"}
    hq = run_page(ORG_PAGE, make_actor(Role.HQ_HEAD), org_tab="部门")
    assert sorted(column(hq, 0, "部门")) == ["工程部0", "工程部1", "工程部2"]


def test_admin_edits_show_at_once_despite_the_cache(db_url, org, make_actor):
    admin, _ = _estate(org, make_actor)
    at = run_page(ORG_PAGE, admin, org_tab="部门")
    assert len(column(at, 0, "部门")) == 3
    [t for t in at.text_input if t.label == "部门名称 *"][0].input("秩序部")
    [b for b in at.button if b.label == "添加部门"][0].click()
    at.run()
    assert problems(at) == []
    assert "秩序部" in column(at, 0, "部门")
    # a new 管理处 appears in the cached office pickers at once
    at.session_state["org_tab"] = "单位"
    at.run()
    fields = {t.label: t for t in at.text_input}
    fields["编码 *"].input("OC")
    fields["名称 *"].input("翠湖管理处")
    [b for b in at.button if b.label == "保存单位"][0].click()
    at.run()
    assert problems(at) == []
    assert "翠湖管理处" in column(at, 0, "名称")
    people = run_page(PEOPLE_PAGE, admin)
    assert "翠湖管理处" in people.selectbox(key="people_office").options


def test_people_page_draws_only_the_open_tab(db_url, org, make_actor):
    _estate(org, make_actor)
    hq = make_actor(Role.HQ_HEAD)
    at = run_page(PEOPLE_PAGE, hq)
    assert problems(at) == []
    assert [t.label for t in at.tabs] == ["客户", "员工"]
    assert "cust_search" in keys(at) and "staff_search" not in keys(at) and len(at.dataframe) == 1
    assert sorted(column(at, 0, "姓名")) == ["王乙", "王甲"]
    at.selectbox(key="people_office").set_value(org.office_a).run()
    at.text_input(key="cust_search").input("王").run()
    assert column(at, 0, "姓名") == ["王甲"] and column(at, 0, "单位") == ["东方家园管理处"]
    at.session_state["people_tab"] = "员工"
    at.run()
    assert problems(at) == [] and "staff_search" in keys(at) and "cust_search" not in keys(at)
    assert column(at, 0, "姓名") == ["李甲"]
    clerk = run_page(PEOPLE_PAGE, make_actor(Role.CLERK, org.office_b))
    assert problems(clerk) == [] and column(clerk, 0, "姓名") == ["王乙"]


def test_properties_page_through_the_pager(db_url, org, make_actor):
    """上一页/下一页 turn the page in the click's own run (callbacks), inside the tab's fragment."""
    admin = make_actor(Role.SYSADMIN)
    zone = org_service.save_zone(actor=admin, zone_id=None, office_id=org.office_a, name="苑区甲")
    building = org_service.save_building(actor=admin, building_id=None, zone_id=zone, name="1幢")
    for n in range(55):
        org_service.save_property(actor=admin, property_id=None, building_id=building, unit_no="1", room=f"{n + 1:03d}",
                                  area_m2=None, kind="residential", key_household=False)
    at = run_page(ORG_PAGE, make_actor(Role.CLERK, org.office_a))
    assert len(at.dataframe[0].value) == 50 and "共 55 条，第 1/2 页" in [c.value for c in at.caption]
    at.button(key="props_next").click().run()
    assert problems(at) == []
    assert column(at, 0, "房屋") == [f"苑区甲 1幢 1单元 {n:03d}" for n in range(51, 56)]
    assert "共 55 条，第 2/2 页" in [c.value for c in at.caption]
    at.button(key="props_prev").click().run()
    assert len(at.dataframe[0].value) == 50 and "共 55 条，第 1/2 页" in [c.value for c in at.caption]
    at.button(key="props_next").click().run()
    at.text_input(key="prop_search").input("05").run()  # a new search starts on page 1
    assert column(at, 0, "房屋") == [f"苑区甲 1幢 1单元 {n:03d}" for n in (5, 50, 51, 52, 53, 54, 55)]
    assert at.session_state["props_page"] == 1


def test_department_head_choices_follow_the_chosen_unit(db_url, org, make_actor):
    """The 负责人 list is the chosen unit's staff: choosing another unit must change it (it sat inside the form)."""
    admin, _ = _estate(org, make_actor)
    at = run_page(ORG_PAGE, admin, org_tab="部门")
    at.selectbox(key="dept_unit").set_value(org.office_a).run()
    heads = [s for s in at.selectbox if s.label == "负责人"][0]
    assert heads.options == ["未指定", "李甲"], heads.options
    at.selectbox(key="dept_unit").set_value(org.office_b).run()
    heads = [s for s in at.selectbox if s.label == "负责人"][0]
    assert heads.options == ["未指定", "李乙"], heads.options
    [t for t in at.text_input if t.label == "部门名称 *"][0].input("客服部")
    [b for b in at.button if b.label == "添加部门"][0].click()
    at.run()
    assert problems(at) == []
    assert "客服部" in column(at, 0, "部门")


def test_an_existing_department_is_edited_and_can_name_its_leader_in_charge(db_url, org, make_actor):
    """Issue 11 item 3 needs 分管领导 on existing departments, not only on new ones."""
    from db.services import people

    admin, _ = _estate(org, make_actor)
    leader = people.save_staff(actor=admin, staff_id=None, office_id=org.hq_id, name="钱总", post="副总经理",
                               department_id=None, phone="", hire_date=None, independent_on_post=False)
    at = run_page(ORG_PAGE, admin, org_tab="部门")
    [t for t in at.text_input if t.label == "部门名称 *" and t.value][0].input("工程维修部")
    [s for s in at.selectbox if s.label.startswith("分管领导") and s.value is None][-1].set_value(leader)
    [b for b in at.button if b.label == "保存修改"][0].click()
    at.run()
    assert problems(at) == []
    assert "工程维修部" in column(at, 0, "部门")
    assert "钱总" in column(at, 0, "分管领导")

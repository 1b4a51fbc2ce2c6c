"""投诉案例库 on screen (issue 15 item 3): the unit writes the case of an archived complaint from the anonymised
draft, a name typed back is refused with the form kept; it submits; headquarters publishes; another office finds
it by tag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.roles import Role
from db.services import complaint_cases as cases
from tests.app.test_complaint_detail_pages import labelled, ok, run_page
from tests.db.test_complaint_cases import _archived

PAGE = "views/complaints/cases.py"


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "manager": make_actor(Role.CS_MANAGER, org.office_a),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "admin": make_actor(Role.SYSADMIN, org.hq_id),
        "clerk_b": make_actor(Role.CLERK, org.office_b),
    }


def test_write_submit_publish_and_find(org, team):
    c = _archived(org, team, 7)
    at = run_page(PAGE, team["manager"])
    ok(at)
    at.segmented_control(key="case_view").set_value("owed").run()
    ok(at)
    assert c.number in at.dataframe[0].value.to_string()  # the owed list
    at.session_state["owed_table__picked"] = (c.id, 1)  # a click on its row (ui.tables.selectable_table keeps it so)
    at.run()
    summary = at.text_area(key=f"case_new_{c.id}_summary")
    assert "张建国" not in summary.value and "13800001234" not in summary.value
    summary.input(summary.value + "（张建国）")
    labelled(at.button, "保存草稿").click()
    at.run()
    assert any("姓名" in e.value for e in at.error)
    assert "（张建国）" in at.text_area(key=f"case_new_{c.id}_summary").value  # the form keeps what was typed
    assert cases.office_cases(actor=team["manager"]).total == 0
    at.text_area(key=f"case_new_{c.id}_summary").input(summary.value.replace("（张建国）", ""))
    at.text_area(key=f"case_new_{c.id}_cause").input("防水层老化")
    at.text_area(key=f"case_new_{c.id}_lessons").input("先做闭水试验")
    at.text_input(key=f"case_new_{c.id}_tags").input("防水、漏水")
    labelled(at.button, "保存草稿").click()
    at.run()
    ok(at)
    [row] = cases.office_cases(actor=team["manager"]).rows
    assert row.state == "draft"
    cases.submit(actor=team["manager"], complaint_case_id=row.id, now=datetime.now(UTC))

    at = run_page(PAGE, team["hq"], id=row.id)
    ok(at)
    labelled(at.button, "发布到案例库").click()
    at.run()
    ok(at)
    assert any("已发布" in s.value for s in at.success)

    at = run_page(PAGE, team["clerk_b"])
    at.text_input(key="case_tag").input("防水").run()
    ok(at)
    assert row.number in at.dataframe[0].value.to_string()

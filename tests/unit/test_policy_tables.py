"""Table parameters of the policy book: stable codes, deactivation instead of deletion, Chinese refusals."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime

import pytest

from core import policy as book
from core.complaints import Category
from core.errors import DomainError
from core.policy_tables import keep_codes
from core.roles import Role

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def rows(key):
    return copy.deepcopy(book.PARAMS[key].default)


def test_complaint_categories_carry_the_codes_and_labels_records_store():
    assert [r["code"] for r in rows("complaint.categories")] == [c.value for c in Category]
    assert rows("complaint.categories")[0]["label"] == "工程维修"


def test_approval_chain_for_the_responsibility_finding():
    [row] = [r for r in rows("approval.chains") if r["record_type"] == "complaint_finding"]
    assert row["step"] == 1 and set(row["roles"]) == {Role.OFFICE_DIRECTOR.value, Role.HQ_HEAD.value}
    assert set(row) == {"code", "record_type", "step", "roles", "label", "active"}


def test_routing_names_who_is_told_per_class():
    routing = {r["code"]: r for r in rows("complaint.report_routing")}
    assert set(routing) == {"major", "hot", "important"}
    assert {"hq_cs", "pr_admin_head", "leaders"} <= set(routing["major"]["recipients"])
    assert {"hq_cs", "dept_head", "leader_in_charge"} <= set(routing["hot"]["recipients"])


def test_a_label_changes_the_code_stays():
    edited = rows("complaint.categories")
    edited[0]["label"] = "工程报修"
    edited.append({"code": "lift", "label": "电梯", "active": True})
    value = book.validate("complaint.categories", edited)
    resolved = book.resolve([book.Change(1, "complaint.categories", value, T0)], version=None, at=T0)
    assert resolved.row_label("complaint.categories", "engineering") == "工程报修"
    assert [r["code"] for r in resolved.rows("complaint.categories")][-1] == "lift"
    assert resolved.row_label("complaint.categories", "nosuch") == "nosuch"


@pytest.mark.parametrize(
    ("key", "edit", "message"),
    [
        ("complaint.categories", lambda t: t.append({"code": "fees", "label": "收费2"}), "类别代码“fees”重复"),
        ("complaint.categories", lambda t: t.append({"code": "lift", "label": " "}), "“类别名称”不能为空"),
        ("complaint.categories", lambda t: t.append({"code": "Lift!", "label": "电梯"}), "类别代码“Lift!”无效"),
        ("complaint.categories", lambda t: t.append({"code": "", "label": "电梯"}), "缺少类别代码"),
        ("complaint.categories", lambda t: t.pop(1), "不能删除“安全秩序”（security）：已有记录引用它，请改为停用"),
        ("complaint.report_routing", lambda t: t[0].update(recipients=[]), "“重大投诉”的“通报对象”不能为空"),
        ("complaint.report_routing", lambda t: t[1].update(recipients=["dept_head"]), "须通报客服中心(总部)"),
        ("complaint.report_routing", lambda t: t[0].update(recipients=["hq_cs", "mayor"]), "“mayor”不是可选的值"),
        ("complaint.report_routing", lambda t: t[1].update(active=False), "“热点投诉”是制度要求的类"),
        ("complaint.report_routing", lambda t: t[0].update(timing="never"), "“never”不是可选的值"),
        ("approval.chains", lambda t: t.append({**t[0], "code": "again"}), "第 1 步重复"),
        ("approval.chains", lambda t: t[0].update(roles=["cook"]), "“cook”不是可选的值"),
        ("approval.chains", lambda t: t[0].update(step="一"), "应为整数"),
        ("approval.chains", lambda t: t[0].update(step=0), "从 1 开始"),
    ],
)
def test_bad_tables_are_refused_in_chinese(key, edit, message):
    table = rows(key)
    edit(table)
    with pytest.raises(DomainError, match=re.escape(message)):
        book.validate(key, table)


def test_deactivate_instead_of_delete():
    table = rows("complaint.categories")
    table[1]["active"] = False
    value = book.validate("complaint.categories", table)
    resolved = book.resolve([book.Change(1, "complaint.categories", value, T0)], version=None, at=T0)
    assert "security" not in [r["code"] for r in resolved.rows("complaint.categories")]
    assert resolved.row_label("complaint.categories", "security") == "安全秩序"  # old records still read


def test_a_row_added_in_an_earlier_version_may_not_vanish_either():
    earlier = rows("complaint.categories") + [{"code": "lift", "label": "电梯", "active": True}]
    with pytest.raises(DomainError, match="不能删除“电梯”"):
        book.validate("complaint.categories", rows("complaint.categories"), known=[earlier])


def test_existing_codes_are_read_only_in_the_editor():
    previous = rows("complaint.categories")
    edited = copy.deepcopy(previous)
    edited[0]["code"] = "renamed"
    edited.append({"code": "lift", "label": "电梯", "active": True})
    kept = keep_codes(previous, edited)
    assert kept[0]["code"] == "engineering" and kept[-1]["code"] == "lift"


def test_tables_show_as_a_row_count():
    assert book.format_value(book.PARAMS["complaint.categories"], rows("complaint.categories")) == "10 类"

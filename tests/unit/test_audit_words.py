"""The audit page shows words, not codes: every action the services write has a label in the record registry,
and before/after reads as a field | 修改前 | 修改后 table with Chinese labels (ID numbers masked)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from core.registry import action_labels, record_types
from db.models import AuditLog
from db.services import audit_log, load_all

load_all()  # every process registers its record types when its service module loads, as app.py does at start-up

ROOT = Path(__file__).resolve().parents[2]


def _written_action_codes() -> set[str]:
    """Literal audit actions in db/: ``audit(action="x.y")``, the complaint timeline's ``record(action=…)`` and
    ``step(event=…)`` (stored as ``complaint.<action>``; the pass modules' ``record`` as ``pass.<action>``), and
    master data's ``save_row(entity=…)`` (create/update)."""
    codes: set[str] = set()
    for path in sorted((ROOT / "db").rglob("*.py")):
        timeline = "pass" if path.name.startswith("pass") else "complaint"  # whose ``record`` writes the step
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            kw = {k.arg: k.value for k in node.keywords if isinstance(k.value, ast.Constant | ast.IfExp)}
            values = []
            for key in ("action", "event", "entity"):
                value = kw.get(key)
                if isinstance(value, ast.IfExp):
                    values += [(key, v.value) for v in (value.body, value.orelse) if isinstance(v, ast.Constant)]
                elif value is not None:
                    values.append((key, value.value))
            for key, value in values:
                if not isinstance(value, str) or not value:
                    continue
                if name in ("audit", "_record") and key == "action":  # _record: the login service's writer
                    codes.add(value)
                elif name in ("record", "step") and key in ("action", "event"):
                    codes.add(f"{timeline}.{value}")
                elif name == "save_row" and key == "entity":
                    codes |= {f"{value}.create", f"{value}.update"}
    return codes


def test_the_scan_finds_the_known_writers():
    codes = _written_action_codes()
    assert {"auth.login", "user.create", "complaint.verify", "complaint.register", "staff.update",
            "policy.set", "customer.link_property"} <= codes


def test_every_written_action_has_a_chinese_label():
    labels = action_labels()
    missing = sorted((_written_action_codes() | {"permission.denied"}) - set(labels))  # refusals: db.services.base
    assert not missing, f"register these audit actions with a label (core.registry.RecordType.actions): {missing}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels.values())


def test_every_audited_entity_is_a_registered_record_type():
    entities = set()
    for path in sorted((ROOT / "db").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "entity" and isinstance(node.value, ast.Constant):
                entities.add(node.value.value)
    entities.discard("")
    assert entities and entities <= set(record_types()), entities - set(record_types())


def test_categories_come_from_the_registry():
    categories = audit_log.categories()
    assert categories["complaint"] == "投诉" and categories["auth"] == "登录与会话"
    assert "consult_request" not in categories  # a type without audit actions is no filter choice


def _row(action, entity, entity_id="", before=None, after=None, summary="", source=""):
    return AuditLog(action=action, entity=entity, entity_id=str(entity_id), summary=summary, source=source,
                    before_json=None if before is None else json.dumps(before, ensure_ascii=False),
                    after_json=None if after is None else json.dumps(after, ensure_ascii=False))


@pytest.fixture
def no_db(monkeypatch):
    monkeypatch.setattr(audit_log, "record_names", lambda keys: {("org_unit", "3"): "东方家园管理处"})


def test_a_customer_change_reads_as_a_table_with_the_id_number_masked(no_db):
    before = {"id": 7, "office_id": 3, "name": "王五", "kind": "owner", "id_number": "330102199001011234",
              "phone": "13800000000", "active": True}
    after = {**before, "kind": "tenant", "active": False}
    changed, unlabeled = audit_log.changes(_row("customer.update", "customer", 7, before, after))
    assert [(c.field, c.before, c.after) for c in changed] == [("类型", "业主", "租户"), ("启用", "是", "否")]
    assert not unlabeled
    created, _ = audit_log.changes(_row("customer.create", "customer", 7, None, before))
    shown = {c.field: c.after for c in created}
    assert shown["管理处"] == "东方家园管理处" and shown["类型"] == "业主"
    assert "1234" in shown["身份证号"] and "19900101" not in shown["身份证号"]
    assert all(c.before == "—" for c in created)


def test_role_grants_and_a_complaint_state_read_as_labels(no_db):
    grants, _ = audit_log.changes(_row("user.grants", "user", 2, [["clerk", 3]], [["clerk", 3], ["cs_supervisor", 3]]))
    assert grants[0].field == "角色" and "客服员" in grants[0].before and "@东方家园管理处" in grants[0].after
    assert "cs_supervisor" not in grants[0].after
    register, _ = audit_log.changes(_row("complaint.register", "complaint", 1, None,
                                         {"number": "TS-2026-000001", "grade": "major", "state": "received"}))
    assert {c.field: c.after for c in register} == {"投诉编号": "TS-2026-000001", "投诉类别": "重大", "状态": "已受理"}


def test_the_list_words(no_db):
    login = _row("auth.login", "user", "", summary="clerk1 来自 未知", source="")
    assert audit_log.action_label("auth.login") == "登录"
    assert audit_log.summary_text(login) == "clerk1"
    assert audit_log.source_text("") == "—" and audit_log.source_text("::ffff:10.1.2.3") == "10.1.2.3"
    assert audit_log.subject(_row("complaint.verify", "complaint", 59), {("complaint", "59"): "TS-2026-000059"}) == (
        "投诉 TS-2026-000059")
    assert audit_log.subject(_row("policy.set", "policy", "complaint.rank"), {}) == "制度参数（已删除或未知）"



def test_a_policy_change_shows_its_values_as_the_policy_page_does(no_db):
    from core import policy as book

    changed, _ = audit_log.changes(_row("policy.set", "policy", "complaint.rank",
                                        {"value": "major>hot>important>general"},
                                        {"value": "hot>major>important>general", "version": 3}))
    param = book.PARAMS["complaint.rank"]
    assert ("取值", book.format_value(param, "major>hot>important>general"), book.format_value(
        param, "hot>major>important>general")) in [(c.field, c.before, c.after) for c in changed]

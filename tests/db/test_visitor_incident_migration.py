"""Migration 0016 (issue 12 item 5): the retired ``visitor.b_group_major`` leaves the policy book — its stored overrides
are removed and their values kept in the audit trail; other overrides stay; the incident table arrives (SQLite file)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from db.migrate import alembic_config

BEFORE = "0015_complaint_cases"


def _migrate(engine, revision: str, step=command.upgrade) -> None:
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        step(cfg, revision)
        conn.commit()


def test_upgrade_retires_the_group_major_overrides_into_the_audit_trail(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    _migrate(engine, BEFORE)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO policy_change (id, key, value_json, effective_from, reason, created_at) VALUES "
            "(1, 'visitor.b_group_major', '8', '2026-01-01 00:00:00.000000', '', '2026-01-01 00:00:00.000000'),"
            "(2, 'complaint.major_collective', '12', '2026-01-01 00:00:00.000000', '', '2026-01-01 00:00:00.000000'),"
            "(3, 'visitor.b_group_major', '9', '2026-02-01 00:00:00.000000', '', '2026-02-01 00:00:00.000000')"))
    _migrate(engine, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, key FROM policy_change ORDER BY id")).all() == [
            (2, "complaint.major_collective")]
        kept = conn.execute(text("SELECT entity_id, summary, before_json FROM audit_log WHERE action = 'policy.retired'"
                                 " ORDER BY id")).all()
    assert [k.entity_id for k in kept] == ["visitor.b_group_major"] * 2
    assert "版本 1 的设定值 8" in kept[0].summary and '"value": 9' in kept[1].before_json
    assert "visitor_incident" in inspect(engine).get_table_names()
    _migrate(engine, BEFORE, command.downgrade)  # and back
    assert "visitor_incident" not in inspect(engine).get_table_names()

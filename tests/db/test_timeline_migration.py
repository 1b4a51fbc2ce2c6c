"""Migration 0007_timeline_duties on a database holding complaints: the timeline is copied row for row, every
deadline becomes a duty row with its due, met and breach, and nothing is lost (SQLite file, as shipped)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import column, create_engine, insert, inspect, table, text

from db import engine as engine_module
from db.migrate import alembic_config, heads
from db.models import Complaint, ConsultRequest, OnlinePost, OrgUnit, User

BEFORE = "0003_perf_indexes"  # before the approval tables (0006) and the timeline (0007)
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _complaint(cid, **kw):
    base = dict(id=cid, number=f"TS-2026-{cid:06d}", office_id=2, channel="phone", category="engineering",
                description="楼道灯坏了", occurred_at=T0, received_at=T0, grade="general", state="received",
                policy_version=0, created_at=T0, updated_at=T0, due_at=T0 + 48 * H)
    base.update(kw)
    return base


def _insert_as_of_then(conn, model, rows: list[dict]) -> None:
    """Insert with the model's defaults, but only into the columns the table had then (later migrations add more)."""
    then = {c["name"] for c in inspect(conn).get_columns(model.__tablename__)}
    defaults = {c.name: c.default.arg for c in model.__table__.c if c.default is not None and c.default.is_scalar}
    full = [{k: v for k, v in {**defaults, **row}.items() if k in then} for row in rows]
    names = sorted({k for row in full for k in row})
    conn.execute(insert(table(model.__tablename__, *(column(k, model.__table__.c[k].type) for k in names))), full)


def test_upgrade_copies_the_complaint_timeline_and_backfills_duties(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    cfg = alembic_config()
    engine = create_engine(url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, BEFORE)
        conn.commit()
    with engine.begin() as conn:
        conn.execute(insert(OrgUnit), [dict(id=1, code="C", name="公司", kind="company"),
                                       dict(id=2, code="OA", name="东方家园管理处", kind="office", parent_id=1)])
        conn.execute(insert(User), [dict(id=1, username="li", display_name="李倩", password_hash="x")])
        for row in [
            _complaint(1, handler_user_id=1),  # open, not yet due at T0
            _complaint(2, state="closed", grade="major", verified_at=T0 + 60 * H, verified_by=1,  # handled late
                       report_due_at=T0 + H, reported_at=T0 + 2 * H, callback_due_at=T0 + 132 * H,
                       closed_at=T0 + 70 * H),
            _complaint(3, channel="hotline_12345", hotline_due_at=T0 + 24 * H, handled_at=T0 + 5 * H,
                       state="handled"),
            _complaint(4, channel="online", grade="major"),
        ]:
            _insert_as_of_then(conn, Complaint, [row])
        conn.execute(insert(ConsultRequest), [dict(id=7, complaint_id=1, office_id=2, consultant_id=1, question="q",
                                                   requested_at=T0, due_at=T0 + 24 * H, replied_at=T0 + 3 * H)])
        _insert_as_of_then(conn, OnlinePost, [dict(complaint_id=4, facts_due_at=T0 + 4 * H, facts_at=T0 + 5 * H)])
        conn.execute(text("INSERT INTO complaint_report (complaint_id, kind, at, to_whom, note) VALUES "
                          "(4, 'notice', '2026-11-02 02:00:00.000000', '', ''),"
                          "(4, 'express', '2026-11-08 02:00:00.000000', '', '')"))
        conn.execute(text(
            "INSERT INTO complaint_event (complaint_id, at, actor_user_id, actor_name, action, from_state, to_state,"
            " note, citation) VALUES "
            "(2, '2026-11-02 02:00:00.000000', 1, '李倩', 'register', NULL, 'received', '受理登记', '依据甲'),"
            "(1, '2026-11-02 03:00:00.000000', NULL, '系统', 'register', NULL, 'received', '受理', ''),"
            "(2, '2026-11-04 14:00:00.000000', 1, '李倩', 'verify', 'handled', 'verified', '验证合格', '')"))
    old_events = sqlite3.connect(tmp_path / "old.sqlite3").execute(
        "SELECT complaint_id, at, actor_user_id, actor_name, action, from_state, to_state, note, citation "
        "FROM complaint_event ORDER BY id").fetchall()

    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    try:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(h,) for h in heads()]
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'complaint_event'").fetchall() == []
        new_events = db.execute("SELECT record_id, at, actor_user_id, actor_name, event, from_state, to_state, note,"
                                " citation FROM record_event WHERE record_type = 'complaint' ORDER BY id").fetchall()
        assert new_events == old_events
        assert db.execute("SELECT DISTINCT office_id FROM record_event").fetchall() == [(2,)]
        rows = db.execute("SELECT record_id, duty, key, state, due_at, met_at, breached, responsible_user_id "
                          "FROM duty ORDER BY record_id, duty, due_at").fetchall()
    finally:
        db.close()
    got = {(r[0], r[1], r[2]): (r[3], r[4][:16], r[5] and r[5][:16], bool(r[6]), r[7]) for r in rows}
    assert got[1, "complaint.handle", ""] == ("open", "2026-11-04 02:00", None, True, 1)  # overdue by now: flagged
    assert got[1, "complaint.consult_reply", "7"] == ("met", "2026-11-03 02:00", "2026-11-02 05:00", False, None)
    assert got[2, "complaint.handle", ""] == ("met", "2026-11-04 02:00", "2026-11-04 14:00", True, None)
    assert got[2, "complaint.report", ""] == ("met", "2026-11-02 03:00", "2026-11-02 04:00", True, None)
    assert got[2, "complaint.callback", ""][:1] == ("met",)
    assert got[3, "complaint.hotline", ""] == ("met", "2026-11-03 02:00", "2026-11-02 07:00", False, None)
    assert got[4, "complaint.online_facts", ""] == ("met", "2026-11-02 06:00", "2026-11-02 07:00", True, None)
    express = [r for r in rows if r[0] == 4 and r[1] == "complaint.express"]
    assert [(r[3], r[4][:16], r[5] and r[5][:16]) for r in express] == [
        ("met", "2026-11-09 02:00", "2026-11-08 02:00"), ("open", "2026-11-15 02:00", None)]
    assert not any(r[0] == 2 and r[1] == "complaint.express" for r in rows)  # closed: owes no further 快报

    with engine.connect() as conn:  # and back: the complaint timeline returns to its own table
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, BEFORE)
        conn.commit()
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    try:
        assert db.execute("SELECT complaint_id, at, actor_user_id, actor_name, action, from_state, to_state, note,"
                          " citation FROM complaint_event ORDER BY id").fetchall() == old_events
    finally:
        db.close()
    engine.dispose()
    engine_module.reset_engines()

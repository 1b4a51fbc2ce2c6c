"""Migration 0012 (issue 11, reporting) on a database holding complaints: the open notices of complaints archived before it
leave "my work" (closed_at), the others stay (SQLite file, as shipped)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, insert, text

from db.migrate import alembic_config
from db.models import Complaint, OrgUnit, User

BEFORE = "0011_i11_honest"
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def test_upgrade_closes_the_open_notices_of_archived_complaints(tmp_path):
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
        for cid, state, closed in ((1, "closed", T0), (2, "received", None)):
            conn.execute(insert(Complaint), dict(
                id=cid, number=f"TS-2026-{cid:06d}", office_id=2, channel="phone", category="engineering",
                description="楼道灯坏了", occurred_at=T0, received_at=T0, grade="hot", state=state, policy_version=0,
                created_at=T0, updated_at=T0, closed_at=closed))
        conn.execute(text(
            "INSERT INTO notice (recipient_user_id, kind, title, body, page, entity, entity_id, requires_ack, created_at,"
            " acked_at) VALUES (1, 'report', 'a', '', '', 'complaint', '1', 1, '2026-11-02 02:00:00.000000', NULL),"
            " (1, 'report', 'b', '', '', 'complaint', '1', 1, '2026-11-02 02:00:00.000000', '2026-11-02 03:00:00.000000'),"
            " (1, 'report', 'c', '', '', 'complaint', '2', 1, '2026-11-02 02:00:00.000000', NULL)"))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT title, closed_at FROM notice")).all())
        assert conn.execute(text("SELECT leader_staff_id FROM department")).all() == []
    assert rows["a"] is not None and rows["b"] is None and rows["c"] is None

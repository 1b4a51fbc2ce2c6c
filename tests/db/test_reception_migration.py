"""Migration 0017 (issue 12): the grooming rules' stored overrides move from the reception group to the discipline
group (劳动纪律), and back on downgrade; the contact table arrives empty (SQLite file, as shipped)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from db.migrate import alembic_config

BEFORE = "0016_visitor_incidents"


def _keys(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT key FROM policy_change ORDER BY id"))]


def _migrate(engine, cfg, target: str, *, down: bool = False) -> None:
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)
        conn.commit()


def test_grooming_overrides_move_to_discipline_and_back(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config()
    _migrate(engine, cfg, BEFORE)
    stamp = f"{datetime(2026, 11, 2, 2, 0, tzinfo=UTC):%Y-%m-%d %H:%M:%S}.000000"
    with engine.begin() as conn:
        for key, value in (("reception.nail_max_mm", "2"), ("reception.hair_max_cm", "8"), ("reception.max_rings", "4")):
            conn.execute(text("INSERT INTO policy_change (key, value_json, effective_from, reason, created_at) "
                              "VALUES (:k, :v, :t, '客户确认', :t)"), {"k": key, "v": value, "t": stamp})
    _migrate(engine, cfg, "0017_reception")
    assert _keys(engine) == ["discipline.nail_max_mm", "discipline.hair_max_cm", "reception.max_rings"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM contact")).scalar() == 0
    _migrate(engine, cfg, BEFORE, down=True)
    assert _keys(engine) == ["reception.nail_max_mm", "reception.hair_max_cm", "reception.max_rings"]

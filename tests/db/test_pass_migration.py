"""Migration 0018 (issue 13): the stored overrides of the 串房 amounts move from the pass group to the violation group
with their values and versions; the downgrade moves them back (SQLite file, as shipped)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from core import policy as book
from db.migrate import alembic_config

BEFORE = "0017_reception"
T0 = "2026-11-02 02:00:00.000000"


def _upgrade(url: str, target: str, cfg) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target) if target != BEFORE + "-down" else command.downgrade(cfg, BEFORE)
        conn.commit()
    engine.dispose()


def test_room_hopping_overrides_move_to_the_violation_group_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    cfg = alembic_config()
    _upgrade(url, BEFORE, cfg)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO policy_change (key, value_json, effective_from, reason, created_at) VALUES "
                          f"('pass.room_hopping_min', '4000', '{T0}', '客户确认', '{T0}'), "
                          f"('pass.room_hopping_max', '8000', '{T0}', '客户确认', '{T0}'), "
                          f"('pass.worker_deposit', '6000', '{T0}', '客户确认', '{T0}')"))
    _upgrade(url, "head", cfg)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, key, value_json FROM policy_change ORDER BY id")).all()
    assert [(r.key, r.value_json) for r in rows] == [("violation.room_hopping_min", "4000"),
                                                      ("violation.room_hopping_max", "8000"),
                                                      ("pass.worker_deposit", "6000")]
    changes = [book.Change(r.id, r.key, book.decode(r.key, r.value_json), datetime(2026, 11, 1, tzinfo=UTC))
               for r in rows]
    resolved = book.resolve(changes, version=None, at=datetime(2026, 11, 3, tzinfo=UTC))
    assert (resolved["violation.room_hopping_min"], resolved["violation.room_hopping_max"]) == (4000, 8000)
    assert book.PARAMS["violation.room_hopping_min"].group == "violation"
    assert "pass.room_hopping_min" not in book.PARAMS
    _upgrade(url, BEFORE + "-down", cfg)
    with engine.connect() as conn:
        keys = [k for (k,) in conn.execute(text("SELECT key FROM policy_change ORDER BY id")).all()]
        tables = {t for (t,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all()}
    assert keys == ["pass.room_hopping_min", "pass.room_hopping_max", "pass.worker_deposit"]
    assert not tables & {"access_pass", "pass_room", "deposit_account", "deposit_entry"}

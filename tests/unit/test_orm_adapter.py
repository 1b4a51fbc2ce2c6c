"""Contract of db/orm_adapter.py: the fast constructor and the plain INSERT behave like the ORM's own path.

Fails loudly when sqlmodel, SQLAlchemy or pydantic change version (``PINS``) or behaviour: re-check the adapter
against the new version, then update ``PINS``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version

import pytest
from sqlmodel import Session, SQLModel, create_engine, select

from db.models import Complaint
from db.orm_adapter import PINS, FastConstructor, insert_as_loaded

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
VALUES = dict(number="TS-2026-000001", office_id=1, channel="phone", category="engineering", description="d",
              occurred_at=NOW, received_at=NOW, grade="general", state="received", created_at=NOW, updated_at=NOW)


@pytest.mark.parametrize("package", sorted(PINS))
def test_installed_versions_are_the_pinned_ones(package):
    assert version(package).lower() == PINS[package].lower(), (
        f"{package} {version(package)} is installed but db/orm_adapter.py was verified against {PINS[package]}: "
        "run this file, check the adapter against the new version, then update PINS")


def test_fast_constructor_equals_the_normal_constructor():
    fast, slow = FastConstructor(Complaint)(**VALUES), Complaint(**VALUES)
    assert type(fast) is Complaint
    assert fast.model_dump() == slow.model_dump()
    assert fast.__pydantic_fields_set__ == slow.__pydantic_fields_set__
    assert fast.__pydantic_extra__ == slow.__pydantic_extra__
    assert fast.__pydantic_private__ == slow.__pydantic_private__
    assert fast == slow


def test_fast_constructor_refuses_unknown_fields_and_fills_defaults():
    make = FastConstructor(Complaint)
    with pytest.raises(TypeError, match="no_such_field"):
        make(**VALUES, no_such_field=1)
    values = {k: v for k, v in VALUES.items() if k not in ("created_at", "updated_at")}
    first = make(**values)
    assert first.created_at is not None and first.created_at.tzinfo is not None
    assert "created_at" not in first.__pydantic_fields_set__
    assert first.reopen_count == 0 and first.callback_required is True and first.exemption_reason == ""


def test_insert_as_loaded_writes_the_row_and_later_changes_are_flushed(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'adapter.sqlite3'}")
    SQLModel.metadata.create_all(engine)  # a throwaway file: the contract is about the ORM, not the migrations
    with Session(engine) as s:
        c = FastConstructor(Complaint)(**VALUES)
        insert_as_loaded(s, c)
        assert c.id is not None and c in s and not s.dirty and not s.new  # persistent and clean, like a loaded row
        c.grade = "hot"  # a change after the INSERT is an ordinary UPDATE at commit
        assert c in s.dirty
        s.commit()
    with Session(engine) as s:
        stored = s.exec(select(Complaint)).one()
        expected = Complaint(**VALUES).model_dump(exclude={"id", "occurred_at", "received_at", "created_at", "updated_at"})
        assert stored.model_dump(exclude={"id", "occurred_at", "received_at", "created_at", "updated_at"}) == {
            **expected, "grade": "hot"}
    engine.dispose()

"""Adapter: the one place that builds and inserts ORM objects through SQLModel/SQLAlchemy/pydantic internals.

The complaint write path is benchmark-critical (issue 5): ``Complaint(...)`` with ~45 instrumented assignments cost
about 1 ms, a fifth of a registration's CPU inside the write lock, and flushing a new object through the unit of work
cost more than the rest of the registration. ``FastConstructor`` makes the object the way the ORM makes one for a
loaded row (``sqlmodel_table_construct`` values and defaults, no per-attribute events); ``insert_as_loaded`` writes
it with a plain INSERT and attaches it as if loaded. Both depend on behaviour of the pinned versions below, which
tests/unit/test_orm_adapter.py checks (equality with the normal constructor, the row written, a later change
flushed); a version change fails that test loudly instead of corrupting rows quietly.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel

# The versions this adapter was verified against (requirements.txt). Change them only after the contract test passes.
PINS = {"sqlmodel": "0.0.50", "sqlalchemy": "2.1.9", "pydantic": "2.14.4"}

M = TypeVar("M", bound=SQLModel)
_PLAIN = str | int | float | bool | type(None)


class FastConstructor(Generic[M]):
    """``model(**values)`` without the per-attribute instrumentation events (same values, defaults, bookkeeping)."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        fields = tuple(model.model_fields.items())
        self.names = frozenset(model.model_fields)
        # Plain immutable defaults are taken once; anything else (factories such as utcnow) is asked for each time.
        self.static_defaults = {name: f.default for name, f in fields
                                if not f.is_required() and f.default_factory is None and isinstance(f.default, _PLAIN)}
        self.other_defaults = tuple((name, f) for name, f in fields
                                    if not f.is_required() and name not in self.static_defaults)

    def __call__(self, **values: Any) -> M:
        unknown = values.keys() - self.names
        if unknown:
            raise TypeError(f"unknown {self.model.__name__} fields: {sorted(unknown)}")
        obj = self.model._sa_class_manager.new_instance()
        d = obj.__dict__
        d.update(self.static_defaults)
        for name, f in self.other_defaults:
            if name not in values:
                d[name] = f.get_default(call_default_factory=True)
        d.update(values)
        object.__setattr__(obj, "__pydantic_fields_set__", set(values))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj


_INSERTS: dict[type, tuple[Any, tuple[str, ...]]] = {}


def insert_as_loaded(s: Session, obj: SQLModel) -> None:
    """INSERT a new object (integer primary key ``id``) with a plain statement, then attach it as if loaded.

    After this, ``obj`` is persistent in ``s`` with ``obj.id`` set; later changes to it are flushed as usual.
    """
    model = type(obj)
    if model not in _INSERTS:
        columns = tuple(col.key for col in model.__table__.columns if col.key != "id")
        _INSERTS[model] = (insert(model).returning(model.id), columns)
    stmt, columns = _INSERTS[model]
    obj.id = s.connection().execute(stmt, {k: getattr(obj, k) for k in columns}).scalar_one()
    make_transient_to_detached(obj)
    s.add(obj)

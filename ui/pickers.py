"""Shared pickers: office within my scope, roles (Chinese labels); short-lived caches of the small lookup lists.

The lookups (units, the offices of a scope, departments of a scope) are read on nearly every rerun and change
rarely, only on the 组织与房屋 page, which clears them after its own writes (``clear_lookups``). ``st.cache_data``
is shared by every session of the process, so each cache holds only what is the same for everyone asking:
the key is the database (``_db_key``) and, where the answer depends on it, the actor's scope — never the actor
(``_actor`` is not part of the key). Whoever is refused by the service is refused before the cache.
"""

from __future__ import annotations

import uuid
import weakref
from typing import NamedTuple

import streamlit as st

from core.permissions import Action, Actor
from db.engine import get_engine
from db.services import org
from db.services.org import offices_for
from ui.theme import PICK

LOOKUP_TTL_S = 60  # a change made elsewhere (another process, a script) shows within a minute


class UnitRow(NamedTuple):
    """An ``OrgUnit`` as the pages read it (cheap to cache: ``st.cache_data`` copies on every hit)."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    address: str
    phone: str
    complaint_contact_staff_id: int | None
    active: bool


class DepartmentRow(NamedTuple):
    id: int
    org_unit_id: int
    name: str
    kind: str
    head_staff_id: int | None
    active: bool
    leader_staff_id: int | None = None  # 分管领导


_ENGINE_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _db_key() -> str:
    """"This database" for the cache keys: one key per engine, so a process pointed at another (or a re-created)
    database — tests do that under one URL — never reads the lookups of the one before."""
    engine = get_engine()
    key = _ENGINE_KEYS.get(engine)
    if key is None:
        key = _ENGINE_KEYS.setdefault(engine, uuid.uuid4().hex)
    return key


def _scope_key(actor: Actor, action: Action) -> tuple[int, ...] | None:
    scope = actor.scope(action)
    return None if scope is None else tuple(sorted(scope))


@st.cache_data(ttl=LOOKUP_TTL_S, show_spinner=False, max_entries=256)
def _offices(db: str, scope: tuple[int, ...] | None, _actor: Actor, _action: Action) -> list[tuple[int, str]]:
    return offices_for(actor=_actor, action=_action)


@st.cache_data(ttl=LOOKUP_TTL_S, show_spinner=False, max_entries=16)
def _units(db: str, _actor: Actor) -> list[UnitRow]:
    return [UnitRow(u.id, u.code, u.name, u.kind, u.parent_id, u.address or "", u.phone or "",
                    u.complaint_contact_staff_id, bool(u.active)) for u in org.list_units(actor=_actor)]


@st.cache_data(ttl=LOOKUP_TTL_S, show_spinner=False, max_entries=256)
def _departments(db: str, scope: tuple[int, ...] | None, _actor: Actor) -> list[DepartmentRow]:
    return [DepartmentRow(*row) for row in org.list_departments(actor=_actor)]


def cached_offices(actor: Actor, action: Action) -> list[tuple[int, str]]:
    """``offices_for`` through the lookup cache (keyed by the actor's scope for ``action``)."""
    return _offices(_db_key(), _scope_key(actor, action), actor, action)


def cached_units(actor: Actor) -> list[UnitRow]:
    """``org.list_units`` (every unit: the same for everyone who may view the organisation), cached."""
    if not actor.can(Action.ORG_VIEW):
        org.list_units(actor=actor)  # refuses, with its audit row
    return _units(_db_key(), actor)


def cached_departments(actor: Actor) -> list[DepartmentRow]:
    """``org.list_departments`` for the actor's scope (a 管理处's own departments only), cached."""
    if not actor.can(Action.ORG_VIEW):
        org.list_departments(actor=actor)  # refuses, with its audit row
    return _departments(_db_key(), _scope_key(actor, Action.ORG_VIEW), actor)


def clear_lookups() -> None:
    """After a write to units or departments: the writer (and everyone else) sees it on the next run."""
    for cached in (_offices, _units, _departments):
        cached.clear()


def office_picker(actor: Actor, action: Action, *, key: str, allow_all: bool = True, label: str = "管理处",
                  on_change=None, args: tuple | None = None) -> int | None:
    """Offices in the actor's scope for ``action``; ``None`` = all of them. ``on_change``/``args`` as for
    ``st.selectbox`` (e.g. ``reset_pager`` of the list the office filters)."""
    offices = cached_offices(actor, action)
    options = ([None] if allow_all and len(offices) != 1 else []) + [o[0] for o in offices]
    names = dict(offices)
    if not options:
        st.warning("您的账号没有可操作的管理处。")
        st.stop()
    return st.selectbox(label, options, format_func=lambda o: "全部（我的范围）" if o is None else names[o], key=key,
                        on_change=on_change, args=args, placeholder=PICK)

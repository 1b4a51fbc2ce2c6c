"""Shared pickers: office within my scope, roles (Chinese labels)."""

from __future__ import annotations

import streamlit as st

from core.permissions import Action, Actor
from db.services.org import offices_for


def office_picker(actor: Actor, action: Action, *, key: str, allow_all: bool = True, label: str = "管理处") -> int | None:
    """Offices in the actor's scope for ``action``; ``None`` = all of them."""
    offices = offices_for(actor=actor, action=action)
    options = ([None] if allow_all and len(offices) != 1 else []) + [o[0] for o in offices]
    names = dict(offices)
    if not options:
        st.warning("您的账号没有可操作的管理处。")
        st.stop()
    return st.selectbox(label, options, format_func=lambda o: "全部（我的范围）" if o is None else names[o], key=key)

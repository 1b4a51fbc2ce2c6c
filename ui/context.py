"""The signed-in actor for views, and the page-top permission check (defence in depth)."""

from __future__ import annotations

import streamlit as st

from core.permissions import Action, Actor

ACTOR_KEY = "psd_actor"


def current_actor() -> Actor | None:
    return st.session_state.get(ACTOR_KEY)


def require(action: Action) -> Actor:
    """Stop the page with a clear Chinese message unless the signed-in user may ``action``."""
    actor = current_actor()
    if actor is None:
        st.error("请先登录。")
        st.stop()
    if not actor.can(action):
        st.error("您无权访问此页面。如需开通，请联系系统管理员。")
        st.stop()
    return actor


def page_header(title: str, icon: str, policy_line: str) -> None:
    st.title(f"{icon} {title}")
    st.caption(policy_line)

"""The menu: pages come from each process package's ``PAGES`` (``views/<process>/__init__.py``).

Every known page is registered with ``st.navigation`` so a deep link always resolves; a page the role
may not open is registered as a refusal page at the same address, and only allowed pages are listed in
the sidebar. ``app.py`` never needs editing when a process adds pages.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import streamlit as st

import views
from core.permissions import Actor
from core.registry import PageSpec

ROOT = Path(__file__).resolve().parents[1]


def all_page_specs() -> list[PageSpec]:
    specs: list[PageSpec] = []
    for module in pkgutil.iter_modules(views.__path__):
        if module.ispkg:
            package = importlib.import_module(f"views.{module.name}")
            specs.extend(getattr(package, "PAGES", []))
    return sorted(specs, key=lambda s: (s.order, s.path))


def url_path(spec: PageSpec) -> str:
    return spec.path.removeprefix("views/").removesuffix(".py").replace("/", "_")


def _refusal(title: str):
    def page() -> None:
        st.title(title)
        st.error("您无权访问此页面。如需开通，请联系系统管理员。")

    page.__name__ = f"refused_{abs(hash(title))}"
    return page


NAV_CACHE_KEY = "_psd_nav_pages"


def _pages(actor: Actor, only: str | None) -> list[tuple[PageSpec, bool, st.Page]]:
    """Every known page, allowed or as a refusal page. Built once per browser session and role set: building the
    13 ``st.Page`` objects was a measurable part of every click (scripts/bench.py); a changed role set rebuilds."""
    key = (actor.grants, actor.delegated, only)
    cached = st.session_state.get(NAV_CACHE_KEY)
    if cached and cached[0] == key:
        return cached[1]
    pages = []
    for spec in all_page_specs():
        allowed = actor.can(spec.action) and (only is None or spec.path == only)
        if allowed:
            page = st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=url_path(spec),
                           default=spec.default if only is None else spec.path == only)
        else:
            page = st.Page(_refusal(spec.title), title=spec.title, icon=":material/block:", url_path=url_path(spec))
        pages.append((spec, allowed, page))
    st.session_state[NAV_CACHE_KEY] = (key, pages)
    return pages


def build_navigation(actor: Actor, *, only: str | None = None, requested: str | None = None):
    """Return the navigation object; ``only`` restricts to one page (forced password change);
    ``requested`` is the url path asked for before signing in (opened once, if allowed)."""
    menu, wanted = {}, None
    pages = _pages(actor, only)
    for spec, allowed, page in pages:
        if allowed:
            menu.setdefault(spec.section, []).append(page)
            if requested and url_path(spec) == requested and not spec.default:
                wanted = page
    navigation = st.navigation([page for _, _, page in pages], position="hidden")
    if wanted is not None and navigation.url_path != wanted.url_path:
        st.switch_page(wanted)
    with st.sidebar:
        for section, entries in menu.items():
            st.caption(section)
            for page in entries:
                st.page_link(page)
    return navigation

"""物业客服台 entry point: page settings, first-start migration, the login gate, the role's menu."""

from __future__ import annotations

import gc
import importlib
import logging
import os
import pkgutil
import threading

import streamlit as st
from sqlalchemy.exc import DBAPIError

from core.errors import DomainError
from db.bootstrap import bootstrap
from db.engine import get_engine
from db.services import load_all
from db.services.auth import build_actor
from db.services.scheduler import start_background
from db.session import storage_message
from ui.auth_gate import login_gate
from ui.context import ACTOR_KEY
from ui.fmt import now
from ui.nav import build_navigation
from ui.theme import FAVICON, apply_theme

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
st.set_page_config(page_title="物业客服台", page_icon=FAVICON, layout="wide")  # a local file: no internet needed
apply_theme()

PASSWORD_PAGE = "views/home/password.py"


def _preload_and_freeze() -> None:
    """Import every module the pages use, then move all objects alive now out of the garbage collector's sight.

    Streamlit runs a full ``gc.collect()`` after every script run (``runner.postScriptGC``), holding the GIL for
    every user of the process; with ~200,000 long-lived objects (libraries, models, the policy book) that was
    hundreds of milliseconds per click on this machine, and ~0 after ``gc.freeze()`` (measured, issue 5). Runs in
    a background thread so the login form is not delayed.
    """
    import core
    import db.services
    import ui
    import views

    try:
        for package in (core, db.services, ui):
            for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
                importlib.import_module(module.name)
        for module in pkgutil.walk_packages(views.__path__, "views."):  # each process's widgets, not its page scripts
            if ".widgets" in module.name:
                importlib.import_module(module.name)
    except Exception:  # a page will report its own import error; the freeze still helps
        logging.getLogger(__name__).exception("preloading page modules failed")
    gc.collect()
    gc.freeze()


@st.cache_resource(show_spinner="正在准备数据库…")
def ready_engine():
    """Migrate once per process (shared by every session; holds no per-user state)."""
    engine = get_engine()
    bootstrap(engine)
    load_all()  # every process registers its my-work provider, daily jobs and hooks
    if os.environ.get("PSD_BACKGROUND_JOBS", "1") == "1":
        start_background()  # daily sweeps (age-based complaint upgrades, deadline breaches), hourly
    threading.Thread(target=_preload_and_freeze, name="psd-preload", daemon=True).start()
    return engine


try:
    ready_engine()
    user = login_gate()
    actor = build_actor(user.user_id, now=now()) if user else None
except DomainError as exc:  # database unreachable or unreadable: a sentence, never a traceback
    st.error(exc.message)
    st.stop()
except DBAPIError as exc:  # raised during start-up migration, before any service wraps it
    logging.getLogger(__name__).exception("database unavailable at start-up")
    st.error(storage_message(exc))
    st.stop()
if actor is None:
    st.session_state.pop(ACTOR_KEY, None)
    # Remember a deep link (e.g. /admin_users) so the user lands there after signing in.
    st.session_state["after_login"] = (st.context.url or "").rstrip("/").rsplit("/", 1)[-1]
    st.stop()

st.session_state[ACTOR_KEY] = actor
st.sidebar.markdown(f"**{actor.name}**（{actor.username}）")
if "flash" in st.session_state:
    st.toast(st.session_state.pop("flash"), icon=":material/check_circle:")
forced = user.must_change_password and not user.is_demo
if forced:
    st.sidebar.warning("首次登录或密码已被重置：请先修改密码。")
build_navigation(actor, only=PASSWORD_PAGE if forced else None,
                 requested=st.session_state.pop("after_login", None)).run()

"""Form tokens: one request id per rendered form, so a rerun or a double click writes one row."""

from __future__ import annotations

import uuid

import streamlit as st


def form_token(form_key: str) -> str:
    key = f"_token_{form_key}"
    if key not in st.session_state:
        st.session_state[key] = uuid.uuid4().hex
    return st.session_state[key]


def new_form_token(form_key: str) -> None:
    """After a successful submission the next render of the form is a new request."""
    st.session_state[f"_token_{form_key}"] = uuid.uuid4().hex


def submit_button(form_key: str, label: str, **kwargs) -> bool:
    """The form's submit button, keyed by its request id (``form_token``).

    A second click made on the same render (a double click 300 ms later, sent while the first is being saved)
    reaches the server after ``new_form_token``: keyed by the old id, it presses no button of the new render and
    writes nothing; one arriving before the reset carries the old id and the service returns the row written.
    """
    return st.form_submit_button(label, key=f"_submit_{form_key}_{form_token(form_key)}", **kwargs)


def button(form_key: str, label: str, **kwargs) -> bool:
    """A create action's button outside an ``st.form``, keyed by its request id like ``submit_button``."""
    return st.button(label, key=f"_button_{form_key}_{form_token(form_key)}", **kwargs)


def show_error(exc: Exception) -> None:
    st.error(getattr(exc, "message", "操作未完成，请检查输入后重试。"))

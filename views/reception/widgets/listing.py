"""The register list with its selection: one page of rows, the picked contact's id (or ``?id=``)."""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError
from db.services import reception_queues as queues
from ui.forms import show_error
from ui.tables import pager, pager_footer, selectable_table
from views.reception.widgets.common import category_labels, no_rows_hint, register_table
from views.reception.widgets.detail import load_detail, show_contact


def list_with_detail(actor, *, key: str, moment, filters: dict, hint: str, page_size: int = 20) -> None:
    """The register list and, below it, the picked contact with the steps offered now."""
    try:
        _, contact_id = register_list(actor, key=key, moment=moment, filters=filters, page_size=page_size)
    except DomainError as exc:
        show_error(exc)
        return
    if contact_id is None:
        st.caption(hint)
        return
    detail = load_detail(actor, contact_id, moment)
    if detail is not None:
        st.divider()
        show_contact(actor, detail, moment)


def register_list(actor, *, key: str, moment, filters: dict, page_size: int = 20):
    """The filtered register, paged in SQL; returns (page result, the selected contact id or None)."""
    page, size = pager(key, page_size=page_size)
    result = queues.search(actor=actor, now=moment, page=page, page_size=size, **filters)
    categories = category_labels()
    shown, widths = register_table(result.rows, categories)
    picked = selectable_table(shown, key=f"{key}_table", ids=[r[0].id for r in result.rows],
                              context=(tuple(filters.values()), result.page), column_config=widths)
    pager_footer(key, result)
    no_rows_hint(result.total)
    if picked is not None:
        return result, result.rows[picked][0].id
    wanted = st.query_params.get("id")
    return result, int(wanted) if wanted and str(wanted).isdigit() else None

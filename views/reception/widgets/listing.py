"""The register list with its selection: one page of rows, the picked contact's id (or ``?id=``)."""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError
from db.services import reception_queues as queues
from ui.forms import show_error
from ui.tables import pager, pager_footer, selectable_table
from views.reception.widgets.common import category_labels, register_table
from views.reception.widgets.detail import load_detail, show_contact


def list_with_detail(actor, *, key: str, moment, filters: dict, hint: str, page_size: int = 20) -> None:
    """The register list and, below it, the picked contact with the steps offered now."""
    try:
        shown, contact_id = register_list(actor, key=key, moment=moment, filters=filters, page_size=page_size)
    except DomainError as exc:
        show_error(exc)
        return
    if contact_id is None:
        if shown:
            st.caption(hint)
        return
    detail = load_detail(actor, contact_id, moment)
    if detail is not None:
        st.divider()
        show_contact(actor, detail, moment)


def register_list(actor, *, key: str, moment, filters: dict, page_size: int = 20):
    """The filtered register, paged in SQL; returns (rows on the page, the selected contact id or None; ``?id=`` when
    nothing is picked). No rows: a sentence, not an empty table."""
    page, size = pager(key, page_size=page_size)
    result = queues.search(actor=actor, now=moment, page=page, page_size=size, **filters)
    wanted = st.query_params.get("id")
    wanted = int(wanted) if wanted and str(wanted).isdigit() else None
    if not result.total:
        st.caption("没有符合条件的记录。")
        return 0, wanted
    categories = category_labels()
    shown, widths = register_table(result.rows, categories)
    picked = selectable_table(shown, key=f"{key}_table", ids=[r[0].id for r in result.rows],
                              context=(tuple(filters.values()), result.page), column_config=widths)
    pager_footer(key, result)
    if picked is not None:
        return len(result.rows), result.rows[picked][0].id
    return len(result.rows), wanted

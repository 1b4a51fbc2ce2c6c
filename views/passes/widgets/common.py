"""Labels, the list's columns (screen and Excel) and the register's Excel frame for the pass pages."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import money
from core import passes as rules
from core.masking import mask_id_number
from core.pdf.pass_forms import REGISTER_HEADERS, RegisterRow
from db.services.pass_registers import DEPOSIT_STATE_LABELS
from ui.fmt import TZ, dt
from ui.tables import frame, text_column

LIST_PAGE = "views/passes/list.py"

POLICY_LINE = "依据《小区出入证管理规定》：住户卡凭业主身份证办理；施工人员一人一证、押金凭收据退还；遗失即挂失补办；过期须退证或续期。"
STATUS_ICON = {rules.Status.VALID: ":material/check_circle:", rules.Status.EXPIRED: ":material/block:",
               rules.Status.LOST: ":material/block:", rules.Status.CONFISCATED: ":material/block:",
               rules.Status.RETURNED: ":material/assignment_return:", rules.Status.CANCELLED: ":material/cancel:"}


def status_label(p, moment) -> str:
    return rules.STATUS_LABELS[rules.status(p.state, p.valid_to, moment.astimezone(TZ).date())]


def list_columns(type_labels: dict[str, str], office_names: dict[int, str], moment, *, screen: bool = False) -> dict:
    """The list's columns; on screen the ones that fit 1280 px with the menu open (the Excel export has them all)."""
    columns = {
        "编号": lambda p: p.number,
        "管理处": lambda p: office_names.get(p.office_id, ""),
        "类型": lambda p: type_labels.get(p.pass_type, p.pass_type),
        "持证人": lambda p: p.holder_name,
        "证件号": lambda p: mask_id_number(p.id_number),
        "房屋": lambda p: p.rooms_label,
        "有效期至": lambda p: f"{p.valid_to:%Y-%m-%d}",
        "状态": lambda p: status_label(p, moment),
        "押金": lambda p: f"{money.format_yuan(p.deposit)} {DEPOSIT_STATE_LABELS.get(p.deposit_state, '')}".strip(),
        "发证时间": lambda p: dt(p.issued_at),
    }
    if screen:
        for name in ("证件号", "发证时间"):
            columns.pop(name)
    return columns


# Screen widths in px: with the selection column they fit the 1280 px page's content box with the menu open
# (818 px); 房屋 takes what is left.
WIDTHS = {"编号": text_column("编号", 118), "管理处": text_column("管理处", 84), "类型": text_column("类型", 72),
          "持证人": text_column("持证人", 64), "房屋": text_column("房屋", 150), "有效期至": text_column("有效期至", 84),
          "状态": text_column("状态", 56), "押金": text_column("押金", 110)}


def pass_frame(rows, type_labels, office_names, moment) -> pd.DataFrame:
    return frame(rows, list_columns(type_labels, office_names, moment))


def register_frame(rows: Sequence[RegisterRow]) -> pd.DataFrame:
    """《施工、装饰人员出入证发放登记表》 as the Excel export writes it (the PDF's columns)."""
    return pd.DataFrame([r.cells() for r in rows], columns=list(REGISTER_HEADERS))


def pass_link(pass_id: int, label: str) -> None:
    """A link that opens the pass on the 出入证 page (``?id=``)."""
    try:
        st.page_link(LIST_PAGE, label=label, icon=":material/open_in_new:", query_params={"id": str(pass_id)})
    except StreamlitPageNotFoundError:  # the page script runs on its own, outside app.py's navigation
        st.caption(label)

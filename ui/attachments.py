"""The attachments section every record's detail shows (db.services.attachments): the list of files, each
opened on click (its bytes are read only then), and an uploader with the policy book's size cap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import streamlit as st

from core.errors import DomainError
from core.permissions import Actor
from db.services import attachments
from db.services.attachments import AttachmentInfo
from ui.fmt import dt
from ui.forms import form_token, new_form_token, show_error
from ui.theme import upload_label

UPLOAD_TYPES = ["jpg", "jpeg", "png", "pdf"]


def upload_mb(limit_bytes: int) -> int:
    """The uploader's own cap (whole MB, rounded up); the service enforces the exact policy value."""
    return max(1, -(-limit_bytes // (1024 * 1024)))


def file_picker(key: str, *, record_type: str, now: datetime, label: str = "附件：照片、扫描件",
                multiple: bool = True) -> list[tuple[str, bytes]]:
    """The uploader (inside a form or not): the label names the types and the policy book's cap, the help its
    clause; returns (name, bytes)."""
    limit, clause = attachments.upload_limit(record_type=record_type, now=now)
    picked = st.file_uploader(upload_label(label, UPLOAD_TYPES, limit), type=UPLOAD_TYPES, key=key,
                              accept_multiple_files=multiple, max_upload_size=upload_mb(limit),
                              help=f"大小上限{clause}；按文件内容识别类型，图片将重新编码并去除位置等信息")
    if picked is None:
        return []
    return [(f.name, f.getvalue()) for f in (picked if isinstance(picked, list) else [picked])]


def _file_row(actor: Actor, key: str, item: AttachmentInfo) -> None:
    left, right = st.columns([3, 1])
    caption = f" · {item.caption}" if item.caption else ""
    left.write(f"{item.filename}（{item.size_text}，{dt(item.uploaded_at)}）{caption}")
    opened = right.toggle("查看", key=f"{key}_open_{item.id}", help="打开时才从数据库读取文件")
    if not opened:
        return
    try:
        f = attachments.open(actor=actor, attachment_id=item.id)
    except DomainError as exc:
        show_error(exc)
        return
    if item.is_image:
        st.image(f.data, caption=f.filename, width=480)
    st.download_button("下载", data=f.data, file_name=f.filename, mime=f.mime, key=f"{key}_dl_{item.id}",
                       icon=":material/download:")


def attachments_section(actor: Actor, *, key: str, record_type: str, record_id: int, now: datetime,
                        items: Sequence[AttachmentInfo] | None = None, can_add: bool = False) -> None:
    """The record's files (``items`` when the caller has them, else ``list_for``) and, if ``can_add``, an uploader.

    A save is one request per render of the uploader (``form_token``): a double click writes the files once.
    """
    if items is None:
        items = attachments.list_for(actor=actor, record_type=record_type, record_id=record_id)
    for item in items:
        _file_row(actor, key, item)
    if not items:
        st.caption("暂无附件。")
    if not can_add:
        return
    form = f"{key}_upload"
    token = form_token(form)
    files = file_picker(f"{form}_{token}", record_type=record_type, now=now, label="上传照片或扫描件")
    caption = st.text_input("说明（可留空）", key=f"{form}_caption_{token}", max_chars=200)
    if files and st.button("保存附件", key=f"{form}_save_{token}", icon=":material/upload:"):
        try:
            attachments.add(actor=actor, record_type=record_type, record_id=record_id, files=files, now=now,
                            caption=caption, request_id=token)
        except DomainError as exc:
            show_error(exc)
            return
        new_form_token(form)
        st.session_state["flash"] = f"已上传 {len(files)} 个附件"
        st.rerun()

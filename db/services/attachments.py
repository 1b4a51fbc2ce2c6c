"""Attachments of any record type (design.md §6, issue 10 §1): photos and scans checked by content (JPG, PNG,
PDF; images re-encoded, core.uploads), capped in size by the policy book, stored in the database.

A process makes its record type attachable once, in its service module::

    attachable("complaint", model=Complaint, view=Action.COMPLAINT_VIEW, add=Action.COMPLAINT_HANDLE,
               max_kb_key="complaint.attachment_max_kb", on_added=_timeline_event)

and then uses ``add`` (a form's upload, idempotent per ``request_id``), ``store`` (files written inside the
process's own transaction, e.g. on intake), ``list_for`` / ``listed`` (metadata only: the bytes live in
``attachment_blob`` and no list reads them) and ``open`` (one file's bytes, when a user opens it). Every call
checks the permission in the **record's** office, read in the same transaction (``load_scoped``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.uploads import CleanUpload, clean_upload
from db.models import Attachment, AttachmentBlob
from db.services.base import already_done, audit, authorize, load_scoped, office_of, remember
from db.services.policy import policy_in
from db.session import read_session, write_session

ENTITY = "attachment"
MISSING = "附件不存在或不在您的管理范围内"
IMAGE_MIMES = frozenset({"image/jpeg", "image/png"})

AddedHook = Callable[[Session, Any, Sequence[CleanUpload], Actor, datetime], None]


@dataclass(frozen=True)
class Attachable:
    """How attachments of one record type are scoped, sized and noted on the record."""

    record_type: str  # a core.registry.RecordType code
    model: type  # the record's table (its office: ``office_id`` or the model's ``__office_field__``)
    view: Action  # who may list and open the files (in the record's office)
    add: Action  # who may add files (in the record's office)
    max_kb_key: str  # policy-book key of the size cap in KB
    on_added: AddedHook | None = None  # e.g. a timeline event, in the same transaction


_ATTACHABLE: dict[str, Attachable] = {}


def attachable(record_type: str, *, model: type, view: Action, add: Action, max_kb_key: str,
               on_added: AddedHook | None = None) -> Attachable:
    spec = Attachable(record_type, model, view, add, max_kb_key, on_added)
    known = _ATTACHABLE.setdefault(record_type, spec)
    if known != spec:
        raise ValueError(f"record type {record_type!r} made attachable twice with different specs")
    return spec


def _spec(record_type: str) -> Attachable:
    spec = _ATTACHABLE.get(record_type)
    if spec is None:
        raise DomainError("该类记录不支持附件")
    return spec


@dataclass(frozen=True)
class AttachmentInfo:
    """One file as lists show it: never its bytes."""

    id: int
    filename: str
    mime: str
    size: int
    caption: str
    uploaded_at: datetime
    uploaded_by: int | None

    @property
    def is_image(self) -> bool:
        return self.mime in IMAGE_MIMES

    @property
    def size_text(self) -> str:
        return f"{max(1, self.size // 1024)} KB"


@dataclass(frozen=True)
class OpenedFile:
    filename: str
    mime: str
    data: bytes


# ----- size cap and content check (CPU work: before the write transaction) ----------------------------------


def upload_limit(*, record_type: str, now: datetime) -> tuple[int, str]:
    """The size cap in bytes for one file of this record type (policy book) and its citation (uploader help)."""
    key = _spec(record_type).max_kb_key
    with read_session() as s:
        policy = policy_in(s, at=now)
        return int(policy[key]) * 1024, policy.cite(key)


def check_files(files: Sequence[tuple[str, bytes]], *, record_type: str, now: datetime) -> list[CleanUpload]:
    """Validate by content (JPG/PNG/PDF) and size from the policy book; images are re-encoded (core.uploads).

    CPU work: call it before the write transaction opens.
    """
    limit, clause = upload_limit(record_type=record_type, now=now)
    cleaned = []
    for name, data in files:
        try:
            cleaned.append(clean_upload(data, name, max_bytes=limit))
        except DomainError as exc:
            raise DomainError(f"附件“{(name or '附件')[:60]}”：{exc.message}", clause=clause) from exc
    return cleaned


def upload_names(files: Sequence[CleanUpload]) -> str:
    """“现场.png（120 KB）、扫描件.pdf（80 KB）”: the note a record's timeline or audit row carries."""
    return "、".join(f"{f.filename}（{max(1, len(f.data) // 1024)} KB）" for f in files)


# ----- writing ---------------------------------------------------------------------------------------------


def store(s: Session, *, record_type: str, record: Any, files: Sequence[CleanUpload], actor: Actor, now: datetime,
          caption: str = "") -> list[int]:
    """Insert checked files for ``record`` in the caller's transaction (the caller loaded the record and checked
    its permission), with the record type's ``on_added`` note. Returns the new attachment ids."""
    spec = _spec(record_type)
    ids = []
    office = office_of(record)
    caption = (caption or "").strip()[:200]
    for f in files:
        row = Attachment(record_type=record_type, record_id=int(record.id), office_id=office, filename=f.filename[:200],
                         mime=f.mime, size=len(f.data), caption=caption, uploaded_at=now,
                         uploaded_by=actor.user_id if actor else None)
        s.add(row)
        s.flush()
        s.add(AttachmentBlob(attachment_id=row.id, data=f.data))
        ids.append(int(row.id))
    if files:
        s.flush()
        if spec.on_added is not None:  # the record's own event and audit row (a complaint's timeline)
            spec.on_added(s, record, files, actor, now)
        else:
            audit(s, actor=actor, action="attachment.add", entity=record_type, entity_id=record.id, office_id=office,
                  summary=f"上传附件 {upload_names(files)}"[:500], after={"attachment_ids": ids})
    return ids


def add(*, actor: Actor, record_type: str, record_id: int, files: Sequence[tuple[str, bytes]], now: datetime,
        request_id: str | None, caption: str = "") -> list[int]:
    """Files (name, content) added to one record by a form; the same ``request_id`` returns the ids already written."""
    spec = _spec(record_type)
    authorize(actor, spec.add)  # somewhere; the record's own office is checked in the transaction
    if not files:
        raise DomainError("请选择要上传的文件")
    cleaned = check_files(files, record_type=record_type, now=now)
    with write_session() as s:
        done = already_done(s, request_id, ENTITY)
        if done:
            return _batch(s, int(done))
        record = load_scoped(s, spec.model, record_id, actor=actor, action=spec.add, entity=record_type)
        ids = store(s, record_type=record_type, record=record, files=cleaned, actor=actor, now=now, caption=caption)
        remember(s, request_id, ENTITY, ids[0])
        return ids


def _batch(s: Session, first_id: int) -> list[int]:
    """The ids written with ``first_id`` by one earlier submission (same record, uploader and moment)."""
    first = s.get(Attachment, first_id)
    if first is None:
        return []
    return list(s.exec(select(Attachment.id).where(
        Attachment.record_type == first.record_type, Attachment.record_id == first.record_id,
        Attachment.uploaded_by == first.uploaded_by, Attachment.uploaded_at == first.uploaded_at,
        Attachment.id >= first_id).order_by(Attachment.id)).all())


# ----- reading ---------------------------------------------------------------------------------------------

_INFO_COLUMNS = (Attachment.id, Attachment.filename, Attachment.mime, Attachment.size, Attachment.caption,
                 Attachment.uploaded_at, Attachment.uploaded_by)


def listed(s: Session, record_type: str, record_id: int) -> list[AttachmentInfo]:
    """The files of one record, metadata only, inside the caller's session (the caller checked the record)."""
    rows = s.exec(select(*_INFO_COLUMNS).where(Attachment.record_type == record_type,
                                               Attachment.record_id == record_id).order_by(Attachment.id)).all()
    return [AttachmentInfo(*row) for row in rows]


def list_for(*, actor: Actor, record_type: str, record_id: int) -> list[AttachmentInfo]:
    """The files of one record (no bytes), after checking ``view`` in the record's office."""
    spec = _spec(record_type)
    authorize(actor, spec.view)
    with read_session() as s:
        load_scoped(s, spec.model, record_id, actor=actor, action=spec.view, entity=record_type, lock=False)
        return listed(s, record_type, record_id)


def open(*, actor: Actor, attachment_id: int) -> OpenedFile:  # read as attachments.open
    """One file's bytes, read when a user opens or downloads it, after checking ``view`` in the record's office."""
    with read_session() as s:
        row = s.get(Attachment, attachment_id)
        if row is None or row.record_type not in _ATTACHABLE:
            raise NotFound(MISSING)
        spec = _ATTACHABLE[row.record_type]
        load_scoped(s, spec.model, row.record_id, actor=actor, action=spec.view, entity=row.record_type, lock=False,
                    missing=MISSING)
        blob = s.get(AttachmentBlob, attachment_id)
        if blob is None:
            raise NotFound(MISSING)
        return OpenedFile(row.filename, row.mime, bytes(blob.data))

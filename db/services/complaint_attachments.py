"""Complaint attachments: photos and scans checked by content and size (policy book), stored in the database
so a backup holds them and every app process sees them.
"""

from __future__ import annotations

from datetime import datetime

from core import complaint_workflow as wf
from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.uploads import CleanUpload, clean_upload
from db.models import Complaint, ComplaintAttachment
from db.services.complaint_kernel import load, record, visible
from db.services.policy import policy_in
from db.session import read_session, write_session


def upload_limit(*, now: datetime) -> tuple[int, str]:
    """The attachment size cap in bytes (policy book) and its citation, for the uploader's help text."""
    with read_session() as s:
        policy = policy_in(s, at=now)
        return int(policy["complaint.attachment_max_kb"]) * 1024, policy.cite("complaint.attachment_max_kb")


def check_files(files: list[tuple[str, bytes]], *, now: datetime) -> list[CleanUpload]:
    """Validate by content (JPG/PNG/PDF) and size from the policy book; images are re-encoded (core.uploads).

    CPU work: call it before the write transaction opens.
    """
    limit, clause = upload_limit(now=now)
    cleaned = []
    for name, data in files:
        try:
            cleaned.append(clean_upload(data, name, max_bytes=limit))
        except DomainError as exc:
            raise DomainError(f"附件“{(name or '附件')[:60]}”：{exc.message}", clause=clause) from exc
    return cleaned


def store_attachments(s, c: Complaint, files: list[CleanUpload], *, actor: Actor, now: datetime) -> list[int]:
    """Insert checked files in the caller's transaction, with one timeline event."""
    ids = []
    for f in files:
        row = ComplaintAttachment(complaint_id=c.id, filename=f.filename[:200], mime=f.mime, size=len(f.data),
                                  data=f.data, uploaded_at=now, uploaded_by=actor.user_id)
        s.add(row)
        s.flush()
        ids.append(int(row.id))
    if files:
        names = "、".join(f"{f.filename}（{max(1, len(f.data) // 1024)} KB）" for f in files)
        record(s, c, actor=actor, action="attachment", now=now, note=f"上传附件 {names}"[:1000])
    return ids


def add_attachment(*, actor: Actor, complaint_id: int, filename: str, data: bytes, now: datetime) -> int:
    """One photo or scan on an existing complaint (stored in the database, so a backup holds it).

    The office scope is checked before the file (CPU work, outside the write transaction), and again in it.
    """
    with read_session() as s:
        wf.require(wf.Op.ATTACHMENT, wf.Situation.of(load(s, actor, complaint_id, Action.COMPLAINT_HANDLE, lock=False)))
    files = check_files([(filename, data)], now=now)
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        wf.require(wf.Op.ATTACHMENT, wf.Situation.of(c))
        return store_attachments(s, c, files, actor=actor, now=now)[0]


def attachment(*, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """An attachment's bytes, if the actor may view its complaint (another office's: an audited refusal)."""
    with read_session() as s:
        row = s.get(ComplaintAttachment, attachment_id)
        if row is None:
            raise NotFound("附件不存在或不在您的管理范围内")
        visible(s, actor, row.complaint_id)
        return row.filename, row.mime, bytes(row.data)

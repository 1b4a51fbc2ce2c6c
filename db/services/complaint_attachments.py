"""Complaint attachments: the complaint is the first user of the spine's attachments (db.services.attachments).

Photos and scans are checked by content and capped by the policy book (``complaint.attachment_max_kb``); each
upload is noted on the complaint's timeline. Forms call ``attachments.add(record_type=RECORD_TYPE, ...)``;
intake stores its files with ``attachments.store`` in the registration's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from core.permissions import Action, Actor
from core.uploads import CleanUpload
from db.models import Complaint
from db.services.attachments import attachable, upload_names
from db.services.complaint_kernel import ENTITY, record

RECORD_TYPE = ENTITY  # "complaint"


def _noted(s: Session, c: Complaint, files: Sequence[CleanUpload], actor: Actor, now: datetime) -> None:
    record(s, c, actor=actor, action="attachment", now=now, note=f"上传附件 {upload_names(files)}"[:1000])


attachable(RECORD_TYPE, model=Complaint, view=Action.COMPLAINT_VIEW, add=Action.COMPLAINT_HANDLE,
           max_kb_key="complaint.attachment_max_kb", on_added=_noted)

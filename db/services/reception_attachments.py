"""Reception attachments: a letter's scan and the copy of the written reply kept for the customer's file (来函第11条),
through the spine's attachments (db.services.attachments); each upload is noted on the contact's timeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from core.permissions import Action, Actor
from core.uploads import CleanUpload
from db.models import Contact
from db.services.attachments import attachable, upload_names
from db.services.reception_kernel import RECORD_TYPE, record_step


def _noted(s: Session, c: Contact, files: Sequence[CleanUpload], actor: Actor, now: datetime) -> None:
    record_step(s, c, actor=actor, action="attachment", now=now, note=f"上传附件 {upload_names(files)}"[:500])


attachable(RECORD_TYPE, model=Contact, view=Action.RECEPTION_VIEW, add=Action.RECEPTION_LOG,
           max_kb_key="reception.attachment_max_kb", on_added=_noted)

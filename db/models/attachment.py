"""Attachments of any record type (design.md §6): photos and scans stored in the database, so a backup holds
them and every app process sees the same files.

The metadata (``attachment``) and the bytes (``attachment_blob``) live in two tables: lists and record details
read only the first, and a file's bytes are read when somebody opens it. ``record_type`` is the stable code of
a ``core.registry.RecordType`` ("complaint", later "pass", "decoration" …); ``office_id`` is the record's office
when the file was added (the service checks the record's current office on every read).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_record", "record_type", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    record_type: str = Field(max_length=32)
    record_id: int
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    filename: str = Field(max_length=200)
    mime: str = Field(max_length=64)
    size: int
    caption: str = Field(default="", max_length=200)
    uploaded_at: datetime = Field(default_factory=utcnow)
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id")


class AttachmentBlob(SQLModel, table=True):
    """The file's bytes, one row per attachment, read only when the file is opened."""

    __tablename__ = "attachment_blob"

    attachment_id: int = Field(foreign_key="attachment.id", primary_key=True,
                               sa_column_kwargs={"autoincrement": False})
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))

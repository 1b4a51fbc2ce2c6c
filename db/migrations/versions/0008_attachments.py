"""attachments of any record type; complaint attachments copied over

One ``attachment`` table (metadata: record type and id, office, file name, type, size, caption, who and when)
and one ``attachment_blob`` table (the bytes, read only when a file is opened). Every row of
``complaint_attachment`` is copied with its id, bytes, uploader and time (record type ``complaint``, the
complaint's office), then that table is dropped; the downgrade copies them back.

Revision ID: 0008_attachments
Revises: 0007_timeline_duties (re-chained: timeline and attachments are independent)
Create Date: 2026-11-30 10:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op

revision: str = "0008_attachments"
down_revision: Union[str, Sequence[str], None] = "0007_timeline_duties"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mime", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("caption", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["org_unit.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_record", ["record_type", "record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_office_id"), ["office_id"], unique=False)
    op.create_table(
        "attachment_blob",
        sa.Column("attachment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"]),
        sa.PrimaryKeyConstraint("attachment_id"),
    )
    # The complaint attachments, ids kept (nothing links to them by id today, but a download link might).
    op.execute(
        "INSERT INTO attachment (id, record_type, record_id, office_id, filename, mime, size, caption, uploaded_at, "
        "uploaded_by) SELECT a.id, 'complaint', a.complaint_id, c.office_id, a.filename, a.mime, a.size, '', "
        "a.uploaded_at, a.uploaded_by FROM complaint_attachment a JOIN complaint c ON c.id = a.complaint_id")
    op.execute("INSERT INTO attachment_blob (attachment_id, data) SELECT id, data FROM complaint_attachment")
    _restart_ids("attachment")
    with op.batch_alter_table("complaint_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_attachment_complaint_id"))
    op.drop_table("complaint_attachment")


def _restart_ids(table: str) -> None:
    """PostgreSQL: rows inserted with their ids leave the serial behind; SQLite continues after the highest id."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                   f"FROM {table}")


def downgrade() -> None:
    """Back to complaint_attachment; files of other record types (none before this revision) are dropped."""
    op.create_table(
        "complaint_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mime", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("complaint_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_attachment_complaint_id"), ["complaint_id"], unique=False)
    op.execute(
        "INSERT INTO complaint_attachment (id, complaint_id, filename, mime, size, data, uploaded_at, uploaded_by) "
        "SELECT a.id, a.record_id, a.filename, a.mime, a.size, b.data, a.uploaded_at, a.uploaded_by "
        "FROM attachment a JOIN attachment_blob b ON b.attachment_id = a.id WHERE a.record_type = 'complaint'")
    _restart_ids("complaint_attachment")
    op.drop_table("attachment_blob")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_office_id"))
        batch_op.drop_index("ix_attachment_record")
    op.drop_table("attachment")

"""Issue 11 (helper C): the online complaint's result on the public thread (who, when, link); the complaint's
hand-off to the office's 投诉接口 (first received, due at the contact point, who held it: 责任划分 二.1)

Revision ID: 0011_i11_honest
Revises: 0010_job_runs
Create Date: 2026-11-30 14:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_i11_honest"
down_revision: Union[str, Sequence[str], None] = "0010_job_runs"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("first_received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("contact_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("contact_held_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("online_post") as batch:
        batch.add_column(sa.Column("result_posted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("result_posted_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("result_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                   server_default=""))
        batch.create_foreign_key("fk_online_post_result_posted_by", "app_user", ["result_posted_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("online_post") as batch:
        batch.drop_constraint("fk_online_post_result_posted_by", type_="foreignkey")
        batch.drop_column("result_url")
        batch.drop_column("result_posted_by")
        batch.drop_column("result_posted_at")
    # Plain DROP COLUMN (SQLite ≥ 3.35): recreating complaint would drop a table other tables' rows refer to.
    for name in ("contact_held_by", "contact_due_at", "first_received_at"):
        op.drop_column("complaint", name)

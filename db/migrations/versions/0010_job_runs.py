"""job_run: when each hourly sweep last ran to the end (the findings sweep looks only at deadlines since then)

Revision ID: 0010_job_runs
Revises: 0009_policy_revision
Create Date: 2026-11-30 13:45:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_job_runs"
down_revision: Union[str, Sequence[str], None] = "0009_policy_revision"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_ok_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("job_run")

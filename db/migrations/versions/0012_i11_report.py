"""issue 11 (reporting and classification): a department's leader in charge (分管领导), told of a 热点 complaint;
a notice's closed_at (its matter archived: it leaves "my work" without being acknowledged)

Revision ID: 0012_i11_report
Revises: 0011_i11_honest
Create Date: 2026-11-30 14:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_i11_report"
down_revision: Union[str, Sequence[str], None] = "0011_i11_honest"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("department") as batch:
        batch.add_column(sa.Column("leader_staff_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # notices of complaints archived before this revision leave "my work" as later ones do
    op.execute(sa.text(
        "UPDATE notice SET closed_at = (SELECT c.closed_at FROM complaint c WHERE CAST(c.id AS VARCHAR(64)) = notice.entity_id) "
        "WHERE notice.entity = 'complaint' AND notice.acked_at IS NULL AND EXISTS (SELECT 1 FROM complaint c "
        "WHERE CAST(c.id AS VARCHAR(64)) = notice.entity_id AND c.state = 'closed' AND c.closed_at IS NOT NULL)"))


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("closed_at")
    with op.batch_alter_table("department") as batch:
        batch.drop_column("leader_staff_id")

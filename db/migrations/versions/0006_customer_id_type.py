"""customer.id_type: the kind of identity document (core.identity.ID_TYPES), checked by core.identity

Existing rows: 18 characters → 居民身份证 (港澳台居民居住证 under 810000/820000/830000), anything else that is not
empty → 其他证件, so no stored number is judged against a format it was never meant to have.

Revision ID: 0006_customer_id_type
Revises: 0005_policy_revision
Create Date: 2026-11-30 10:55:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_customer_id_type"
down_revision: Union[str, Sequence[str], None] = "0005_policy_revision"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_type", sa.String(length=24), server_default="resident_id", nullable=False))
    op.execute("UPDATE customer SET id_type = 'other' WHERE id_number <> '' AND length(id_number) <> 18")
    op.execute("UPDATE customer SET id_type = 'hkmt_residence' WHERE length(id_number) = 18 "
               "AND (id_number LIKE '810000%' OR id_number LIKE '820000%' OR id_number LIKE '830000%')")


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("id_type")

"""policy_revision: a counter bumped by triggers on policy_change / policy_holiday (issue 9 §5); customer.id_type

The policy cache was keyed by a fingerprint of both tables' whole contents, aggregated in the database on every
lookup: a read that grows with the tables. Now one primary-key row is read: (instance, revision). Triggers bump
``revision`` on every insert, update and delete of either table, whichever process writes (and plain SQL too);
``instance`` is random, written when the row is created (here, or by the trigger's upsert after the table was
emptied), so a database rebuilt under the same URL starts a new key.

PostgreSQL: one statement-level trigger function, also on TRUNCATE. SQLite: row-level triggers (it has no
others), each an upsert.

customer.id_type (issue 10 §1): the kind of identity document (core.identity.ID_TYPES). Existing rows: 18
characters → 居民身份证 (港澳台居民居住证 under 810000/820000/830000), anything else not empty → 其他证件, so no
stored number is judged against a format it was never meant to have.

Revision ID: 0009_policy_revision
Revises: 0008_attachments
Create Date: 2026-11-30 10:40:00

"""
import secrets
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009_policy_revision"
down_revision: Union[str, Sequence[str], None] = "0008_attachments"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("policy_change", "policy_holiday")
EVENTS = {"INSERT": "ai", "UPDATE": "au", "DELETE": "ad"}

SQLITE_BUMP = ("INSERT INTO policy_revision (id, instance, revision) VALUES (1, lower(hex(randomblob(16))), 1) "
               "ON CONFLICT (id) DO UPDATE SET revision = policy_revision.revision + 1")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION policy_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO policy_revision (id, instance, revision)
    VALUES (1, md5(random()::text || clock_timestamp()::text), 1)
    ON CONFLICT (id) DO UPDATE SET revision = policy_revision.revision + 1;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "policy_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(sa.text("INSERT INTO policy_revision (id, instance, revision) VALUES (1, :i, 0)")
               .bindparams(i=secrets.token_hex(16)))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION policy_revision_bump()")
    else:
        for table in TABLES:
            for event, tag in EVENTS.items():
                op.execute(f"CREATE TRIGGER {table}_{tag}_revision AFTER {event} ON {table} "
                           f"BEGIN {SQLITE_BUMP}; END")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_type", sa.String(length=24), server_default="resident_id", nullable=False))
    op.execute("UPDATE customer SET id_type = 'other' WHERE id_number <> '' AND length(id_number) <> 18")
    op.execute("UPDATE customer SET id_type = 'hkmt_residence' WHERE length(id_number) = 18 "
               "AND (id_number LIKE '810000%' OR id_number LIKE '820000%' OR id_number LIKE '830000%')")


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("id_type")
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_revision ON {table}")
        op.execute("DROP FUNCTION IF EXISTS policy_revision_bump()")
    else:
        for table in TABLES:
            for tag in EVENTS.values():
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{tag}_revision")
    op.drop_table("policy_revision")

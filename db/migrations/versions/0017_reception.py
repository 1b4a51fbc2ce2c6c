"""issue 12 (reception desk): the contact register of calls, visits, letters and online messages, with the indexes
of its lists (the daily view, routed-to-me, overdue replies and callbacks); the grooming rules move from the
reception group to the discipline group (劳动纪律), with their stored overrides.

Revision ID: 0017_reception
Revises: 0016_visitor_incidents
Create Date: 2026-11-30 17:03:13.514101

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op

MOVED = {"reception.nail_max_mm": "discipline.nail_max_mm", "reception.hair_max_cm": "discipline.hair_max_cm"}
policy_change = sa.table("policy_change", sa.column("key", sa.String))


def _move(pairs: dict[str, str]) -> None:
    for old, new in pairs.items():
        op.execute(policy_change.update().where(policy_change.c.key == old).values(key=new))


revision: str = '0017_reception'
down_revision: Union[str, Sequence[str], None] = '0016_visitor_incidents'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('property_id', sa.Integer(), nullable=True),
    sa.Column('caller_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('caller_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('receiver_staff_id', sa.Integer(), nullable=True),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.Column('rings', sa.Integer(), nullable=True),
    sa.Column('late_pickup', sa.Boolean(), nullable=False),
    sa.Column('routed_department_id', sa.Integer(), nullable=True),
    sa.Column('routed_user_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), server_default='', nullable=False),
    sa.Column('callback_needed', sa.Boolean(), nullable=False),
    sa.Column('callback_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('callback_done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reply_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('replied_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reply_method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reply_copy_kept', sa.Boolean(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], ),
    sa.ForeignKeyConstraint(['received_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['receiver_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['routed_department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['routed_user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_callback_open', ['office_id', 'callback_due_at'], unique=False,
                              sqlite_where=sa.text("callback_done_at IS NULL"),
                              postgresql_where=sa.text("callback_done_at IS NULL"))
        batch_op.create_index('ix_contact_clerk_state', ['received_by', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_contact_office_received', ['office_id', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_contact_state_office', ['state', 'office_id', 'received_at'], unique=False)
        batch_op.create_index('ix_contact_received_id', ['received_at', 'id'], unique=False)
        batch_op.create_index('ix_contact_reply_open', ['office_id', 'reply_due_at'], unique=False,
                              sqlite_where=sa.text("replied_at IS NULL"), postgresql_where=sa.text("replied_at IS NULL"))
        batch_op.create_index('ix_contact_routed_dept_state', ['routed_department_id', 'state'], unique=False)
        batch_op.create_index('ix_contact_routed_user_state', ['routed_user_id', 'state'], unique=False)
    _move(MOVED)


def downgrade() -> None:
    _move({new: old for old, new in MOVED.items()})
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_routed_user_state')
        batch_op.drop_index('ix_contact_routed_dept_state')
        batch_op.drop_index('ix_contact_reply_open')
        batch_op.drop_index('ix_contact_received_id')
        batch_op.drop_index('ix_contact_state_office')
        batch_op.drop_index('ix_contact_office_received')
        batch_op.drop_index(batch_op.f('ix_contact_customer_id'))
        batch_op.drop_index('ix_contact_clerk_state')
        batch_op.drop_index('ix_contact_callback_open')

    op.drop_table('contact')

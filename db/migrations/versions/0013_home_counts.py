"""Indexes for the home page's counts and the 回访率 (measured at 300,000 complaints, scripts/bench.py)

- complaint (state, due_at, handled_at, office_id) replaces (state, due_at): 已超期 also reads handled_at (issue 11
  item 23), which sent every overdue row back to the table (27 ms per home page for a headquarters user).
- complaint (state, callback_due_at, office_id): 回访超期.
- complaint (handler_user_id | created_by, state, office_id): 我的投诉 of a clerk with thousands of complaints.
- duty (duty, due_at, state, met_at, office_id): one kind of duty company-wide (通报/快报/专题报告 in my work, 33 ms;
  the month's 回访率 on 投诉回访).

Revision ID: 0013_home_counts
Revises: 0012_i11_report
Create Date: 2026-11-30 14:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

OPEN_ONLY = "state = 'open'"

revision: str = "0013_home_counts"
down_revision: Union[str, Sequence[str], None] = "0012_i11_report"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_state_due")
        batch_op.create_index("ix_complaint_state_due_handled", ["state", "due_at", "handled_at", "office_id"],
                              unique=False)
        batch_op.create_index("ix_complaint_state_callback_due", ["state", "callback_due_at", "office_id"],
                              unique=False)
        # they replace the one-column indexes: with the states as parameters SQLite's planner preferred those
        batch_op.drop_index("ix_complaint_handler_user_id")
        batch_op.drop_index("ix_complaint_created_by")
        batch_op.create_index("ix_complaint_handler_state", ["handler_user_id", "state", "office_id"], unique=False)
        batch_op.create_index("ix_complaint_creator_state", ["created_by", "state", "office_id"], unique=False)
    with op.batch_alter_table("duty", schema=None) as batch_op:
        batch_op.create_index("ix_duty_kind_due", ["duty", "due_at", "state", "met_at", "office_id"], unique=False)
        # the open ones of a kind: the planner would otherwise take the open-duty unique index by record type
        batch_op.create_index("ix_duty_open_kind_due", ["duty", "due_at", "office_id"], unique=False,
                              sqlite_where=sa.text(OPEN_ONLY), postgresql_where=sa.text(OPEN_ONLY))


def downgrade() -> None:
    with op.batch_alter_table("duty", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_open_kind_due")
        batch_op.drop_index("ix_duty_kind_due")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_creator_state")
        batch_op.drop_index("ix_complaint_handler_state")
        batch_op.create_index("ix_complaint_created_by", ["created_by"], unique=False)
        batch_op.create_index("ix_complaint_handler_user_id", ["handler_user_id"], unique=False)
        batch_op.drop_index("ix_complaint_state_callback_due")
        batch_op.drop_index("ix_complaint_state_due_handled")
        batch_op.create_index("ix_complaint_state_due", ["state", "due_at"], unique=False)

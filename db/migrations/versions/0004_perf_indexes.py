"""performance indexes measured by scripts/bench.py at company scale (issue 5)

At 300,000 complaints and 500,000 audit rows (SQLite, planner statistics present) these took:
- complaint list for a headquarters user (ORDER BY received_at DESC, id DESC): 2.4 s -> 4 ms
- 已超期 / 即将超期 queues (state IN open AND due_at < now): 0.8-1.2 s -> 5 ms
- 我的投诉 (handler_user_id = me OR created_by = me): 0.2 s -> 1 ms (both sides indexed: MULTI-INDEX OR)
- 通报未确认 (report due, not yet reported): 0.4 s -> 1 ms (partial index, tiny)
- audit page count over 30 days with an action prefix: counted from the index alone
- a 管理处's customers by name (list, search): 23-41 ms -> 9-12 ms; its 房屋 by label: 8 ms -> 4 ms

Revision ID: 0003_perf_indexes (the file is 0004_…: file names are unique and ordered; the id stays the one
existing databases carry in alembic_version)
Revises: 0003_complaint_reports
Create Date: 2026-11-27 13:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_perf_indexes"
down_revision: Union[str, Sequence[str], None] = "0003_complaint_reports"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

REPORT_OPEN = "report_due_at IS NOT NULL AND reported_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_received_id", ["received_at", "id"], unique=False)
        batch_op.create_index("ix_complaint_state_due", ["state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_created_by"), ["created_by"], unique=False)
        batch_op.create_index("ix_complaint_report_open", ["received_at", "id"], unique=False,
                              sqlite_where=sa.text(REPORT_OPEN), postgresql_where=sa.text(REPORT_OPEN))
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at_action", ["at", "action"], unique=False)
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_office_name", ["office_id", "name"], unique=False)
    with op.batch_alter_table("property", schema=None) as batch_op:
        batch_op.create_index("ix_property_office_label", ["office_id", "label"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("property", schema=None) as batch_op:
        batch_op.drop_index("ix_property_office_label")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_office_name")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_at_action")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_report_open")
        batch_op.drop_index(batch_op.f("ix_complaint_created_by"))
        batch_op.drop_index("ix_complaint_state_due")
        batch_op.drop_index("ix_complaint_received_id")

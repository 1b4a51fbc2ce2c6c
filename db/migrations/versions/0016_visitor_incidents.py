"""office-visitor incidents (来访接待流程); visitor.b_group_major retired

- ``visitor_incident``: one row per unannounced office visit, graded by the policy book's ``visitor.classes``; indexes
  for its list (office / date range, newest first; state; class) and the daily view.
- ``visitor.b_group_major`` (群访按重大集体投诉处理的人数) duplicated the complaint module's
  ``complaint.major_collective``: the complaint rules decide 热点/重大 of a collective visit. Its stored overrides are
  removed from ``policy_change`` (nothing reads the key any more); each removed value is kept in the audit trail. The
  downgrade does not bring them back (the shipped default applies again).

Revision ID: 0016_visitor_incidents
Revises: 0015_complaint_cases
Create Date: 2026-11-30 17:30:00

"""
import json
from datetime import UTC, datetime
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0016_visitor_incidents"
down_revision: Union[str, Sequence[str], None] = "0015_complaint_cases"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RETIRED = "visitor.b_group_major"
policy_change = sa.table("policy_change", sa.column("id", sa.Integer), sa.column("key", sa.String),
                         sa.column("value_json", sa.Text), sa.column("effective_from", sqlmodel.sql.sqltypes.UTCDateTime))
audit_log = sa.table("audit_log", sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime), sa.column("actor_name", sa.String),
                     sa.column("action", sa.String), sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                     sa.column("summary", sa.String), sa.column("before_json", sa.Text), sa.column("source", sa.String))


def upgrade() -> None:
    dt = sqlmodel.sql.sqltypes.UTCDateTime
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "visitor_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", text(length=20), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("visit_class", text(length=32), nullable=False),
        sa.Column("state", text(length=16), nullable=False),
        sa.Column("arrived_at", dt(), nullable=False),
        sa.Column("visitor_name", text(length=64), nullable=False),
        sa.Column("visitor_phone", text(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("property_id", sa.Integer(), nullable=True),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("representatives", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.Column("received_at", dt(), nullable=True),
        sa.Column("supervisor_told_at", dt(), nullable=True),
        sa.Column("director_told_at", dt(), nullable=True),
        sa.Column("escalation_note", text(length=500), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("resolved_at", dt(), nullable=True),
        sa.Column("follow_up_needed", sa.Boolean(), nullable=False),
        sa.Column("follow_up_plan", text(length=500), nullable=False),
        sa.Column("follow_up_result", text(length=500), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("reported_at", dt(), nullable=True),
        sa.Column("closed_at", dt(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", dt(), nullable=False),
        sa.Column("updated_at", dt(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["org_unit.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"]),
        sa.ForeignKeyConstraint(["received_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("visitor_incident", schema=None) as batch_op:
        batch_op.create_index("ix_visitor_incident_office_arrived", ["office_id", "arrived_at", "id"], unique=False)
        batch_op.create_index("ix_visitor_incident_arrived", ["arrived_at", "id"], unique=False)
        batch_op.create_index("ix_visitor_incident_state_office", ["state", "office_id", "arrived_at"], unique=False)
        batch_op.create_index("ix_visitor_incident_class_arrived", ["visit_class", "arrived_at", "id"], unique=False)
    _retire_group_major()


def _retire_group_major() -> None:
    """The retired key's overrides leave the policy book; the audit trail keeps what they said."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(policy_change.c.id, policy_change.c.value_json, policy_change.c.effective_from)
                        .where(policy_change.c.key == RETIRED).order_by(policy_change.c.id)).all()
    now = datetime.now(UTC)
    for version, value, effective in rows:
        op.execute(audit_log.insert().values(
            at=now, actor_name="系统", action="policy.retired", entity="policy", entity_id=RETIRED,
            summary=(f"制度参数“群访按重大集体投诉处理的人数”（{RETIRED}）已取消：集体来访由投诉处理的"
                     f"“重大投诉：集体投诉人数”判定；删除其版本 {version} 的设定值 {value}")[:500],
            before_json=json.dumps({"version": version, "value": json.loads(value),
                                    "effective_from": str(effective)}, ensure_ascii=False),
            source="migration 0014"))
    if rows:
        op.execute(policy_change.delete().where(policy_change.c.key == RETIRED))


def downgrade() -> None:
    with op.batch_alter_table("visitor_incident", schema=None) as batch_op:
        batch_op.drop_index("ix_visitor_incident_class_arrived")
        batch_op.drop_index("ix_visitor_incident_state_office")
        batch_op.drop_index("ix_visitor_incident_arrived")
        batch_op.drop_index("ix_visitor_incident_office_arrived")
    op.drop_table("visitor_incident")

"""cases.service_due_at: the deadline of a case-level time standard (an SOP's SpanDef)

Revision ID: 0006_case_deadline
Revises: 0004_units

Null for every case recorded before it (no SOP declared a span then) and whenever no span runs.
"""
from alembic import op
import sqlalchemy as sa
import core.models

revision = "0006_case_deadline"
down_revision = "0004_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_due_at", core.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("service_due_at")

"""step runs: every step's opening and closing, for the supervisors' dashboard (issue 13)

Revision ID: 0013_step_runs
Revises: 0012_accounts
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0013_step_runs"
down_revision = "0012_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("sop", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("started_at", core.models.UTCDateTime(), nullable=False),
        sa.Column("due_at", core.models.UTCDateTime(), nullable=True),
        sa.Column("closed_at", core.models.UTCDateTime(), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("closing_action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "step", "round"),
    )
    op.create_index("ix_step_runs_case_id", "step_runs", ["case_id"])
    op.create_index("ix_step_runs_agency_sop_closed", "step_runs", ["agency", "sop", "closed_at"])
    # The steps open now, from the open tasks (one row per step: a step given to several people has a
    # task row each, the first is kept). Their round is unknown here: 1; the first projection write
    # that sees the step open adopts the row by its opening time (activities.records).
    op.execute("""
        INSERT INTO step_runs (case_id, sop, agency, unit, step, round, role, assignee_id, started_at, due_at,
                               closed_at, overdue, closing_action)
        SELECT t.case_id, c.sop, t.agency, c.unit, t.step, 1, t.role, t.assignee_id, t.started_at, t.due_at,
               NULL, t.overdue, NULL
        FROM tasks t JOIN cases c ON c.id = t.case_id
        WHERE t.id IN (SELECT MIN(id) FROM tasks GROUP BY case_id, step)
    """)


def downgrade() -> None:
    op.drop_index("ix_step_runs_agency_sop_closed", table_name="step_runs")
    op.drop_index("ix_step_runs_case_id", table_name="step_runs")
    op.drop_table("step_runs")

"""task ownership: delegations while someone is away (issue 13)

Revision ID: 0014_task_owners
Revises: 0013_step_runs
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0014_task_owners"
down_revision = "0013_step_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["delegate_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["delegator_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_delegations_agency"), "delegations", ["agency"], unique=False)
    op.create_index(op.f("ix_delegations_delegator_id"), "delegations", ["delegator_id"], unique=False)
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("delegated_from_name", sqlmodel.sql.sqltypes.AutoString(length=200),
                                   nullable=True))
        batch.create_index(batch.f("ix_tasks_claimed_by_id"), ["claimed_by_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index(batch.f("ix_tasks_claimed_by_id"))
        batch.drop_column("delegated_from_name")
        batch.drop_column("claimed_by_name")
        batch.drop_column("claimed_by_id")
    op.drop_index(op.f("ix_delegations_delegator_id"), table_name="delegations")
    op.drop_index(op.f("ix_delegations_agency"), table_name="delegations")
    op.drop_table("delegations")

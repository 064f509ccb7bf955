"""the agenda of letters received: one gap-free number per agency and year (coaching's register step)

Revision ID: 0011_agenda
Revises: 0010_applicant_without_account
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0011_agenda"
down_revision = "0010_applicant_without_account"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agenda_counters",
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "year"),
    )
    op.create_table(
        "agenda_entries",
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("registered_at", core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
        sa.UniqueConstraint("agency", "year", "number"),
    )


def downgrade() -> None:
    op.drop_table("agenda_entries")
    op.drop_table("agenda_counters")

"""the JATHIL MART double-entry ledger

Revision ID: 0007_ledger
Revises: 0004_units
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0007_ledger"
down_revision = "0004_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", core.models.UTCDateTime(), nullable=False),
        sa.CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)", name="one_side_positive"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_account"), ["account"], unique=False)


def downgrade() -> None:
    op.drop_table("ledger_entries")

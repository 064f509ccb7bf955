"""revocable sessions: users.active and users.session_version

Revision ID: 0009_sessions
Revises: 0007_ledger
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_sessions"
down_revision = "0007_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
        batch_op.drop_column("active")

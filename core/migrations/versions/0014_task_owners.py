"""task ownership: delegations while someone is away (issue 13)

Revision ID: 0014_task_owners
Revises: 0013_step_runs
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
import core.models  # noqa: F401

revision = "0014_task_owners"
down_revision = "0013_step_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

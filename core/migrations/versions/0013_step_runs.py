"""step runs: every step's opening and closing, for the supervisors' dashboard (issue 13)

Revision ID: 0013_step_runs
Revises: 0012_accounts
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
import core.models  # noqa: F401

revision = "0013_step_runs"
down_revision = "0012_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

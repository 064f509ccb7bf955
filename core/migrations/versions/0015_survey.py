"""satisfaction survey answers (issue 13)

Revision ID: 0015_survey
Revises: 0014_task_owners
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
import core.models  # noqa: F401

revision = "0015_survey"
down_revision = "0014_task_owners"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

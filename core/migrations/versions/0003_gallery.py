"""gallery, documents and referrals tables (issue 4)

Revision ID: 0003_gallery
Revises: 0002_eorder
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0003_gallery"
down_revision = "0002_eorder"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

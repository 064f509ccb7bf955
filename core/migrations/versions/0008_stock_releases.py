"""jathil-order: stock reservations given back once

Revision ID: 0008_stock_releases
Revises: 0005_jathil_products
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0008_stock_releases"
down_revision = "0005_jathil_products"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jathil_stock_releases",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("at", core.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("jathil_stock_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jathil_stock_releases_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("jathil_stock_releases")

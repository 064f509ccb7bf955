"""JATHIL MART products of approved sellers (seed 000: an approved business sells in JATHIL MART)

Revision ID: 0005_jathil_products
Revises: 0004_units

Sellers are not a table: a seller is an account whose jathil-vendor case completed (cases). The checks
keep stock from going negative whatever writes it (orders reserve with a conditional UPDATE).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.models

revision = "0005_jathil_products"
down_revision = "0004_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jathil_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("photo_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("photo_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("created_at", core.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.models.UTCDateTime(), nullable=False),
        sa.CheckConstraint("stock >= 0", name="ck_jathil_products_stock"),
        sa.CheckConstraint("price > 0", name="ck_jathil_products_price"),
        sa.ForeignKeyConstraint(["seller_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("jathil_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jathil_products_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jathil_products_category"), ["category"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jathil_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jathil_products_category"))
        batch_op.drop_index(batch_op.f("ix_jathil_products_seller_id"))
    op.drop_table("jathil_products")

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
    # Referrals need no table of their own: a linked case is a case with cases.parent_id set.
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("uploaded_at", core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_uploaded_by"), ["uploaded_by"], unique=False)

    op.create_table(
        "gallery_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("barcode_type", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("product_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("business_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("displayed_at", core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency", "sku"),
        sa.UniqueConstraint("case_id"),
    )
    with op.batch_alter_table("gallery_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gallery_products_agency"), ["agency"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_products_category"), ["category"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gallery_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_products_category"))
        batch_op.drop_index(batch_op.f("ix_gallery_products_agency"))
    op.drop_table("gallery_products")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_uploaded_by"))
        batch_op.drop_index(batch_op.f("ix_documents_case_id"))
    op.drop_table("documents")

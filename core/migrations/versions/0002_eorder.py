"""e-order tables (issue 3)

Revision ID: 0002_eorder
Revises: 533b9fddf148
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0002_eorder"
down_revision = "533b9fddf148"
branch_labels = None
depends_on = None

# The seed's own SKPD Pembina; more with `alur skpd add CODE NAME --agency dki`.
SEED_SKPD = [{"code": "141732", "name": "Badan Pelayanan Pengadaan Barang/Jasa", "agency": "dki"}]


def upgrade() -> None:
    skpd = op.create_table('eorder_skpd',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('agency', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('eorder_skpd', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eorder_skpd_agency'), ['agency'], unique=False)
    op.bulk_insert(skpd, SEED_SKPD)


def downgrade() -> None:
    with op.batch_alter_table('eorder_skpd', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eorder_skpd_agency'))
    op.drop_table('eorder_skpd')

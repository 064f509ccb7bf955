"""units inside an agency: users.unit and cases.unit (e-order: the SKPD Pembina)

Revision ID: 0004_units
Revises: 0003_gallery

A registration waits for its own SKPD Pembina: the Satpel and PJLP of one SKPD see only its cases.
Existing Satpel and PJLP users of DKI move to the seed's SKPD 141732; existing e-order cases take the
unit from their data (a product: its supplier's registration), so they stay visible to that SKPD.
Plain SQL and Python only: the same on SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0004_units"
down_revision = "0003_gallery"
branch_labels = None
depends_on = None

SEED_SKPD = "141732"  # Badan Pelayanan Pengadaan Barang/Jasa (0002_eorder)
SKPD_ROLES = ("satpel", "pjlp")

users = sa.table("users", sa.column("id", sa.Integer), sa.column("role", sa.String), sa.column("agency", sa.String),
                 sa.column("unit", sa.String))
cases = sa.table("cases", sa.column("id", sa.String), sa.column("sop", sa.String), sa.column("data", sa.JSON),
                 sa.column("unit", sa.String))


def upgrade() -> None:
    for table in ("users", "cases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_unit"), ["unit"], unique=False)

    bind = op.get_bind()
    bind.execute(users.update().where(users.c.role.in_(SKPD_ROLES), users.c.agency == "dki", users.c.unit.is_(None))
                 .values(unit=SEED_SKPD))
    rows = bind.execute(sa.select(cases.c.id, cases.c.sop, cases.c.data)
                        .where(cases.c.sop.in_(("eorder-vendor", "eorder-product")))).all()
    registrations = {id_: (data or {}).get("skpd") for id_, sop, data in rows if sop == "eorder-vendor"}
    for id_, sop, data in rows:
        data = data or {}
        unit = data.get("skpd") or (registrations.get(data.get("vendor_case")) if sop == "eorder-product" else None)
        if unit:
            bind.execute(cases.update().where(cases.c.id == id_).values(unit=str(unit)))


def downgrade() -> None:
    for table in ("cases", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_unit"))
            batch_op.drop_column("unit")

"""satisfaction survey answers (issue 13)

Revision ID: 0015_survey
Revises: 0014_task_owners
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0015_survey"
down_revision = "0014_task_owners"
branch_labels = None
depends_on = None

ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")


def upgrade() -> None:
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sop", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        *(sa.Column(key, sa.Integer(), nullable=False) for key in ELEMENTS),
        sa.Column("suggestion", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        *(sa.CheckConstraint(f"{key} BETWEEN 1 AND 4", name=f"{key}_scale") for key in ELEMENTS),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_key"),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_answers_sop"), ["sop"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_answers_agency"), ["agency"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_answers_period"), ["period"], unique=False)


def downgrade() -> None:
    op.drop_table("survey_answers")

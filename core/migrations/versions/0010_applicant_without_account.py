"""cases.applicant_id nullable: an applicant without an account (offline intake, a public form)

Revision ID: 0010_applicant_without_account
Revises: 0006_case_deadline

Every case recorded before it has an account behind it; nothing is rewritten.
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_applicant_without_account"
down_revision = "0006_case_deadline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("applicant_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Fails while a case of an applicant without an account exists: such cases have no account to point to.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("applicant_id", existing_type=sa.Integer(), nullable=False)

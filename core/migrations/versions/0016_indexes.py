"""indexes for the inbox and list queries (issue 11)

A staff member's case list reads the agency's cases newest first: (agency, updated_at) gives the first
page without sorting the whole agency. An inbox reads the open steps of a role in an agency:
(agency, role, due_at) instead of every agency's steps of that role. Plans in docs/benchmarks.md.

Revision ID: 0016_indexes
Revises: 0015_survey
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
import core.models  # noqa: F401

revision = "0016_indexes"
down_revision = "0015_survey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_agency_updated_at", "cases", ["agency", "updated_at"])
    op.create_index("ix_tasks_agency_role_due_at", "tasks", ["agency", "role", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_tasks_agency_role_due_at", table_name="tasks")
    op.drop_index("ix_cases_agency_updated_at", table_name="cases")

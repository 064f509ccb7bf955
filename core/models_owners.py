"""Task ownership kept in the database: delegations while someone is away (issue 13).

Claims and reassignments live in the case's workflow (its history); a delegation is a standing rule the
API applies whenever a task becomes someone's by name (an assigning decision, a reassignment): between
`starts_on` and `ends_on` (inclusive, in the agency's calendar), the delegator's new tasks go to the
delegate, who holds the same role in the same agency.
"""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from core.models import at_field


class Delegation(SQLModel, table=True):
    __tablename__ = "delegations"
    id: int | None = Field(default=None, primary_key=True)
    agency: str = Field(index=True, max_length=30)
    role: str = Field(max_length=30)
    delegator_id: int = Field(index=True, foreign_key="users.id")
    delegate_id: int = Field(foreign_key="users.id")
    starts_on: date
    ends_on: date
    reason: str = Field(default="", max_length=300)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = at_field()

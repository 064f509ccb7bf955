"""Task ownership kept in the database: delegations while someone is away (issue 13).

Claims and reassignments live in the case's workflow (its history); a delegation is a standing rule the
API applies whenever a task becomes someone's by name (an assigning decision, a reassignment): between
`starts_on` and `ends_on` (inclusive, in the agency's calendar), the delegator's new tasks go to the
delegate, who holds the same role in the same agency.
"""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Field, Session, SQLModel, col, select

from core.models import User, at_field
from core.roles import agency_timezone


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


def agency_today(agency: str | None) -> date:
    return datetime.now(timezone.utc).astimezone(ZoneInfo(agency_timezone(agency))).date()


def delegate_of(session: Session, staff: User, on: date | None = None) -> User | None:
    """The colleague who takes `staff`'s new tasks today (or `on`), when a delegation says so: still of the
    same agency and role, and active. One hop: a delegate who is away too keeps it."""
    on = on or agency_today(staff.agency)
    found = session.exec(select(Delegation).where(
        Delegation.delegator_id == staff.id, col(Delegation.starts_on) <= on, col(Delegation.ends_on) >= on,
    ).order_by(col(Delegation.id).desc())).first()
    if found is None:
        return None
    delegate = session.get(User, found.delegate_id)
    if delegate is None or not delegate.active or delegate.role != staff.role or delegate.agency != staff.agency:
        return None
    return delegate


def delegated(session: Session, staff: User) -> tuple[User, User | None]:
    """Who actually gets a task named for `staff`, and whom it was delegated from (None: no delegation)."""
    delegate = delegate_of(session, staff)
    return (delegate, staff) if delegate is not None else (staff, None)

"""Database tables: users, the case projection (cases, open tasks, append-only events), sent notifications."""

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC (SQLite has no zones), always read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware values")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=timezone.utc) if value is not None else None


def at_field(nullable: bool = False, index: bool = False) -> Any:
    column = Column(UTCDateTime(), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


def json_field() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    role: str = Field(index=True, max_length=30)
    agency: str | None = Field(default=None, index=True, max_length=30)
    # The unit inside the agency that a staff member belongs to (e-order: the Satpel's or PJLP's SKPD);
    # staff with a unit see only the cases of that unit (api.service.can_see). None: the whole agency.
    unit: str | None = Field(default=None, index=True, max_length=30)
    password_hash: str
    verified: bool = False
    active: bool = True  # a deactivated account cannot log in, and its sessions end at once
    session_version: int = 0  # in every access token; bumped on logout, new password, deactivation
    created_at: datetime = at_field()


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # A staff list: the agency's cases, most recently changed first (api.queries.case_list; 0016_indexes).
    __table_args__ = (Index("ix_cases_agency_updated_at", "agency", "updated_at"),)
    id: str = Field(primary_key=True, max_length=60)
    sop: str = Field(index=True, max_length=40)
    agency: str = Field(index=True, max_length=30)
    tracking_code: str = Field(unique=True, index=True, max_length=20)
    # None: an applicant without an account (registered by staff from an offline channel, or a public
    # form); their name is applicant_name, and only the agency's staff and the tracking code reach the case.
    applicant_id: int | None = Field(default=None, index=True, foreign_key="users.id")
    applicant_name: str = Field(max_length=200)
    title: str = Field(default="", max_length=300)
    status: str = Field(index=True, max_length=20)
    stage: str = Field(max_length=80)
    data: dict = json_field()
    overdue: bool = Field(default=False, index=True)
    parent_id: str | None = Field(default=None, index=True, max_length=60)
    # The unit inside the agency that handles the case (e-order: the SKPD Pembina), set from its data at
    # start (SopWorkflow.unit_from). None: the whole agency's staff see it.
    unit: str | None = Field(default=None, index=True, max_length=30)
    version: int = 0
    created_at: datetime = at_field()
    updated_at: datetime = at_field()
    closed_at: datetime | None = at_field(nullable=True)
    # The deadline of the case-level time standard (an SOP's SpanDef) while it runs; None otherwise.
    service_due_at: datetime | None = at_field(nullable=True)


class Task(SQLModel, table=True):
    """An open step of a case: what inboxes read."""

    __tablename__ = "tasks"
    # An inbox: the role's open steps in the agency, by deadline (api.queries.inbox; 0016_indexes).
    __table_args__ = (Index("ix_tasks_agency_role_due_at", "agency", "role", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(index=True, foreign_key="cases.id", max_length=60)
    agency: str = Field(index=True, max_length=30)
    step: str = Field(max_length=40)
    title: str = Field(max_length=200)
    role: str = Field(index=True, max_length=30)
    assignee_id: int | None = Field(default=None, index=True)
    queue: str | None = Field(default=None, max_length=30)
    actions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    started_at: datetime = at_field()
    due_at: datetime | None = at_field(nullable=True, index=True)
    overdue: bool = False
    # A role task a colleague took (the `claim` update): others still see it, only they decide it.
    claimed_by_id: int | None = Field(default=None, index=True)
    claimed_by_name: str | None = Field(default=None, max_length=200)
    # The person named for it is away: it came to its assignee by their delegation.
    delegated_from_name: str | None = Field(default=None, max_length=200)


class CaseEvent(SQLModel, table=True):
    """Append-only history of a case; seq makes a retried projection write idempotent."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(index=True, foreign_key="cases.id", max_length=60)
    seq: int
    at: datetime = at_field()
    step: str = Field(max_length=40)
    actor_id: int | None = None
    actor_name: str = Field(max_length=200)
    actor_role: str | None = Field(default=None, max_length=30)
    action: str = Field(max_length=40)
    reason: str | None = None
    data: dict = json_field()


class Notification(SQLModel, table=True):
    """One row per message sent: the idempotency key stops a retried activity from sending twice."""

    __tablename__ = "notifications"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=300)
    case_id: str | None = Field(default=None, index=True, max_length=60)
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=254)
    subject: str = Field(default="", max_length=300)
    sent_at: datetime = at_field()


class CaseCounter(SQLModel, table=True):
    """Sequence per SOP and year for readable workflow ids: <sop>-<year>-<seq>."""

    __tablename__ = "case_counters"
    sop: str = Field(primary_key=True, max_length=40)
    year: int = Field(primary_key=True)
    last: int = 0


class AgencyClosedDay(SQLModel, table=True):
    """A day an agency closes beyond national holidays (e.g. a regional anniversary)."""

    __tablename__ = "agency_closed_days"
    __table_args__ = (UniqueConstraint("agency", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    agency: str = Field(index=True, max_length=30)
    day: date
    note: str = Field(default="", max_length=200)

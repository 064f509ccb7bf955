"""Step runs: every opening of a step and its closing, kept after the step closes (the `tasks` table
holds only open steps). The supervisors' dashboard (core.dashboard) counts and times them."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import at_field


class StepRun(SQLModel, table=True):
    """One row per (case, step, round): written by activities.records with the case projection, in the
    same transaction. `closed_at` is None while the step is open."""

    __tablename__ = "step_runs"
    __table_args__ = (
        UniqueConstraint("case_id", "step", "round"),
        Index("ix_step_runs_agency_sop_closed", "agency", "sop", "closed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # No foreign key: a step run is history the projection cannot rebuild, so it outlives a lost case row
    # (`alur rebuild-projection` brings the case back; the dashboard reads runs of existing cases only).
    case_id: str = Field(index=True, max_length=60)
    sop: str = Field(max_length=40)
    agency: str = Field(max_length=30)
    unit: str | None = Field(default=None, max_length=30)
    step: str = Field(max_length=40)
    round: int = 1
    role: str = Field(max_length=30)
    assignee_id: int | None = None
    started_at: datetime = at_field()
    due_at: datetime | None = at_field(nullable=True)
    closed_at: datetime | None = at_field(nullable=True)
    overdue: bool = False  # escalated while open, or closed after its deadline
    closing_action: str | None = Field(default=None, max_length=40)  # the step's last event when it closed

"""The supervisors' dashboard (issue 13): figures per SOP and step, and the stuck cases. Roles
supervisor, kepala_dinas and kepala_bidang, their own agency only (others 403)."""

from datetime import date

from fastapi import APIRouter, Query

from api.dashboard import StuckCases, SupervisorUser, load_dashboard, load_stuck
from api.deps import EngineDep, SettingsDep
from core.dashboard import Dashboard

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
REFUSALS = {403: {"description": "Not a supervisor, kepala dinas or kepala bidang"},
            422: {"description": "Unknown SOP, a bad date, or `from` after `to`"}}


def from_query() -> date | None:
    return Query(None, alias="from", description="First day (agency time); default 29 days before `to`")


def to_query() -> date | None:
    return Query(None, alias="to", description="Last day, included (agency time); default today")


@router.get("", response_model=Dashboard, responses=REFUSALS)
def get_dashboard(*, user: SupervisorUser, engine: EngineDep, settings: SettingsDep, sop: str | None = None,
                  date_from: date | None = from_query(), date_to: date | None = to_query()) -> Dashboard:
    """Per SOP of the agency (or the one `sop`) and per step: open and overdue now; closed in the period,
    on-time %, median and p90 working time against the step's time standard; cases per ISO week."""
    return load_dashboard(engine, settings, user, sop, date_from, date_to)


@router.get("/stuck", response_model=StuckCases, responses=REFUSALS)
def stuck(*, user: SupervisorUser, engine: EngineDep, settings: SettingsDep, sop: str | None = None) -> StuckCases:
    """Open steps overdue now or without movement for ALUR_STUCK_AFTER_DAYS working days, each with links
    to its case page and to its workflow in the Temporal UI; and prepared Temporal UI queries."""
    return load_stuck(engine, settings, user, sop)

"""What the dashboard's API, pages and exports share: who may see it, the period asked for, and the rows
of the viewer's agency loaded for core.dashboard. Blocking: call from sync handlers or a thread."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, and_, col, func, or_, select

from activities.calendar import agency_calendar
from api.deps import current_user
from api.errors import ApiError
from api.service import visible_cases
from api.views import step_title, user_names
from core.calendar import WorkingCalendar
from core.config import Settings
from core.dashboard import (
    CASE_COLUMNS, DASHBOARD_ROLES, MAX_PERIOD_DAYS, RUN_COLUMNS, TIMER_ACTIONS, CaseRow, Dashboard, Period, RunRow,
    SopInfo, dashboard, sop_info, stuck_steps,
)
from core.messages import CaseStatus
from core.models import Case, CaseEvent, User, utcnow
from core.models_dashboard import StepRun
from core.roles import ROLE_TITLES
from workflows import REGISTRY, SOPS

NOT_ALLOWED = "Dasbor hanya untuk supervisor, kepala dinas dan kepala bidang"
DEFAULT_DAYS = 30  # without dates: the last 30 days, today included
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # asked dates beyond these are typing errors


def may_see_dashboard(user: User) -> bool:
    return user.role in DASHBOARD_ROLES and user.agency is not None


def refuse_unless_supervisor(user: User) -> User:
    if not may_see_dashboard(user):
        raise ApiError(403, NOT_ALLOWED)
    return user


def supervisor_user(user: Annotated[User, Depends(current_user)]) -> User:
    return refuse_unless_supervisor(user)


SupervisorUser = Annotated[User, Depends(supervisor_user)]


# ---- what is asked -----------------------------------------------------------------------------


def bad(loc: str, msg: str) -> ApiError:
    return ApiError(422, [{"loc": ["query", loc], "msg": msg, "type": "value_error"}])


def period_of(date_from: date | None, date_to: date | None, calendar: WorkingCalendar,
              now: datetime | None = None) -> Period:
    """The asked period; without an end, today (agency time); without a start, DEFAULT_DAYS up to the end."""
    for loc, day in (("from", date_from), ("to", date_to)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise bad(loc, f"Tanggal harus antara {FIRST_DAY:%d-%m-%Y} dan {LAST_DAY:%d-%m-%Y}")
    end = date_to or (now or utcnow()).astimezone(calendar.zone).date()
    start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise bad("from", "Tanggal awal tidak boleh sesudah tanggal akhir")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise bad("from", f"Periode paling lama {MAX_PERIOD_DAYS} hari")
    return Period(start, end)


def agency_sops(session: Session, user: User) -> list[str]:
    """The SOPs of the viewer's agency: its own, and any other with cases of the agency (an SOP serving
    several agencies), in the registry's order."""
    used = set(session.exec(select(Case.sop).where(visible_cases(user)).distinct()).all())
    return [m.id for m in REGISTRY if m.definition.agency == user.agency or m.id in used]


def chosen_sops(session: Session, user: User, sop: str | None) -> list[str]:
    if not sop:
        return agency_sops(session, user)
    if sop not in SOPS:
        raise bad("sop", "Layanan tidak dikenal")
    return [sop]


def sop_infos(sops: Sequence[str], settings: Settings) -> list[SopInfo]:
    return [sop_info(SOPS[s], settings.sla_overrides) for s in sops]


# ---- the dashboard -------------------------------------------------------------------------------


@dataclass
class Loaded:
    sops: list[SopInfo]
    period: Period
    calendar: WorkingCalendar
    cases: list[CaseRow]
    runs: list[RunRow]


def load(engine: Engine, settings: Settings, user: User, sop: str | None, date_from: date | None,
         date_to: date | None, now: datetime) -> Loaded:
    """The viewer's cases open now or opened or closed in the period, and the step runs open now or closed
    in it (of cases the viewer may see: their agency, their unit)."""
    calendar = agency_calendar(engine, user.agency)  # type: ignore[arg-type]
    period = period_of(date_from, date_to, calendar, now)
    start, end = period.bounds(calendar)
    with Session(engine) as session:
        sops = chosen_sops(session, user, sop)
        in_period = lambda column: and_(col(column) >= start, col(column) < end)  # noqa: E731
        # Only the columns the figures read (core.dashboard.CaseRow, RunRow): no case data, no ORM objects.
        cases = session.exec(select(*(getattr(Case, c) for c in CASE_COLUMNS)).where(
            visible_cases(user), col(Case.sop).in_(sops),
            or_(Case.status == CaseStatus.OPEN, in_period(Case.created_at), in_period(Case.closed_at)))).all()
        runs = session.exec(select(*(getattr(StepRun, c) for c in RUN_COLUMNS)).join(
            Case, col(Case.id) == StepRun.case_id).where(
            visible_cases(user), col(StepRun.sop).in_(sops),
            or_(col(StepRun.closed_at).is_(None), in_period(StepRun.closed_at)))).all()
    return Loaded(sop_infos(sops, settings), period, calendar, list(cases), list(runs))  # type: ignore[arg-type]


def load_dashboard(engine: Engine, settings: Settings, user: User, sop: str | None = None,
                   date_from: date | None = None, date_to: date | None = None) -> Dashboard:
    now = utcnow()
    loaded = load(engine, settings, user, sop, date_from, date_to, now)
    return dashboard(user.agency or "", loaded.sops, loaded.cases, loaded.runs, loaded.period, loaded.calendar, now)


def load_export_cases(engine: Engine, user: User, sop: str | None, date_from: date | None,
                      date_to: date | None) -> tuple[Period, WorkingCalendar, list[Case]]:
    """The viewer's cases opened in the period, oldest first."""
    calendar = agency_calendar(engine, user.agency)  # type: ignore[arg-type]
    period = period_of(date_from, date_to, calendar)
    start, end = period.bounds(calendar)
    with Session(engine) as session:
        sops = chosen_sops(session, user, sop)
        cases = session.exec(select(Case).where(
            visible_cases(user), col(Case.sop).in_(sops), col(Case.created_at) >= start, col(Case.created_at) < end,
        ).order_by(col(Case.created_at), col(Case.id))).all()
    return period, calendar, list(cases)


# ---- stuck cases ---------------------------------------------------------------------------------


class StuckCase(BaseModel):
    case_id: str
    sop: str
    sop_title: str
    step: str
    step_title: str
    role: str
    role_title: str
    assignee_id: int | None
    assignee_name: str | None
    started_at: datetime
    due_at: datetime | None
    overdue: bool  # overdue now
    last_movement: datetime  # the newest case event (timers' aside) or step opening or closing
    quiet_days: int  # whole working days since then
    case_page: str  # the case's page on this site
    reassign_page: str  # where a supervisor gives its step to someone else
    temporal_url: str  # the case's workflow in the Temporal UI


class TemporalQuery(BaseModel):
    title: str
    query: str  # a Temporal visibility query over the Alur search attributes
    url: str  # the Temporal UI's workflow list with that query


class StuckCases(BaseModel):
    agency: str
    after_days: int  # ALUR_STUCK_AFTER_DAYS: quiet this many working days counts as stuck
    generated_at: datetime
    items: list[StuckCase]
    temporal_queries: list[TemporalQuery]


def temporal_workflow_url(settings: Settings, workflow_id: str) -> str:
    ui, ns = settings.temporal_ui_url.rstrip("/"), quote(settings.temporal_namespace, safe="")
    return f"{ui}/namespaces/{ns}/workflows/{quote(workflow_id, safe='')}"


def temporal_list_url(settings: Settings, query: str) -> str:
    ui, ns = settings.temporal_ui_url.rstrip("/"), quote(settings.temporal_namespace, safe="")
    return f"{ui}/namespaces/{ns}/workflows?query={quote(query, safe='')}"


def temporal_queries(settings: Settings, agency: str, sops: Sequence[str]) -> list[TemporalQuery]:
    """Prepared searches for the Temporal UI: per SOP its overdue and its running cases of the agency."""
    found = []
    for sop in sops:
        where = f'AlurSop = "{sop}" AND AlurAgency = "{agency}"'
        for title, query in ((f"Terlambat: {SOPS[sop].title}", f"{where} AND AlurOverdue = true"),
                             (f"Berjalan: {SOPS[sop].title}", f'{where} AND ExecutionStatus = "Running"')):
            found.append(TemporalQuery(title=title, query=query, url=temporal_list_url(settings, query)))
    return found


def load_stuck(engine: Engine, settings: Settings, user: User, sop: str | None = None,
               now: datetime | None = None) -> StuckCases:
    """`now`: the moment to judge at (the daily digest's run: workflows/digest.py); default the clock's."""
    now = now or utcnow()
    calendar = agency_calendar(engine, user.agency)  # type: ignore[arg-type]
    with Session(engine) as session:
        sops = chosen_sops(session, user, sop)
        open_cases = [visible_cases(user), Case.status == CaseStatus.OPEN, col(Case.sop).in_(sops)]
        runs = session.exec(select(StepRun).join(Case, col(Case.id) == StepRun.case_id).where(*open_cases)).all()
        last_events: dict[str, Any] = dict(session.exec(  # type: ignore[arg-type]
            select(CaseEvent.case_id, func.max(CaseEvent.at)).join(Case, col(Case.id) == CaseEvent.case_id)
            .where(*open_cases, col(CaseEvent.action).not_in(TIMER_ACTIONS)).group_by(CaseEvent.case_id)).all())
        stuck = stuck_steps(list(runs), {k: v for k, v in last_events.items() if v is not None}, calendar, now,
                            settings.stuck_after_days)
        names = user_names(session, {s.run.assignee_id for s in stuck if s.run.assignee_id})
    items = [StuckCase(
        case_id=s.run.case_id, sop=s.run.sop, sop_title=SOPS[s.run.sop].title if s.run.sop in SOPS else s.run.sop,
        step=s.run.step, step_title=step_title(s.run.sop, s.run.step), role=s.run.role,
        role_title=ROLE_TITLES.get(s.run.role, s.run.role), assignee_id=s.run.assignee_id,
        assignee_name=names.get(s.run.assignee_id) if s.run.assignee_id else None, started_at=s.run.started_at,
        due_at=s.run.due_at, overdue=s.overdue, last_movement=s.last_movement, quiet_days=s.quiet_days,
        case_page=f"/kasus/{s.run.case_id}", reassign_page=f"/kasus/{s.run.case_id}/alihkan",
        temporal_url=temporal_workflow_url(settings, s.run.case_id),
    ) for s in stuck]
    return StuckCases(agency=user.agency or "", after_days=settings.stuck_after_days, generated_at=now, items=items,
                      temporal_queries=temporal_queries(settings, user.agency or "", sops))

"""The supervisors' figures, computed from step runs and cases (pure functions: the caller loads the rows
and the agency's WorkingCalendar, activities.calendar.agency_calendar).

Per SOP and per step, within one agency and a period of whole local days [date_from, date_to]:
- open, overdue now: the steps open at `now` (the period does not narrow them);
- closed: the runs closed within the period; on time: closed at or before their deadline (due_at), over
  the closed runs that had one (a step without a time standard is left out of the percentage);
- median and p90 working time from opening to closing, in working minutes of the agency's calendar
  (p90 by nearest rank: the value at position ceil(0.9 n) of the sorted times), against the step's
  time standard (its SLA in the SOP definition, ALUR_SLA_OVERRIDES included);
- cases per ISO week (agency time): opened and closed.
Stuck steps: open and overdue now, or without movement (a case event other than the timers' reminders and
escalations, or a step opening or closing) for `after_days` working days.
"""

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from core.calendar import WorkingCalendar, WorkingTime, parse_working_time
from core.messages import CaseStatus
from core.models_dashboard import StepRun

DASHBOARD_ROLES = ("supervisor", "kepala_dinas", "kepala_bidang")
# History actions the SLA timers write: not a movement of the case.
TIMER_ACTIONS = ("reminder", "escalation", "escalation2")
MAX_PERIOD_DAYS = 2 * 366


@dataclass(frozen=True)
class Period:
    """Whole days in the agency's zone, both ends included."""

    date_from: date
    date_to: date

    def bounds(self, calendar: WorkingCalendar) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from the first day's midnight to the midnight after the last day."""
        return _bounds(self.date_from, self.date_to, calendar.zone)

    def holds(self, moment: datetime | None, calendar: WorkingCalendar) -> bool:
        start, end = self.bounds(calendar)
        return moment is not None and start <= moment < end


@lru_cache(maxsize=64)
def _bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


class CaseRow(Protocol):
    """What the figures read of a case (a Case, or a row of those columns)."""

    id: str
    sop: str
    status: str
    overdue: bool
    created_at: datetime
    closed_at: datetime | None


class RunRow(Protocol):
    """What the figures read of a step run (a StepRun, or a row of those columns)."""

    case_id: str
    sop: str
    step: str
    role: str
    started_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    overdue: bool


CASE_COLUMNS = ("id", "sop", "status", "overdue", "created_at", "closed_at")
RUN_COLUMNS = ("case_id", "sop", "step", "role", "started_at", "due_at", "closed_at", "overdue")


class WorkingDuration(BaseModel):
    minutes: int  # working minutes of the agency's calendar
    text: str  # in working days and hours, e.g. "1 hari 2 jam kerja"


class StepFigures(BaseModel):
    step: str
    title: str
    role: str
    standard: WorkingDuration | None  # the step's time standard; None: it has none
    open: int
    overdue_now: int
    closed: int  # closed within the period
    with_standard: int  # of those, closed runs that had a deadline
    on_time: int  # of those, closed at or before it
    on_time_percent: float | None  # on_time / with_standard, one decimal; None without any
    median: WorkingDuration | None
    p90: WorkingDuration | None


class WeekCount(BaseModel):
    week: str  # ISO week, e.g. "2027-W10"
    starts: date  # its Monday
    opened: int
    closed: int


class SopFigures(BaseModel):
    sop: str
    title: str
    open: int  # cases open now
    overdue_now: int  # of those, overdue now (a step or the case's time standard)
    opened: int  # cases opened within the period
    closed: int  # cases closed within the period
    on_time_percent: float | None  # over every step closed within the period that had a deadline
    steps: list[StepFigures]
    weeks: list[WeekCount]


class Dashboard(BaseModel):
    agency: str
    timezone: str
    date_from: date
    date_to: date
    generated_at: datetime
    working_day_minutes: int  # one working day of the agency, for reading the durations
    sops: list[SopFigures]


@dataclass(frozen=True)
class StepInfo:
    """What the figures need of a step of the SOP definition."""

    id: str
    title: str
    role: str
    sla: WorkingTime | None


@dataclass(frozen=True)
class SopInfo:
    id: str
    title: str
    steps: tuple[StepInfo, ...]


def sop_info(definition: Any, overrides: Mapping[str, str] = {}) -> SopInfo:
    """The SOP definition's steps with their time standard as the engine enforces it (ALUR_SLA_OVERRIDES)."""
    return SopInfo(definition.id, definition.title, tuple(
        StepInfo(s.id, s.title, s.role, step_standard(definition.id, s.id, s.sla, overrides))
        for s in definition.steps))


def step_standard(sop: str, step: str, declared: WorkingTime | None, overrides: Mapping[str, str]) -> WorkingTime | None:
    override = overrides.get(f"{sop}.{step}")
    return parse_working_time(override) if override else declared


# ---- working time ------------------------------------------------------------------------------


def working_day_minutes(calendar: WorkingCalendar) -> int:
    """The length of the agency's usual working day (the most common of its weekdays'), in minutes."""
    lengths = Counter(
        (datetime.combine(date.min, closes) - datetime.combine(date.min, opens)) // timedelta(minutes=1)
        for opens, closes in calendar.office_hours.days.values())
    return max(lengths.items(), key=lambda item: (item[1], item[0]))[0]


def describe_minutes(minutes: int, day_minutes: int) -> str:
    """Working minutes as working days, hours and minutes: 630 with 480-minute days -> "1 hari 2 jam 30 menit kerja"."""
    days, rest = divmod(max(minutes, 0), day_minutes)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "hari"), (hours, "jam"), (mins, "menit")) if n]
    return " ".join(parts or ["0 menit"]) + " kerja"


def duration(minutes: int | None, day_minutes: int) -> WorkingDuration | None:
    return None if minutes is None else WorkingDuration(minutes=minutes, text=describe_minutes(minutes, day_minutes))


def standard_minutes(sla: WorkingTime, day_minutes: int) -> int:
    return sla.days * day_minutes + sla.minutes + round(sla.seconds / 60)


def median(values: Sequence[int]) -> int | None:
    return round(statistics.median(values)) if values else None


def p90(values: Sequence[int]) -> int | None:
    """Nearest rank: the smallest value with at least 90 % of the values at or below it."""
    return sorted(values)[math.ceil(0.9 * len(values)) - 1] if values else None


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# ---- figures -------------------------------------------------------------------------------------


def is_overdue_now(run: RunRow, now: datetime) -> bool:
    return run.closed_at is None and (run.overdue or (run.due_at is not None and run.due_at < now))


def closed_on_time(run: RunRow) -> bool:
    return run.closed_at is not None and run.due_at is not None and run.closed_at <= run.due_at


def step_figures(step: StepInfo, runs: Sequence[RunRow], period: Period, calendar: WorkingCalendar,
                 now: datetime, day_minutes: int) -> StepFigures:
    open_runs = [r for r in runs if r.closed_at is None]
    closed = [r for r in runs if period.holds(r.closed_at, calendar)]
    timed = [r for r in closed if r.due_at is not None]
    on_time = sum(closed_on_time(r) for r in timed)
    minutes = [calendar.working_minutes_between(r.started_at, r.closed_at) for r in closed]  # type: ignore[arg-type]
    return StepFigures(
        step=step.id, title=step.title, role=step.role,
        standard=duration(standard_minutes(step.sla, day_minutes), day_minutes) if step.sla else None,
        open=len(open_runs), overdue_now=sum(is_overdue_now(r, now) for r in open_runs), closed=len(closed),
        with_standard=len(timed), on_time=on_time, on_time_percent=percent(on_time, len(timed)),
        median=duration(median(minutes), day_minutes), p90=duration(p90(minutes), day_minutes),
    )


def iso_weeks(period: Period) -> list[date]:
    """The Mondays of the ISO weeks the period touches."""
    monday = period.date_from - timedelta(days=period.date_from.weekday())
    return [monday + timedelta(weeks=n) for n in range((period.date_to - monday).days // 7 + 1)]


def week_counts(cases: Iterable[CaseRow], period: Period, calendar: WorkingCalendar) -> list[WeekCount]:
    def monday(moment: datetime) -> date:
        day = moment.astimezone(calendar.zone).date()
        return day - timedelta(days=day.weekday())

    cases = list(cases)
    opened = Counter(monday(c.created_at) for c in cases if period.holds(c.created_at, calendar))
    closed = Counter(monday(c.closed_at) for c in cases if period.holds(c.closed_at, calendar))  # type: ignore[arg-type]
    return [WeekCount(week=f"{m.isocalendar().year}-W{m.isocalendar().week:02d}", starts=m, opened=opened[m],
                      closed=closed[m]) for m in iso_weeks(period)]


def sop_figures(sop: SopInfo, cases: Sequence[CaseRow], runs: Sequence[RunRow], period: Period,
                calendar: WorkingCalendar, now: datetime, day_minutes: int) -> SopFigures:
    """One SOP's figures from its cases and step runs (already narrowed to the viewer's agency)."""
    cases = [c for c in cases if c.sop == sop.id]
    runs = [r for r in runs if r.sop == sop.id]
    known = [s.id for s in sop.steps]
    # A step the definition no longer has (retired) still counts, after the others.
    extra = [StepInfo(r.step, r.step, r.role, None) for r in runs if r.step not in known]
    steps = [*sop.steps, *{s.id: s for s in extra}.values()]
    figures = [step_figures(s, [r for r in runs if r.step == s.id], period, calendar, now, day_minutes) for s in steps]
    open_cases = [c for c in cases if c.status == CaseStatus.OPEN]
    late_cases = {r.case_id for r in runs if is_overdue_now(r, now)} | {c.id for c in open_cases if c.overdue}
    return SopFigures(
        sop=sop.id, title=sop.title, open=len(open_cases),
        overdue_now=sum(c.id in late_cases for c in open_cases),
        opened=sum(period.holds(c.created_at, calendar) for c in cases),
        closed=sum(period.holds(c.closed_at, calendar) for c in cases),
        on_time_percent=percent(sum(f.on_time for f in figures), sum(f.with_standard for f in figures)),
        steps=figures, weeks=week_counts(cases, period, calendar),
    )


def dashboard(agency: str, sops: Sequence[SopInfo], cases: Sequence[CaseRow], runs: Sequence[RunRow], period: Period,
              calendar: WorkingCalendar, now: datetime) -> Dashboard:
    day_minutes = working_day_minutes(calendar)
    return Dashboard(
        agency=agency, timezone=str(calendar.zone), date_from=period.date_from, date_to=period.date_to,
        generated_at=now, working_day_minutes=day_minutes,
        sops=[sop_figures(s, cases, runs, period, calendar, now, day_minutes) for s in sops],
    )


# ---- stuck steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stuck:
    run: StepRun
    last_movement: datetime
    quiet_days: int  # whole working days since the last movement
    overdue: bool


def last_movements(runs: Iterable[StepRun], last_events: Mapping[str, datetime]) -> dict[str, datetime]:
    """Per case: its newest event (timers' aside, see TIMER_ACTIONS) or step opening or closing."""
    moves = dict(last_events)
    for run in runs:
        for moment in (run.started_at, run.closed_at):
            if moment is not None and (run.case_id not in moves or moment > moves[run.case_id]):
                moves[run.case_id] = moment
    return moves


def stuck_steps(runs: Sequence[StepRun], last_events: Mapping[str, datetime], calendar: WorkingCalendar,
                now: datetime, after_days: int) -> list[Stuck]:
    """The open runs overdue now or quiet for `after_days` working days or more: overdue first, then the
    longest quiet, then the earliest deadline. `runs`: every run of the cases (open and closed)."""
    day_minutes = working_day_minutes(calendar)
    moves = last_movements(runs, last_events)
    found = []
    for run in runs:
        if run.closed_at is not None:
            continue
        last = moves[run.case_id]
        quiet = max(calendar.working_minutes_between(last, now), 0) // day_minutes
        overdue = is_overdue_now(run, now)
        if overdue or quiet >= after_days:
            found.append(Stuck(run, last, quiet, overdue))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda s: (not s.overdue, -s.quiet_days, s.run.due_at or far, s.run.case_id))

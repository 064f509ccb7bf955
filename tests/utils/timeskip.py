"""Helpers for SLA tests on the time-skipping server: move its clock, read what the timers did."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.db import session_scope
from core.models import CaseEvent

JAKARTA = ZoneInfo("Asia/Jakarta")


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    await env.sleep((moment - await env.get_current_time()).total_seconds())


def near(actual: datetime | None, expected: datetime) -> bool:
    """The case starts a few milliseconds after the clock reaches the scenario's start."""
    return actual is not None and abs(actual - expected) < timedelta(seconds=5)


def events(engine: Engine, case_id: str, action: str) -> list[CaseEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == action)))


def mails_to(sink: MailSink, address: str, subject_part: str) -> list[dict]:
    return [m for m in sink.messages() if address in m["to"] and subject_part.lower() in m["subject"].lower()]


# ---- scenarios that never fall into the past ----------------------------------------------------
# The test server's clock starts at today's real date and only moves forward, so a fixed scenario date
# would one day lie behind it. Scenarios are therefore found ahead of today, and their expected
# instants come from this oracle: plain holiday lookups, independent of core.calendar's arithmetic.

def national_days_off(years: range) -> set[date]:
    listed = holidays.country_holidays("ID", years=list(years), categories=("public", "government"))
    return set(listed)


def is_working_day(day: date, closed: set[date]) -> bool:
    return day.weekday() < 5 and day not in closed


def working_days_after(start: datetime, count: int, closed: set[date]) -> datetime:
    """The same time of day `count` working days later (start within office hours)."""
    day = start.date()
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day, closed)
    return start.replace(year=day.year, month=day.month, day=day.day)


def find_day(after: date, fits: Callable[[date, set[date]], bool], within_years: int = 3) -> date:
    """The first day after `after` for which `fits(day, days_off)` holds."""
    closed = national_days_off(range(after.year, after.year + within_years + 1))
    day = after
    for _ in range(366 * within_years):
        day += timedelta(days=1)
        if fits(day, closed):
            return day
    raise AssertionError("no day fits the scenario within the search window")


async def scenario_day(env: WorkflowEnvironment, fits: Callable[[date, set[date]], bool],
                       within_years: int = 3) -> tuple[date, set[date]]:
    """The first day a week or more ahead of the test server's clock that fits the scenario, and the
    national days off around it (for the expected instants)."""
    today = (await env.get_current_time()).astimezone(JAKARTA).date()
    day = find_day(today + timedelta(days=7), fits, within_years)
    return day, national_days_off(range(day.year, day.year + 2))

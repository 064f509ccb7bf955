"""Deadlines in working time. An activity, so the result is recorded in history and a later
change of holidays or agency closed days never breaks the replay of a running case."""

import asyncio

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity

from core.calendar import WorkingCalendar, WorkingTime, parse_working_time
from core.config import Settings
from core.db import session_scope
from core.messages import DeadlineRequest, Deadlines, EngineActivity
from core.models import AgencyClosedDay
from core.roles import AGENCIES


def agency_calendar(engine: Engine, agency: str) -> WorkingCalendar:
    with session_scope(engine) as session:
        closed = session.exec(select(AgencyClosedDay.day).where(AgencyClosedDay.agency == agency)).all()
    profile = AGENCIES[agency]
    return WorkingCalendar(timezone=profile.timezone, office_hours=profile.office_hours, closed_days=closed,
                           ramadan_hours=profile.ramadan_hours)


def deadlines_for(calendar: WorkingCalendar, request: DeadlineRequest, sla: WorkingTime) -> Deadlines:
    due = calendar.add(request.start, sla)
    remind = calendar.subtract(due, request.remind_before) if request.remind_before else None
    if remind is not None and remind <= request.start:
        remind = None  # an SLA shorter than its reminder lead: the reminder would be noise
    second = calendar.add(due, request.second_escalation_after) if request.second_escalation_after else None
    return Deadlines(due_at=due, remind_at=remind, second_escalation_at=second, sla_text=sla.describe())


class CalendarActivities:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    def sla_for(self, request: DeadlineRequest) -> WorkingTime:
        override = self.settings.sla_overrides.get(f"{request.sop}.{request.step}")
        return parse_working_time(override) if override else request.sla

    @activity.defn(name=EngineActivity.COMPUTE_DEADLINES)
    async def compute_deadlines(self, request: DeadlineRequest) -> Deadlines:
        calendar = await asyncio.to_thread(agency_calendar, self.engine, request.agency)
        return deadlines_for(calendar, request, self.sla_for(request))

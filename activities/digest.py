"""The daily digest's activities (workflows/digest.py): is today a working day for the agency, and the
day's e-mails, one per person who has something in it, sent once per person, agency and day."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio import activity

from activities.calendar import agency_calendar
from activities.notify import DAYS, MONTHS, send_direct
from api.dashboard import load_stuck
from api.queries import inbox
from core.config import Settings
from core.dashboard import DASHBOARD_ROLES
from core.models import User
from core.roles import AGENCIES, ROLE_TITLES, STAFF_ROLES
from workflows import SOPS
from workflows.digest import SEND_DIGEST, WORKING_DAY, DigestDay, DigestRequest, WorkingDay

TEMPLATE = "digest"  # templates/email/digest.*
CLOSED_DAY = "hari libur Dinas"
WEEKEND = "di luar hari kerja Dinas"


def working_day(engine: Engine, request: DigestDay) -> WorkingDay:
    calendar = agency_calendar(engine, request.agency)
    day = request.at.astimezone(ZoneInfo(AGENCIES[request.agency].timezone)).date()
    if calendar.is_working_day(day):
        return WorkingDay(day.isoformat(), working=True)
    reason = calendar.holiday_name(day) or (CLOSED_DAY if day in calendar.closed_days else WEEKEND)
    return WorkingDay(day.isoformat(), working=False, reason=reason)


@dataclass
class Letter:
    """One person's digest: their open steps, and for supervisors and heads the agency's overdue and stuck cases."""

    user: User
    tasks: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[tuple[str, int]] = field(default_factory=list)  # (SOP title, overdue cases), most first
    stuck: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.overdue or self.stuck)


def letter_for(session: Session, engine: Engine, settings: Settings, user: User, at: datetime) -> Letter:
    """The person's inbox as the inbox page shows it (soonest due first), and what the stuck-cases page shows
    a supervisor (overdue first, then the longest quiet)."""
    letter = Letter(user)
    for task in inbox(session, user):
        letter.tasks.append({"case_id": task.case_id, "sop_title": SOPS[task.sop].title if task.sop in SOPS else task.sop,
                             "case_title": task.case_title or task.case_id, "step_title": task.title,
                             "due_at": task.due_at, "overdue": task.overdue})
    if user.role in DASHBOARD_ROLES:
        stuck = load_stuck(engine, settings, user, now=at).items
        overdue_cases = {(s.sop_title, s.case_id) for s in stuck if s.overdue}
        letter.overdue = Counter(title for title, _ in overdue_cases).most_common()
        letter.stuck = [{"case_id": s.case_id, "sop_title": s.sop_title, "step_title": s.step_title,
                         "holder": s.assignee_name or ROLE_TITLES.get(s.role, s.role), "due_at": s.due_at,
                         "overdue": s.overdue, "quiet_days": s.quiet_days} for s in stuck]
    return letter


def letters(engine: Engine, settings: Settings, agency: str, at: datetime) -> list[Letter]:
    """Every active, verified staff member of the agency who has something to read today; nobody else."""
    with Session(engine, expire_on_commit=False) as session:
        staff = session.exec(select(User).where(User.agency == agency, col(User.role).in_(STAFF_ROLES),
                                                col(User.active).is_(True), col(User.verified).is_(True))
                             .order_by(col(User.id))).all()
        found = [letter_for(session, engine, settings, user, at) for user in staff]
    return [letter for letter in found if not letter.empty]


def context_of(letter: Letter, agency: str, day: date, settings: Settings) -> dict[str, Any]:
    return {
        "recipient_name": letter.user.name, "agency": agency, "agency_name": AGENCIES[agency].name,
        "day_text": f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}",
        "tasks": letter.tasks, "overdue": letter.overdue, "stuck": letter.stuck,
        "overdue_total": sum(count for _, count in letter.overdue), "stuck_after_days": settings.stuck_after_days,
        "base_url": settings.base_url, "is_supervisor": letter.user.role in DASHBOARD_ROLES,
    }


def digest_key(agency: str, day: str, user_id: int | None) -> str:
    """Once per person, agency and day: a retried or repeated run sends nothing twice."""
    return f"digest/{agency}/{day}/user-{user_id}"


class DigestActivities:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    @activity.defn(name=WORKING_DAY)
    async def digest_working_day(self, request: DigestDay) -> WorkingDay:
        return await asyncio.to_thread(working_day, self.engine, request)

    @activity.defn(name=SEND_DIGEST)
    async def send_digest(self, request: DigestRequest) -> int:
        """Sends each person's digest once; returns how many were sent by this call."""
        found = await asyncio.to_thread(letters, self.engine, self.settings, request.agency, request.at)
        day, sent = date.fromisoformat(request.day), 0
        for letter in found:
            activity.heartbeat(letter.user.id)
            context = context_of(letter, request.agency, day, self.settings)
            sent += await send_direct(self.settings, self.engine, digest_key(request.agency, request.day, letter.user.id),
                                      letter.user.email, TEMPLATE, context)
        activity.logger.info("digest %s %s: %d of %d sent", request.agency, request.day, sent, len(found))
        return sent

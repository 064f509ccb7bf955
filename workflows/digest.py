"""The daily digest: at 07:30 agency time, on the agency's working days, each officer gets their open tasks
by due date and each supervisor and head the overdue counts per SOP and the stuck cases (activities/digest.py).

Not an SOP: one short workflow per agency and day, started by a Temporal Schedule per agency
(`alur-digest-<agency>`) that `ensure_digest_schedules` creates, or updates, when the worker starts. The
schedule fires on the agency's office weekdays; whether the day is a working day (national holidays and
cuti bersama, the agency's own closed days) is an activity's answer, so a calendar change never breaks
replay.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.client import (
    Client, Schedule, ScheduleActionStartWorkflow, ScheduleAlreadyRunningError, ScheduleCalendarSpec,
    ScheduleOverlapPolicy, SchedulePolicy, ScheduleRange, ScheduleSpec, ScheduleUpdate,
)
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from core.config import Settings
    from core.roles import AGENCIES, Agency

DIGEST_WORKFLOW = "alur-digest"
WORKING_DAY = "digest_working_day"  # activity: is the day a working day for the agency?
SEND_DIGEST = "send_digest"  # activity: the day's e-mails
SCHEDULE_PREFIX = "alur-digest-"
# A digest the server could not start at 07:30 (Temporal down) still goes out when it is back the same morning.
CATCHUP = timedelta(hours=3)
SEND_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_interval=timedelta(minutes=5))


@dataclass
class DigestInput:
    agency: str


@dataclass
class DigestDay:
    agency: str
    at: datetime  # the run's start: its date in the agency's zone is the digest's day


@dataclass
class WorkingDay:
    day: str  # ISO date in the agency's zone
    working: bool
    reason: str = ""  # why not: the holiday's name, the agency's closed day, or the weekend


@dataclass
class DigestRequest:
    agency: str
    day: str  # ISO date: with the person and the agency, the e-mail's idempotency key
    at: datetime  # the moment the figures are taken at (overdue, quiet for N working days)


@dataclass
class DigestResult:
    agency: str
    day: str
    working: bool
    sent: int = 0  # e-mails sent by this run (a repeated run of the same day sends none again)
    reason: str = ""


@workflow.defn(name=DIGEST_WORKFLOW)
class DigestWorkflow:
    @workflow.run
    async def run(self, request: DigestInput) -> DigestResult:
        moment = workflow.now()
        today: WorkingDay = await workflow.execute_activity(
            WORKING_DAY, DigestDay(request.agency, moment), result_type=WorkingDay,
            start_to_close_timeout=timedelta(minutes=1),
        )
        if not today.working:
            workflow.logger.info("no digest for %s on %s: %s", request.agency, today.day, today.reason)
            return DigestResult(request.agency, today.day, working=False, reason=today.reason)
        sent: int = await workflow.execute_activity(
            SEND_DIGEST, DigestRequest(request.agency, today.day, moment), result_type=int,
            start_to_close_timeout=timedelta(minutes=30), heartbeat_timeout=timedelta(minutes=1),
            retry_policy=SEND_RETRY,
        )
        return DigestResult(request.agency, today.day, working=True, sent=sent)


# ---- the schedules (client side, at worker start-up) -------------------------------------------


def office_weekdays(agency: Agency) -> list[int]:
    """Temporal's day_of_week (0 = Sunday) of the weekdays the agency opens on, Ramadan's included."""
    from core.calendar import OfficeHours

    days = set((agency.office_hours or OfficeHours.default()).days)
    days |= set(agency.ramadan_hours.days) if agency.ramadan_hours else set()
    return sorted((weekday + 1) % 7 for weekday in days)  # Python's 0 is Monday


def digest_schedule(settings: Settings, agency: Agency) -> Schedule:
    hour, minute = (int(part) for part in settings.digest_time.split(":"))
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DIGEST_WORKFLOW, DigestInput(agency.id), id=f"{SCHEDULE_PREFIX}{agency.id}",
            task_queue=settings.task_queue, execution_timeout=timedelta(hours=12),
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(
                hour=[ScheduleRange(hour)], minute=[ScheduleRange(minute)], second=[ScheduleRange(0)],
                day_of_week=[ScheduleRange(day) for day in office_weekdays(agency)],
                comment=f"{settings.digest_time} {agency.timezone}, hari kerja",
            )],
            time_zone_name=agency.timezone,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP),
    )


async def ensure_digest_schedules(client: Client, settings: Settings) -> list[str]:
    """One schedule per agency: created when missing, brought up to date (time, zone, weekdays, task queue)
    when it exists. Safe to run at every start of every worker. Returns the schedule ids."""
    ids = []
    for agency in AGENCIES.values():
        schedule_id = f"{SCHEDULE_PREFIX}{agency.id}"
        schedule = digest_schedule(settings, agency)
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:
            # The spec and action are ours; its state (an operator's pause and note) is kept.
            await client.get_schedule_handle(schedule_id).update(
                lambda current, new=schedule: ScheduleUpdate(schedule=replace(new, state=current.description.schedule.state)))
        ids.append(schedule_id)
    return ids

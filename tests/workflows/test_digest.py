"""The daily digest: on the time-skipping server it goes out on a working day (each officer their open steps
by due date, supervisors and heads the overdue counts and the stuck cases, nobody an empty e-mail, nobody
twice) and not on the agency's closed day nor on a national holiday; on the dev server the schedules are
created once per agency, brought up to date, and start the digest workflow."""

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from temporalio.client import ScheduleRange
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.models import AgencyClosedDay
from core.roles import AGENCIES
from core.users import person
from tests.utils.factories import jathil_vendor_form, make_user
from tests.utils.histories import maybe_save_history
from tests.utils.timeskip import is_working_day, scenario_day, skip_to
from tests.utils.waiting import eventually
from worker import build_worker
from workflows.digest import DigestInput, DigestResult, DigestWorkflow, ensure_digest_schedules

WIB = ZoneInfo("Asia/Jakarta")
SUBJECT = "Ringkasan harian"


def next_working_day(day: date, closed: set[date], step: int = 1) -> date:
    day += timedelta(days=step)
    while not is_working_day(day, closed):
        day += timedelta(days=step)
    return day


def then_a_working_day_then_a_holiday(day: date, closed: set[date]) -> bool:
    """A working day whose next working day comes before a weekday national holiday within two weeks."""
    after = next_working_day(day, closed) if is_working_day(day, closed) else None
    return after is not None and any(
        (h := day + timedelta(days=n)) in closed and h.weekday() < 5 and h > after for n in range(1, 15))


async def digest(env: WorkflowEnvironment, settings: Settings, history: str | None = None) -> DigestResult:
    """A digest run now, as the schedule starts it; `history`: the committed history it refreshes."""
    workflow_id = f"digest-test-{uuid.uuid4().hex[:8]}"
    result = await env.client.execute_workflow(DigestWorkflow.run, DigestInput("ponorogo"), id=workflow_id,
                                               task_queue=settings.task_queue)
    if history:
        await maybe_save_history(env.client, workflow_id, history)
    return result


def digests(sink: MailSink, *addresses: str) -> list[dict]:
    """The digests received by these addresses (the sink is the whole session's)."""
    return [m for m in sink.messages() if SUBJECT in m["subject"] and any(a in m["to"] for a in addresses)]


def close_day(engine: Engine, day: date) -> None:
    with session_scope(engine) as session:
        session.add(AgencyClosedDay(agency="ponorogo", day=day, note="Rapat kerja"))
        session.commit()


async def test_the_digest_goes_out_on_a_working_day_only(time_env: WorkflowEnvironment, settings: Settings,
                                                          mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    officer = make_user(engine, "admin_bidang", "ponorogo")
    main_admin = make_user(engine, "admin_utama", "ponorogo")  # no open step of theirs: no e-mail
    supervisor = make_user(engine, "supervisor", "ponorogo")
    head = make_user(engine, "kepala_dinas", "ponorogo")
    elsewhere = make_user(engine, "admin_bidang", "dki")  # another agency's digest, not this one
    everyone = (applicant.email, officer.email, main_admin.email, supervisor.email, head.email, elsewhere.email)
    day, closed = await scenario_day(time_env, then_a_working_day_then_a_holiday, within_years=4)
    agency_closed = next_working_day(day, closed)
    holiday = min(h for h in closed if h > agency_closed and h.weekday() < 5)
    close_day(engine, agency_closed)
    # jathil-vendor's verification is due one working day after submission: the first case is overdue at
    # 07:30 on the digest's day, the second is due at 10:00 that day.
    day_before = next_working_day(day, closed, step=-1)
    late_start = datetime.combine(next_working_day(day_before, closed, step=-1), time(10, 0), WIB)
    fresh_start = datetime.combine(day_before, time(10, 0), WIB)

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, late_start)
        late = await start_case(time_env.client, settings, engine, sop="jathil-vendor", applicant=person(applicant),
                                data=jathil_vendor_form(), title="Keripik Tempe Terlambat")
        await skip_to(time_env, fresh_start)
        fresh = await start_case(time_env.client, settings, engine, sop="jathil-vendor", applicant=person(applicant),
                                 data=jathil_vendor_form(), title="Sambal Pecel Baru")

        await skip_to(time_env, datetime.combine(day, time(7, 30), WIB))
        result = await digest(time_env, settings, history="digest-working-day")
        assert (result.day, result.working, result.sent) == (day.isoformat(), True, 3)
        await eventually(lambda: len(digests(mail_sink, *everyone)) >= 3)

        (mail,) = digests(mail_sink, officer.email)
        text = mail["text"]
        assert "2 tugas terbuka" in mail["subject"] and "TUGAS TERBUKA ANDA (2)" in text
        assert text.index(late) < text.index(fresh) and "(TERLAMBAT)" in text  # by due date, the late one first
        assert "Keripik Tempe Terlambat" in text and f"http://alur.test/kasus/{fresh}" in text
        assert "KASUS MACET" not in text  # an officer gets their own steps only
        for boss in (supervisor, head):
            (mail,) = digests(mail_sink, boss.email)
            assert "1 kasus terlambat" in mail["subject"] and "TUGAS TERBUKA" not in mail["text"]
            assert "Pendaftaran" in mail["text"] and ": 1 kasus" in mail["text"]
            assert "KASUS MACET (1)" in mail["text"] and late in mail["text"] and fresh not in mail["text"]
        assert not digests(mail_sink, main_admin.email) and not digests(mail_sink, elsewhere.email)

        again = await digest(time_env, settings)  # the same day again (a retried or repeated run)
        assert (again.working, again.sent) == (True, 0) and len(digests(mail_sink, *everyone)) == 3

        await skip_to(time_env, datetime.combine(agency_closed, time(7, 30), WIB))
        off = await digest(time_env, settings)
        assert (off.day, off.working, off.sent, off.reason) == (agency_closed.isoformat(), False, 0, "hari libur Dinas")

        await skip_to(time_env, datetime.combine(holiday, time(7, 30), WIB))
        off = await digest(time_env, settings, history="digest-holiday")
        assert (off.day, off.working, off.sent) == (holiday.isoformat(), False, 0) and off.reason
        assert len(digests(mail_sink, *everyone)) == 3


async def test_the_schedules_are_created_once_per_agency_and_updated(dev_env: WorkflowEnvironment,
                                                                     settings: Settings) -> None:
    client = dev_env.client
    ids = await ensure_digest_schedules(client, settings)
    try:
        assert ids == [f"alur-digest-{agency}" for agency in AGENCIES]
        assert await ensure_digest_schedules(client, settings) == ids  # an existing schedule is no error
        listed = [s.id async for s in await client.list_schedules() if s.id.startswith("alur-digest-")]
        assert sorted(listed) == sorted(ids)  # still one per agency

        for agency in AGENCIES.values():
            spec = (await client.get_schedule_handle(f"alur-digest-{agency.id}").describe()).schedule.spec
            (calendar,) = spec.calendars
            assert spec.time_zone_name == agency.timezone
            assert (list(calendar.hour), list(calendar.minute)) == ([ScheduleRange(7)], [ScheduleRange(30)])
            assert list(calendar.day_of_week) == [ScheduleRange(d) for d in (1, 2, 3, 4, 5)]  # Monday to Friday

        handle = client.get_schedule_handle("alur-digest-jombang")
        await handle.pause(note="libur panjang")
        later = settings.model_copy(update={"digest_time": "08:15"})
        await ensure_digest_schedules(client, later)
        described = await handle.describe()
        (calendar,) = described.schedule.spec.calendars
        assert (list(calendar.hour), list(calendar.minute)) == ([ScheduleRange(8)], [ScheduleRange(15)])
        assert described.schedule.state.paused and described.schedule.state.note == "libur panjang"  # kept

        # The schedule starts the digest workflow on the worker's queue (triggered now instead of at 08:15).
        engine = engine_for(settings.database_url)
        async with build_worker(client, settings, engine):
            ponorogo = client.get_schedule_handle("alur-digest-ponorogo")
            await ponorogo.trigger()
            recent = []
            for _ in range(200):  # the schedule reports its action once the run is started
                recent = (await ponorogo.describe()).info.recent_actions
                if recent:
                    break
                await asyncio.sleep(0.05)
            started = recent[0].action.workflow_id
            assert started.startswith("alur-digest-ponorogo")
            result = await client.get_workflow_handle(started).result()
            assert result["agency"] == "ponorogo" and result["sent"] == 0  # nobody in this database
    finally:
        for schedule_id in ids:
            await client.get_schedule_handle(schedule_id).delete()

"""gallery-curation timers on the time-skipping server: the 3-working-day curation across a weekend
and a holiday with escalation to the division head; the sample's reminder and automatic cancellation."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.messages import Decision
from core.models import Case, Task, User
from core.users import person
from tests.utils.gallery import curation, gallery_form
from tests.utils.histories import maybe_save_history
from tests.utils.factories import make_user
from tests.utils.waiting import eventually
from tests.utils.timeskip import events, mails_to, near, scenario_day, skip_to, working_days_after
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")


def wednesday_before_a_holiday(day: date, closed: set[date]) -> bool:
    """Monday and Wednesday open, Thursday a national holiday: the curation crosses it and a weekend."""
    return day.weekday() == 2 and day + timedelta(days=1) in closed and not {day, day - timedelta(days=2)} & closed


def monday_with_a_holiday_in_the_next_fortnight(day: date, closed: set[date]) -> bool:
    weekdays_ahead = {day + timedelta(days=n) for n in range(1, 15) if (day + timedelta(days=n)).weekday() < 5}
    return day.weekday() == 0 and day not in closed and bool(weekdays_ahead & closed)


async def accepted_case(env: WorkflowEnvironment, settings: Settings, applicant: User, staff: User,
                        submitted: datetime) -> tuple[str, WorkflowHandle]:
    """A case started on `submitted` whose documents the staff accepted at once."""
    await skip_to(env, submitted)
    case_id = await start_case(env.client, settings, engine_for(settings.database_url), sop="gallery-curation",
                               applicant=person(applicant), data=gallery_form())
    handle = env.client.get_workflow_handle(case_id)
    await handle.execute_update("decide", Decision("check_documents", "accept", person(staff)))
    return case_id, handle


def open_tasks(engine, case_id: str) -> dict[str, Task]:
    with session_scope(engine) as session:
        return {t.step: t for t in session.exec(select(Task).where(Task.case_id == case_id))}


async def test_curation_sla_across_weekend_and_holiday_escalates(time_env: WorkflowEnvironment, settings: Settings,
                                                                  mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    staff, expert = make_user(engine, "staf_galeri", "jatim"), make_user(engine, "kurator", "jatim")
    head, other_head = make_user(engine, "kepala_bidang", "jatim"), make_user(engine, "kepala_bidang", "ponorogo")
    wednesday, closed = await scenario_day(time_env, wednesday_before_a_holiday)
    SAMPLE_IN = datetime.combine(wednesday, time(10, 0), WIB)
    CURATION_DUE = working_days_after(SAMPLE_IN, 3, closed)  # Thursday off, then the weekend
    CURATION_REMIND = working_days_after(SAMPLE_IN, 2, closed)  # 1 working day before
    assert (CURATION_DUE.date() - wednesday).days >= 6

    async with build_worker(time_env.client, settings, engine):
        monday = datetime.combine(wednesday - timedelta(days=2), time(9, 0), WIB)
        case_id, handle = await accepted_case(time_env, settings, applicant, staff, monday)
        await eventually(lambda: "receive_sample" in open_tasks(engine, case_id))

        await skip_to(time_env, SAMPLE_IN)
        sample = {"description": "2 bungkus", "quantity": 2}
        await handle.execute_update("decide", Decision("receive_sample", "receive", person(staff), data=sample))
        tasks = await eventually(lambda: (t := open_tasks(engine, case_id)) and "curate_staff" in t and t)
        assert set(tasks) == {"curate_staff", "curate_expert"}
        assert all(near(t.due_at, CURATION_DUE) for t in tasks.values())

        await skip_to(time_env, CURATION_REMIND + timedelta(minutes=1))
        reminders = await eventually(lambda: len(events(engine, case_id, "reminder")) == 2
                                     and events(engine, case_id, "reminder"))
        assert all(near(r.at, CURATION_REMIND) for r in reminders)
        await eventually(lambda: mails_to(mail_sink, expert.email, "pengingat"))

        await skip_to(time_env, CURATION_DUE - timedelta(minutes=1))
        assert not events(engine, case_id, "escalation")
        await skip_to(time_env, CURATION_DUE + timedelta(minutes=1))
        escalations = await eventually(lambda: len(events(engine, case_id, "escalation")) == 2
                                       and events(engine, case_id, "escalation"))
        assert {e.step for e in escalations} == {"curate_staff", "curate_expert"}
        assert all(near(e.at, CURATION_DUE) for e in escalations)
        await eventually(lambda: mails_to(mail_sink, head.email, "batas waktu"))
        await eventually(lambda: mails_to(mail_sink, staff.email, "batas waktu"))
        with session_scope(engine) as session:
            assert session.get(Case, case_id).overdue
        assert not [m for m in mail_sink.messages() if other_head.email in m["to"]]

        # The curators are not replaced by the timer: the steps wait on, then both decide.
        await handle.execute_update("decide", Decision("curate_staff", "submit", person(staff), data=curation()))
        await handle.execute_update("decide", Decision("curate_expert", "submit", person(expert), data=curation()))
        await eventually(lambda: "display" in open_tasks(engine, case_id))
        display = {"sku": "8991234567891", "stock": 10, "price": 27500}
        await handle.execute_update("decide", Decision("display", "display", person(staff), data=display))
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "gallery-curation-escalated-displayed")
    assert result["status"] == "completed"
    with session_scope(engine) as session:
        assert session.get(Case, case_id).data["display"]["barcode_type"] == "ean13"


async def test_sample_reminder_then_automatic_cancellation(time_env: WorkflowEnvironment, settings: Settings,
                                                           mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    staff = make_user(engine, "staf_galeri", "jatim")
    monday, closed = await scenario_day(time_env, monday_with_a_holiday_in_the_next_fortnight)
    submitted = datetime.combine(monday, time(9, 0), WIB)
    SAMPLE_REMIND = working_days_after(submitted, 5, closed)
    SAMPLE_CANCEL = working_days_after(submitted, 10, closed)
    assert (SAMPLE_CANCEL.date() - monday).days > 14  # a holiday pushed the cancellation back

    async with build_worker(time_env.client, settings, engine):
        case_id, handle = await accepted_case(time_env, settings, applicant, staff, submitted)
        task = (await eventually(lambda: open_tasks(engine, case_id).get("receive_sample")))
        assert near(task.due_at, SAMPLE_CANCEL)
        await eventually(lambda: mails_to(mail_sink, applicant.email, "serahkan sampel"))

        await skip_to(time_env, SAMPLE_REMIND - timedelta(minutes=1))
        assert not events(engine, case_id, "reminder")
        await skip_to(time_env, SAMPLE_REMIND + timedelta(minutes=1))
        [reminder] = await eventually(lambda: events(engine, case_id, "reminder"))
        assert near(reminder.at, SAMPLE_REMIND)
        await eventually(lambda: mails_to(mail_sink, applicant.email, "pengingat"))
        await eventually(lambda: mails_to(mail_sink, staff.email, "pengingat"))

        await skip_to(time_env, SAMPLE_CANCEL - timedelta(minutes=1))
        assert not events(engine, case_id, "cancel")
        await skip_to(time_env, SAMPLE_CANCEL + timedelta(minutes=1))
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "gallery-curation-sample-cancelled")
    assert result["status"] == "cancelled"
    [cancel] = events(engine, case_id, "cancel")
    assert near(cancel.at, SAMPLE_CANCEL) and cancel.actor_name == "Sistem"
    [notice] = await eventually(lambda: mails_to(mail_sink, applicant.email, "dibatalkan"))
    assert "Sampel produk tidak diserahkan dalam 10 hari kerja" in notice["text"]
    assert not events(engine, case_id, "escalation")

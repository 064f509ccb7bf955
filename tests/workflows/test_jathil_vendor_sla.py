"""SLA timers of jathil-vendor on the time-skipping server: due time, reminder and both
escalations at the right instants across a weekend and national holidays, e-mails received."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.messages import Decision
from core.models import Case, Task
from core.users import person
from tests.utils.histories import maybe_save_history
from tests.utils.factories import jathil_vendor_form, make_user
from tests.utils.timeskip import events, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")


def friday_before_a_monday_holiday(day: date, closed: set[date]) -> bool:
    return day.weekday() == 4 and day + timedelta(days=3) in closed


async def scenario(env: WorkflowEnvironment) -> tuple[datetime, datetime, datetime, datetime]:
    """Submitted Friday 15:00 WIB before a national holiday on Monday; due 1 working day later,
    reminded 2 working hours before, escalated again 1 working day after that."""
    friday, closed = await scenario_day(env, friday_before_a_monday_holiday, within_years=6)
    submitted = datetime.combine(friday, time(15, 0), WIB)
    due = working_days_after(submitted, 1, closed)
    return submitted, due, due - timedelta(hours=2), working_days_after(due, 1, closed)


def open_task(engine, case_id: str) -> Task | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.exec(select(Task).where(Task.case_id == case_id)).first()


async def test_verify_step_deadline_reminder_and_escalations(time_env: WorkflowEnvironment, settings: Settings,
                                                             mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    field_admin = make_user(engine, "admin_bidang", "ponorogo")
    main_admin = make_user(engine, "admin_utama", "ponorogo")
    head = make_user(engine, "kepala_dinas", "ponorogo")
    other_agency = make_user(engine, "admin_bidang", "jatim")
    SUBMITTED, DUE, REMIND, SECOND = await scenario(time_env)
    assert (DUE.date() - SUBMITTED.date()).days >= 4  # the weekend and the holiday are skipped

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, SUBMITTED)
        case_id = await start_case(time_env.client, settings, engine, sop="jathil-vendor",
                                   applicant=person(applicant), data=jathil_vendor_form())
        with session_scope(engine) as session:
            task = session.exec(select(Task).where(Task.case_id == case_id)).one()
        assert task.step == "verify" and near(task.due_at, DUE)

        await skip_to(time_env, REMIND - timedelta(minutes=1))
        assert not events(engine, case_id, "reminder")
        await skip_to(time_env, REMIND + timedelta(minutes=1))
        reminder = (await eventually(lambda: events(engine, case_id, "reminder")))[0]
        assert near(reminder.at, REMIND)
        await eventually(lambda: mails_to(mail_sink, field_admin.email, "pengingat"))

        await skip_to(time_env, DUE + timedelta(minutes=1))
        escalation = (await eventually(lambda: events(engine, case_id, "escalation")))[0]
        assert near(escalation.at, DUE)
        await eventually(lambda: mails_to(mail_sink, main_admin.email, "batas waktu"))
        await eventually(lambda: mails_to(mail_sink, field_admin.email, "batas waktu"))
        with session_scope(engine) as session:
            assert session.get(Case, case_id).overdue
        assert not events(engine, case_id, "escalation2")

        await skip_to(time_env, SECOND + timedelta(minutes=1))
        second = (await eventually(lambda: events(engine, case_id, "escalation2")))[0]
        assert near(second.at, SECOND)
        await eventually(lambda: mails_to(mail_sink, head.email, "eskalasi"))
        assert not [m for m in mail_sink.messages() if other_agency.email in m["to"]]

        # The step waited on after escalation; the officer decides.
        handle = time_env.client.get_workflow_handle(case_id)
        await handle.execute_update("decide", Decision("verify", "forward", person(field_admin)))
        await eventually(lambda: events(engine, case_id, "forward"))

        # A late approval is the main administrator's own delay: it escalates to the head of agency.
        approve = await eventually(lambda: (t := open_task(engine, case_id)) and t.step == "approve" and t)
        await skip_to(time_env, approve.due_at + timedelta(minutes=1))
        await eventually(lambda: mails_to(mail_sink, head.email, "Eskalasi: Validasi dan persetujuan"))
        await eventually(lambda: mails_to(mail_sink, main_admin.email, "Eskalasi: Validasi dan persetujuan"))
        assert not mails_to(mail_sink, field_admin.email, "Eskalasi: Validasi dan persetujuan")
        await handle.execute_update("decide", Decision("approve", "approve", person(main_admin)))
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "jathil-vendor-escalated-approved")
        assert result["status"] == "completed"
        await eventually(lambda: mails_to(mail_sink, applicant.email, "disetujui"))


def working_monday(day: date, closed: set[date]) -> bool:
    return day.weekday() == 0 and day not in closed


async def test_an_uncorrected_return_is_cancelled_after_ten_working_days(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    field_admin = make_user(engine, "admin_bidang", "ponorogo")
    monday, closed = await scenario_day(time_env, working_monday)
    returned_at = datetime.combine(monday, time(10, 0), WIB)
    remind, cancel = working_days_after(returned_at, 8, closed), working_days_after(returned_at, 10, closed)

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, returned_at)
        case_id = await start_case(time_env.client, settings, engine, sop="jathil-vendor",
                                   applicant=person(applicant), data=jathil_vendor_form())
        handle = time_env.client.get_workflow_handle(case_id)
        await handle.execute_update("decide", Decision("verify", "return", person(field_admin), reason="NIB salah"))
        await eventually(lambda: mails_to(mail_sink, applicant.email, "perlu diperbaiki"))

        await skip_to(time_env, remind + timedelta(minutes=1))
        assert near((await eventually(lambda: events(engine, case_id, "reminder")))[0].at, remind)
        await eventually(lambda: mails_to(mail_sink, applicant.email, "pengingat"))
        await skip_to(time_env, cancel - timedelta(minutes=1))
        assert not events(engine, case_id, "cancel")
        await skip_to(time_env, cancel + timedelta(minutes=1))
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "jathil-vendor-return-abandoned")

    assert result["status"] == "cancelled"
    [cancelled] = events(engine, case_id, "cancel")
    assert near(cancelled.at, cancel) and cancelled.actor_name == "Sistem"
    [notice] = await eventually(lambda: mails_to(mail_sink, applicant.email, "dibatalkan"))
    assert "Perbaikan tidak dikirim dalam 10 hari kerja" in notice["text"]
    with session_scope(engine) as session:
        assert session.get(Case, case_id).status == "cancelled"
        assert session.exec(select(Task).where(Task.case_id == case_id)).all() == []

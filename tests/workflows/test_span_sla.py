"""A case-level time standard on real parts (time-skipping server, database, calendar, mail sink): a
3-working-day span from step 1's opening to step 2's closing, begun on a Wednesday afternoon, escalates on
the Monday after the weekend at the same working instant, shows as `service_due_at` and ends with step 2."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from api.views import case_view
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.messages import Decision
from core.models import Case, Task
from core.users import person
from tests.utils import span_sop
from tests.utils.factories import make_user
from tests.utils.timeskip import events, is_working_day, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from worker import build_worker
from workflows import REGISTRY

WIB = ZoneInfo("Asia/Jakarta")


def wednesday_before_a_plain_weekend(day: date, closed: set[date]) -> bool:
    """Wednesday, Thursday, Friday and the next Monday and Tuesday all working days."""
    week = [day + timedelta(days=n) for n in (0, 1, 2, 5, 6)]
    return day.weekday() == 2 and all(is_working_day(d, closed) for d in week)


def open_step(engine, case_id: str) -> str | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        task = session.exec(select(Task).where(Task.case_id == case_id)).first()
        return task.step if task else None


def case_row(engine, case_id: str) -> Case:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


async def test_a_three_working_day_span_escalates_after_the_weekend(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    field_admin = make_user(engine, "admin_bidang", "ponorogo")
    main_admin = make_user(engine, "admin_utama", "ponorogo")
    head = make_user(engine, "kepala_dinas", "ponorogo")
    wednesday, closed = await scenario_day(time_env, wednesday_before_a_plain_weekend)
    submitted = datetime.combine(wednesday, time(13, 0), WIB)
    due = working_days_after(submitted, 3, closed)
    remind = due - timedelta(hours=2)  # 2 working hours before, the same Monday morning
    second = working_days_after(due, 1, closed)
    assert due.weekday() == 0 and (due.date() - submitted.date()).days == 5  # across the weekend

    with REGISTRY.registered(span_sop.SOP):
        async with build_worker(time_env.client, settings, engine):
            await skip_to(time_env, submitted)
            case_id = await start_case(time_env.client, settings, engine, sop="span-test",
                                       applicant=person(applicant), data={"topic": "uji"})
            assert near(case_row(engine, case_id).service_due_at, due)
            with session_scope(engine) as session:
                view = case_view(session, session.get(Case, case_id))  # type: ignore[arg-type]
            assert near(view.service_due_at, due) and view.open_steps[0].due_at is None

            handle = time_env.client.get_workflow_handle(case_id)
            await handle.execute_update("decide", Decision("verify", "valid", person(field_admin)))
            await eventually(lambda: open_step(engine, case_id) == "deliver")
            assert near(case_row(engine, case_id).service_due_at, due)  # one deadline across both steps

            await skip_to(time_env, remind - timedelta(minutes=1))
            assert not events(engine, case_id, "reminder")
            await skip_to(time_env, remind + timedelta(minutes=1))
            [reminder] = await eventually(lambda: events(engine, case_id, "reminder"))
            assert near(reminder.at, remind) and reminder.step == "service"
            await eventually(lambda: mails_to(mail_sink, field_admin.email, "pengingat"))

            await skip_to(time_env, due - timedelta(minutes=1))
            assert not events(engine, case_id, "escalation") and not case_row(engine, case_id).overdue
            await skip_to(time_env, due + timedelta(minutes=1))
            [escalation] = await eventually(lambda: events(engine, case_id, "escalation"))
            assert near(escalation.at, due) and escalation.step == "service"
            await eventually(lambda: mails_to(mail_sink, main_admin.email, "Eskalasi: Waktu layanan uji"))
            await eventually(lambda: mails_to(mail_sink, field_admin.email, "Eskalasi: Waktu layanan uji"))
            late = case_row(engine, case_id)
            assert late.overdue and near(late.service_due_at, due)

            # Step 2 closes: the span ends, the case goes on without it, and no second escalation comes.
            await handle.execute_update("decide", Decision("deliver", "delivered", person(field_admin)))
            await eventually(lambda: open_step(engine, case_id) == "archive")
            ended = case_row(engine, case_id)
            assert ended.service_due_at is None and not ended.overdue and ended.status == "open"
            await skip_to(time_env, second + timedelta(hours=1))
            assert not events(engine, case_id, "escalation2")
            assert not mails_to(mail_sink, head.email, "Eskalasi kedua")

            await handle.execute_update("decide", Decision("archive", "done", person(field_admin)))
            result = await handle.result()

    assert result["status"] == "completed"
    assert case_row(engine, case_id).service_due_at is None

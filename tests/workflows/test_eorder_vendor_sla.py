"""SLA of eorder-vendor's PJLP check on the time-skipping server: two working days across a weekend,
a reminder, then escalation to the Satpel of the case's agency; the assigned PJLP still decides."""

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
from tests.utils.factories import eorder_profile, make_user
from tests.utils.histories import maybe_save_history
from tests.utils.timeskip import events, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")


def thursday_before_a_working_friday_and_monday(day: date, closed: set[date]) -> bool:
    return day.weekday() == 3 and not {day, day + timedelta(days=1), day + timedelta(days=4)} & closed


async def scenario(env: WorkflowEnvironment) -> tuple[datetime, datetime, datetime]:
    """Assigned Thursday 10:00 WIB: due two working days later (Monday 10:00, over the weekend),
    reminded two working hours before: Friday 16:00, the closing before Monday's opening (the same
    working instant as Monday 08:00, shown as people read it)."""
    thursday, closed = await scenario_day(env, thursday_before_a_working_friday_and_monday)
    assigned = datetime.combine(thursday, time(10, 0), WIB)
    due = working_days_after(assigned, 2, closed)
    return assigned, due, datetime.combine(thursday + timedelta(days=1), time(16, 0), WIB)


def open_task(engine, case_id: str) -> Task | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.exec(select(Task).where(Task.case_id == case_id)).first()


async def test_pjlp_check_escalates_to_the_satpel(time_env: WorkflowEnvironment, settings: Settings,
                                                  mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    satpel = make_user(engine, "satpel", "dki")
    pjlp = make_user(engine, "pjlp", "dki")
    admin = make_user(engine, "admin_eorder", "dki")
    far_satpel = make_user(engine, "satpel", "jatim")
    ASSIGNED, DUE, REMIND = await scenario(time_env)
    assert DUE.weekday() == 0

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, ASSIGNED)
        case_id = await start_case(time_env.client, settings, engine, sop="eorder-vendor",
                                   applicant=person(applicant), data={"skpd": "141732", "pkt": True})
        handle = time_env.client.get_workflow_handle(case_id)
        # Decisions by the `decide` update; the API would have resolved data.pjlp into the assignee.
        await handle.execute_update("decide", Decision("fill_profile", "confirm", person(applicant),
                                                      data=eorder_profile()))
        await eventually(lambda: (t := open_task(engine, case_id)) and t.step == "assign_pjlp")
        named = {"id": pjlp.id, "name": pjlp.name, "role": "pjlp", "agency": "dki"}
        await handle.execute_update("decide", Decision("assign_pjlp", "assign", person(satpel),
                                                      data={"pjlp": pjlp.email, "assignee": named}))
        task = await eventually(lambda: (t := open_task(engine, case_id)) and t.step == "pjlp_check" and t)
        assert task.assignee_id == pjlp.id and task.queue == "PKT" and near(task.due_at, DUE)

        await skip_to(time_env, REMIND + timedelta(minutes=1))
        assert near((await eventually(lambda: events(engine, case_id, "reminder")))[0].at, REMIND)
        await eventually(lambda: mails_to(mail_sink, pjlp.email, "pengingat"))
        assert not events(engine, case_id, "escalation")

        await skip_to(time_env, DUE + timedelta(minutes=1))
        assert near((await eventually(lambda: events(engine, case_id, "escalation")))[0].at, DUE)
        await eventually(lambda: mails_to(mail_sink, satpel.email, "batas waktu"))
        await eventually(lambda: mails_to(mail_sink, pjlp.email, "batas waktu"))
        with session_scope(engine) as session:
            assert session.get(Case, case_id).overdue
        assert not [m for m in mail_sink.messages() if far_satpel.email in m["to"]]

        # Escalation informs; the assigned PJLP still does the check.
        await handle.execute_update("decide", Decision("pjlp_check", "confirm", person(pjlp)))
        await eventually(lambda: (t := open_task(engine, case_id)) and t.step == "satpel_check")
        await handle.execute_update("decide", Decision("satpel_check", "confirm", person(satpel)))
        await eventually(lambda: (t := open_task(engine, case_id)) and t.step == "activate")
        await handle.execute_update("decide", Decision("activate", "activate", person(admin)))
        result = await handle.result()
        assert (result["status"], result["stage"]) == ("completed", "Terdaftar")
        await maybe_save_history(time_env.client, case_id, "eorder-vendor-escalated")

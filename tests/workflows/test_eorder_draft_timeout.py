"""Our rule on the time-skipping server: an e-order draft (the supplier profile, a product) not confirmed
within 21 working days (about 30 days) is cancelled, the applicant reminded 4 working days before."""

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
from tests.utils.factories import eorder_product, eorder_profile, make_user
from tests.utils.histories import maybe_save_history
from tests.utils.timeskip import events, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")


def a_working_monday(day: date, closed: set[date]) -> bool:
    return day.weekday() == 0 and day not in closed


def open_task(engine, case_id: str) -> Task | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.exec(select(Task).where(Task.case_id == case_id)).first()


def status(engine, case_id: str) -> str:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.get(Case, case_id).status


async def test_an_unconfirmed_profile_is_reminded_then_cancelled(time_env: WorkflowEnvironment, settings: Settings,
                                                                 mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    monday, closed = await scenario_day(time_env, a_working_monday)
    started = datetime.combine(monday, time(10, 0), WIB)
    due, remind = working_days_after(started, 21, closed), working_days_after(started, 17, closed)
    assert 28 <= (due.date() - started.date()).days <= 40  # about 30 days

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, started)
        case_id = await start_case(time_env.client, settings, engine, sop="eorder-vendor",
                                   applicant=person(applicant), data={"skpd": "141732", "pkt": False})
        handle = time_env.client.get_workflow_handle(case_id)
        # A draft saved in part does not stop the clock: only confirming does.
        await handle.execute_update("decide", Decision("fill_profile", "save", person(applicant),
                                                      data={"business_name": eorder_profile()["business_name"]}))
        await eventually(lambda: events(engine, case_id, "save"))
        task = open_task(engine, case_id)
        assert task.step == "fill_profile" and near(task.due_at, due)

        await skip_to(time_env, remind - timedelta(minutes=1))
        assert not events(engine, case_id, "reminder")
        await skip_to(time_env, remind + timedelta(minutes=1))
        assert near((await eventually(lambda: events(engine, case_id, "reminder")))[0].at, remind)
        await eventually(lambda: mails_to(mail_sink, applicant.email, "pengingat batas waktu: pengisian data profil"))
        assert status(engine, case_id) == "open"

        await skip_to(time_env, due + timedelta(minutes=1))
        result = await handle.result()
        assert (result["status"], result["stage"]) == ("cancelled", "Dibatalkan")
        [cancelled] = events(engine, case_id, "cancel")
        assert near(cancelled.at, due) and cancelled.actor_id is None
        [mail] = await eventually(lambda: mails_to(mail_sink, applicant.email, "dibatalkan"))
        assert "Data tidak dikonfirmasi dalam 30 hari (21 hari kerja)" in mail["text"]
        assert status(engine, case_id) == "cancelled" and open_task(engine, case_id) is None
        assert not events(engine, case_id, "escalation")  # the SOP's own action instead of escalating
        await maybe_save_history(time_env.client, case_id, "eorder-vendor-draft-cancelled")


async def test_a_product_draft_deadline_follows_alur_sla_overrides(time_env: WorkflowEnvironment, settings: Settings,
                                                                   mail_sink: MailSink) -> None:
    """ALUR_SLA_OVERRIDES {"eorder-product.draft": "6d"}: cancelled 6 working days after, reminded at 2."""
    assert Settings(database_url=settings.database_url, sla_overrides={"eorder-product.draft": "6d",
                                                                       "eorder-vendor.fill_profile": "30d"})
    settings = settings.model_copy(update={"sla_overrides": {"eorder-product.draft": "6d"}})
    engine = engine_for(settings.database_url)
    applicant, pjlp = make_user(engine, "umkm"), make_user(engine, "pjlp", "dki", unit="141732")
    monday, closed = await scenario_day(time_env, a_working_monday)
    started = datetime.combine(monday, time(10, 0), WIB)
    due, remind = working_days_after(started, 6, closed), working_days_after(started, 2, closed)
    named = {"id": pjlp.id, "name": pjlp.name, "role": "pjlp", "agency": "dki"}

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, started)
        case_id = await start_case(time_env.client, settings, engine, sop="eorder-product", applicant=person(applicant),
                                   data={**eorder_product(), "supplier": "Ayam Geprek Bu Indah", "pjlp": named,
                                         "vendor_case": "eorder-vendor-2026-000001", "skpd": "141732"})
        assert near(open_task(engine, case_id).due_at, due)
        await skip_to(time_env, remind + timedelta(minutes=1))
        await eventually(lambda: mails_to(mail_sink, applicant.email, "pengingat batas waktu: pengisian detail produk"))
        await skip_to(time_env, due + timedelta(minutes=1))
        result = await time_env.client.get_workflow_handle(case_id).result()
        assert (result["status"], result["stage"]) == ("cancelled", "Dibatalkan")
        assert near(events(engine, case_id, "cancel")[0].at, due)

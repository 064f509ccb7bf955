"""The mail server is down for two hours (the time-skipping server): the cases move on meanwhile, each
notice keeps being retried (backing off to one attempt every 10 minutes), and once the server is back
every notice is delivered, once.
"""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from activities.notify import message_id_for
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.messages import Decision
from core.models import Case, Notification
from core.users import person
from tests.conftest import free_port
from tests.faults.conftest import duplicates
from tests.utils.factories import jathil_vendor_form, make_user
from tests.utils.timeskip import scenario_day, skip_to
from tests.utils.waiting import eventually
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")
DOWN = timedelta(hours=2)
LONGEST_BACKOFF = timedelta(minutes=10)  # workflows/sop.py NOTIFY_RETRY.maximum_interval


def stages(engine, case_ids: list[str]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return [(c.status, c.stage) for c in (session.get(Case, i) for i in case_ids)]


async def test_notices_wait_out_a_mail_server_down_for_two_hours(
        time_env: WorkflowEnvironment, settings: Settings, tmp_path: Path, figures) -> None:
    sink = MailSink(port=free_port(), path=tmp_path / "mailbox.jsonl", keep=1000)  # not started: SMTP is down
    settings = settings.model_copy(update={"smtp_port": sink.port})
    engine = engine_for(settings.database_url)
    applicants = [make_user(engine, "umkm") for _ in range(3)]
    field_admin = person(make_user(engine, "admin_bidang", "ponorogo"))
    main_admin = person(make_user(engine, "admin_utama", "ponorogo"))
    monday, _ = await scenario_day(time_env, lambda day, closed: day.weekday() == 0 and day not in closed)
    started = False
    try:
        async with build_worker(time_env.client, settings, engine):
            await skip_to(time_env, datetime.combine(monday, time(9, 0), WIB))
            case_ids = [await start_case(time_env.client, settings, engine, sop="jathil-vendor",
                                         applicant=person(a), data=jathil_vendor_form()) for a in applicants]
            handles = [time_env.client.get_workflow_handle(c) for c in case_ids]
            for handle in handles:
                await handle.execute_update("decide", Decision("verify", "forward", field_admin))
            for handle in handles[:2]:
                await handle.execute_update("decide", Decision("approve", "approve", main_admin))

            # The cases move on without their e-mails.
            expected_stages = [("completed", "Disetujui")] * 2 + [("open", "Persetujuan")]
            await eventually(lambda: stages(engine, case_ids) == expected_stages)
            await time_env.sleep(DOWN.total_seconds())
            assert stages(engine, case_ids) == expected_stages
            with session_scope(engine) as session:
                assert session.exec(select(Notification).where(col(Notification.case_id).in_(case_ids))).all() == []
            pending = (await handles[2].describe()).raw_description.pending_activities
            attempts = [p.attempt for p in pending if p.activity_type.name in ("send_notice", "send_notices")]
            assert attempts and min(attempts) >= 10, attempts  # retried all along, every 10 minutes by now
            assert all("connect" in p.last_failure.message.lower() for p in pending), pending[0].last_failure

            sink.start()  # the mail server is back
            started = True
            await time_env.sleep((LONGEST_BACKOFF + timedelta(minutes=1)).total_seconds())
            results = [await h.result() for h in handles[:2]]  # a case closes once its notices are out
            assert [r["status"] for r in results] == ["completed", "completed"]

            with session_scope(engine) as session:
                sent = session.exec(select(Notification).where(col(Notification.case_id).in_(case_ids))).all()
            # submitted, verify task, approve task for all three; approved and the survey invitation for two
            assert len(sent) == 3 * 3 + 2 * 2
            expected = {(n.recipient, message_id_for(n.key, settings.mail_from)) for n in sent}
            await eventually(lambda: {(m["to"], m["message_id"]) for m in sink.messages()} >= expected)
            mails = sink.messages()
            figures(f"mail server down {DOWN}: notices retried up to {max(attempts)} times; {len(mails)} e-mails "
                     f"delivered for {len(expected)} notices after it came back")
            assert len(mails) == len(expected)
            assert duplicates(mails, lambda m: m["message_id"]) == {}
            assert duplicates(mails, lambda m: (m["to"], m["subject"])) == {}
    finally:
        if started:
            sink.stop()

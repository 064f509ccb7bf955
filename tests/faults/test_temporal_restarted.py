"""The Temporal server is stopped and started again on its database file while cases wait on steps and
SLA timers: every case continues, the timers that fell due meanwhile fire, and the projection catches up.

A dev server of the test's own (`temporal server start-dev --db-filename`, a fixed port), the worker and
the API in-process. The agency is open around the clock and the verify step's standard is 8 seconds,
so that its escalation falls due while the server is down (the calendar is not what is tested here).
"""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlmodel import select
from temporalio.client import Client

import activities.calendar
from activities.calendar import CalendarActivities
from core.calendar import WorkingCalendar, WorkingTime
from core.config import Settings
from core.db import session_scope
from core.models import Case, utcnow
from tests.api.conftest import open_api
from tests.api.test_jathil_vendor_api import start
from tests.conftest import free_port
from tests.faults.conftest import DevServer
from tests.faults.test_worker_killed import take, until_answered
from tests.utils.eorder import ok
from tests.utils.timeskip import events
from tests.utils.waiting import eventually
from worker import build_worker

VERIFY_SLA = WorkingTime(seconds=8)


class AlwaysOpen(WorkingCalendar):
    """Working time is wall-clock time: open every day around the clock, to the second."""

    def add(self, start: datetime, amount: WorkingTime) -> datetime:
        return start + timedelta(days=amount.days) + amount.span

    def subtract(self, end: datetime, amount: WorkingTime) -> datetime:
        return end - timedelta(days=amount.days) - amount.span


async def test_cases_survive_a_temporal_restart(settings: Settings, tmp_path: Path, monkeypatch, mail_sink,
                                                figures) -> None:
    monkeypatch.setattr(activities.calendar, "agency_calendar", lambda engine, agency: AlwaysOpen())
    monkeypatch.setattr(CalendarActivities, "sla_for",
                        lambda self, request: VERIFY_SLA if request.step == "verify" else request.sla)
    server = DevServer(tmp_path, free_port())
    await server.start()
    try:
        client = await Client.connect(server.address)
        settings = settings.model_copy(update={"temporal_timeout": 3.0})
        async with open_api(SimpleNamespace(client=client), settings, worker=False) as api:  # type: ignore[arg-type]
            _, field_h = await api.user("admin_bidang", "ponorogo")
            main, main_h = await api.user("admin_utama", "ponorogo")
            async with build_worker(client, settings, api.engine):
                async def new_case() -> str:
                    _, applicant_h = await api.user("umkm")
                    return (await start(api, applicant_h))["id"]

                approving = [await new_case() for _ in range(3)]
                for case_id in approving:
                    await ok(await api.decide(field_h, case_id, "verify", "forward"))
                waiting = [await new_case() for _ in range(3)]  # last: their timers start just before the stop
                with session_scope(api.engine) as session:
                    started = [session.get(Case, c).created_at for c in waiting]
                first_due, last_due = min(started) + VERIFY_SLA.span, max(started) + VERIFY_SLA.span
                assert utcnow() < first_due, "the cases took longer to start than their standard"

                server.stop()
                stopped_at = utcnow()
                # Down: decisions cannot be taken (503), reads still answer from the projection.
                refused = await api.decide(field_h, waiting[0], "verify", "forward")
                assert refused.status_code == 503, refused.text
                listed = await api.http.get("/api/v1/cases", headers=field_h)
                assert listed.status_code == 200 and listed.json()["total"] == 6
                await asyncio.sleep(max(0.0, (last_due - utcnow()).total_seconds()) + 2)
                early = [(c, e.at, e.seq) for c in waiting for e in events(api.engine, c, "escalation")]
                assert not early, (early, stopped_at)

                await server.start()  # the same port and file
                restarted_at = utcnow()
                # The escalations that fell due while the server was down fire now, and are written.
                for case_id in waiting:
                    await eventually(lambda: events(api.engine, case_id, "escalation"), timeout=40)
                with session_scope(api.engine) as session:
                    assert all(session.get(Case, c).overdue for c in waiting)
                    assert not any(session.get(Case, c).overdue for c in approving)
                await eventually(lambda: len([m for m in mail_sink.messages() if main.email in m["to"]
                                              and "batas waktu" in m["subject"].lower()]) >= len(waiting))

                # Every case goes on to the end: the waiting approvals, then the escalated verifications.
                await asyncio.gather(*(take(api, main_h, c, "approve", "approve") for c in approving))
                for case_id in waiting:
                    await take(api, field_h, case_id, "verify", "forward")
                    await take(api, main_h, case_id, "approve", "approve")
                for case_id in waiting + approving:
                    view = (await until_answered(lambda: api.http.get(f"/api/v1/cases/{case_id}",
                                                                      headers=main_h))).json()
                    assert (view["status"], view["stage"]) == ("completed", "Disetujui"), view
                    actions = [h["action"] for h in view["history"]]
                    expected = ["submitted", "escalation", "forward", "approve"] if case_id in waiting \
                        else ["submitted", "forward", "approve"]
                    assert actions == expected, actions
                    assert (await client.get_workflow_handle(case_id).result())["status"] == "completed"
                with session_scope(api.engine) as session:
                    assert {c.status for c in session.exec(select(Case))} == {"completed"}
                figures(f"Temporal down {(restarted_at - stopped_at).total_seconds():.0f} s with {len(waiting)} "
                        f"SLA timers falling due: all fired after the restart, all {len(waiting + approving)} cases "
                        f"completed {(utcnow() - restarted_at).total_seconds():.0f} s after it")
    finally:
        server.stop()

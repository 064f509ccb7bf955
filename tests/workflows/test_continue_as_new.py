"""A case that receives many saves and edits continues as new before its history grows large (Temporal
caps a run's events, size and updates), and nothing of it changes across the boundary: its history,
data, open step, assignment, deadlines and timers, and the decisions that follow.

A dev server of this module's own suggests continuing as new after a few dozen events
(limit.historyCount.suggestContinueAsNew) instead of 4,096, so that a case crosses several boundaries.
"""

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import col, select
from temporalio.client import Client, WorkflowExecutionStatus

import activities.calendar
from activities.mailsink import MailSink
from core.config import Settings
from core.db import session_scope
from core.messages import Deadlines
from core.models import Notification
from core.rebuild import rebuild_projection
from tests.api.conftest import open_api
from tests.conftest import free_port
from tests.faults.conftest import DevServer
from tests.utils.eorder import dki_staff, ok, start_vendor
from tests.utils.factories import eorder_profile
from tests.utils.histories import HISTORIES
from tests.utils.timeskip import events, mails_to, near
from tests.utils.waiting import eventually

SUGGEST_AT = 60  # events in a run; a save adds about seven


@pytest.fixture(scope="module")
async def short_runs(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SimpleNamespace]:
    server = DevServer(tmp_path_factory.mktemp("temporal"), free_port(),
                       "--dynamic-config-value", f"limit.historyCount.suggestContinueAsNew={SUGGEST_AT}")
    await server.start()
    try:
        yield SimpleNamespace(client=await Client.connect(server.address))
    finally:
        server.stop()


async def runs(client: Client, case_id: str) -> list:  # type: ignore[type-arg]
    return [r async for r in client.list_workflows(f'WorkflowId = "{case_id}"')]


async def run_count(client: Client, case_id: str) -> int:
    return len(await runs(client, case_id))


async def runs_reach(client: Client, case_id: str, count: int, timeout: float = 20.0) -> int:
    deadline = asyncio.get_running_loop().time() + timeout
    while (found := await run_count(client, case_id)) < count:
        assert asyncio.get_running_loop().time() < deadline, f"{case_id} did not reach {count} runs"
        await asyncio.sleep(0.1)
    return found


async def save_runs(client: Client, case_id: str, names: dict[str, str | None]) -> None:
    """With ALUR_SAVE_HISTORIES=1, commits runs of the case to tests/histories (None: the latest run)."""
    if os.environ.get("ALUR_SAVE_HISTORIES") != "1":
        return
    for name, run_id in names.items():
        history = await client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
        (HISTORIES / f"{name}.json").write_text(json.dumps(history.to_json_dict(), indent=1))


async def test_saves_and_edits_continue_as_new_and_keep_the_case(short_runs: SimpleNamespace,
                                                                 settings: Settings) -> None:
    async with open_api(short_runs, settings) as api:  # type: ignore[arg-type]
        _, applicant_h = await api.user("umkm")
        staff = await dki_staff(api)
        case = await start_vendor(api, applicant_h)
        case_id, profile = case["id"], eorder_profile()
        due_at = case["open_steps"][0]["due_at"]

        seen: list[list] = []  # the case's history after each decision
        for n in range(1, 21):  # 20 saves: the case continues as new while its draft is open
            saved = await ok(await api.decide(applicant_h, case_id, "fill_profile", "save",
                                              data={"business_name": f"Usaha ke-{n}", "phone": profile["phone"]}))
            assert saved["data"]["business_name"] == f"Usaha ke-{n}" and saved["open_steps"][0]["due_at"] == due_at
            seen.append(saved["history"])
        for earlier, later in zip(seen, seen[1:]):
            assert later[:-1] == earlier  # each save adds one entry; nothing before it changes, boundary or not
        assert [h["action"] for h in seen[-1]] == ["submitted", *["save"] * 20]
        await runs_reach(api.temporal, case_id, 3)

        rest = {k: v for k, v in profile.items() if k not in ("business_name", "phone")}
        confirmed = await ok(await api.decide(applicant_h, case_id, "fill_profile", "confirm", data=rest))
        assert confirmed["stage"] == "Penunjukan Pembina" and confirmed["title"] == "Usaha ke-20 · Non-PKT"
        await ok(await api.decide(staff.satpel, case_id, "assign_pjlp", "assign",
                                  data={"pjlp": staff.pjlp_user.email}))
        before = await run_count(api.temporal, case_id)
        for n in range(1, 13):  # the PJLP corrects the name again and again: more runs, the script replayed
            edited = await ok(await api.decide(staff.pjlp, case_id, "pjlp_check", "edit",
                                               data={"business_name": f"Usaha Koreksi {n}"}, reason="Sesuai NIB"))
            assert edited["data"]["business_name"] == f"Usaha Koreksi {n}" and edited["stage"] == "Pengecekan PJLP"
        # It continues as new once the corrections' notices are out (a next decision first is taken first).
        await runs_reach(api.temporal, case_id, before + 1)
        # Only the assigned PJLP may decide: the assignment came through the boundary.
        _, other_pjlp = await api.user("pjlp", "dki")
        assert (await api.decide(other_pjlp, case_id, "pjlp_check", "confirm")).status_code == 403

        await ok(await api.decide(staff.pjlp, case_id, "pjlp_check", "confirm"))
        await ok(await api.decide(staff.satpel, case_id, "satpel_check", "confirm"))
        done = await ok(await api.decide(staff.admin, case_id, "activate", "activate"))
        assert (done["status"], done["stage"], done["title"]) == ("completed", "Terdaftar",
                                                                  "Usaha Koreksi 12 · Non-PKT")
        assert [h["action"] for h in done["history"]] == [
            "submitted", *["save"] * 20, "confirm", "assign", *["edit"] * 12, "confirm", "confirm", "activate"]
        assert done["history"][:21] == seen[-1]
        assert (await api.temporal.get_workflow_handle(case_id).result())["status"] == "completed"

        with session_scope(api.engine) as session:  # each correction told the applicant once, none again
            keys = session.exec(select(Notification.key).where(col(Notification.case_id) == case_id,
                                                              col(Notification.key).contains("/edited/"))).all()
        assert len(keys) == 12
        report = await rebuild_projection(api.temporal, api.engine, api.settings.task_queue)
        assert report.counts["unchanged"] >= 1 and not report.counts["rebuilt"] and not report.failed, report
        all_runs = await runs(api.temporal, case_id)
        continued = [r for r in all_runs if r.status == WorkflowExecutionStatus.CONTINUED_AS_NEW]
        assert len(continued) == len(all_runs) - 1 >= 3
        first = min(continued, key=lambda r: r.start_time)
        await save_runs(api.temporal, case_id, {"eorder-vendor-saves-continued-as-new": first.run_id,
                                                "eorder-vendor-continued-completed": None})


async def test_decisions_racing_the_boundary_are_all_taken(short_runs: SimpleNamespace, settings: Settings) -> None:
    """60 saves, four at a time: whichever run a save reaches, it is taken once and answered 200."""
    async with open_api(short_runs, settings) as api:  # type: ignore[arg-type]
        _, applicant_h = await api.user("umkm")
        case_id = (await start_vendor(api, applicant_h))["id"]
        limit = asyncio.Semaphore(4)

        async def save(n: int):  # type: ignore[no-untyped-def]
            async with limit:
                return await api.decide(applicant_h, case_id, "fill_profile", "save", data={"business_name": f"U{n}"})

        answers = await asyncio.gather(*(save(n) for n in range(60)))
        assert [a.status_code for a in answers] == [200] * 60, [a.text for a in answers if a.status_code != 200][:3]
        view = (await api.http.get(f"/api/v1/cases/{case_id}", headers=applicant_h)).json()
        assert [h["action"] for h in view["history"]] == ["submitted", *["save"] * 60]
        assert sorted(h["data"]["business_name"] for h in view["history"][1:]) == sorted(f"U{n}" for n in range(60))
        assert await run_count(api.temporal, case_id) >= 3


REMIND_AFTER, DUE_AFTER = timedelta(seconds=3), timedelta(seconds=10)


async def test_draft_timers_go_off_once_across_runs(short_runs: SimpleNamespace, settings: Settings,
                                                   mail_sink: MailSink, monkeypatch: pytest.MonkeyPatch) -> None:
    """The draft's reminder and its automatic cancel, in seconds here: once each, in whichever run."""
    computed = activities.calendar.deadlines_for

    def seconds_for_the_draft(calendar, request, sla):  # type: ignore[no-untyped-def]
        if request.step != "fill_profile":
            return computed(calendar, request, sla)
        return Deadlines(due_at=request.start + DUE_AFTER, remind_at=request.start + REMIND_AFTER)

    monkeypatch.setattr(activities.calendar, "deadlines_for", seconds_for_the_draft)
    async with open_api(short_runs, settings) as api:  # type: ignore[arg-type]
        applicant, applicant_h = await api.user("umkm")
        case = await start_vendor(api, applicant_h)
        case_id, started = case["id"], case["open_steps"][0]["started_at"]

        async def saves(first: int, last: int) -> None:
            for n in range(first, last + 1):
                await ok(await api.decide(applicant_h, case_id, "fill_profile", "save",
                                          data={"business_name": f"Usaha ke-{n}"}))

        await saves(1, 8)
        await runs_reach(api.temporal, case_id, 2)
        await eventually(lambda: events(api.engine, case_id, "reminder"))
        runs_at_reminder = await run_count(api.temporal, case_id)
        await saves(9, 16)  # after the reminder: more runs, which must not remind again
        await runs_reach(api.temporal, case_id, runs_at_reminder + 1)
        result = await api.temporal.get_workflow_handle(case_id).result()
        assert (result["status"], result["stage"]) == ("cancelled", "Dibatalkan")

    [reminder] = events(api.engine, case_id, "reminder")
    [cancelled] = events(api.engine, case_id, "cancel")
    began = datetime.fromisoformat(started)
    assert near(reminder.at, began + REMIND_AFTER) and near(cancelled.at, began + DUE_AFTER)
    assert len(mails_to(mail_sink, applicant.email, "pengingat batas waktu: pengisian data profil")) == 1
    assert len(await eventually(lambda: mails_to(mail_sink, applicant.email, "dibatalkan"))) == 1

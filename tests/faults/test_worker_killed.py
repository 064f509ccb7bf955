"""The worker is killed (SIGKILL) in the middle of 20 running cases and started again: every case
finishes, each decision is taken once, no e-mail is lost, and none reaches a mail client twice.

The worker runs as its own OS process (`python worker.py`), as in production; the API runs in-process.
The SMTP sink counts what arrives: by Message-ID (each notice's is derived from its key, so a copy a
crash lets through would show as a repeated id) and by recipient and subject.
"""

import asyncio
import time
from datetime import datetime
from pathlib import Path

import httpx
from sqlmodel import col, func, select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from activities.notify import message_id_for
from core.config import Settings
from core.db import session_scope
from core.models import Case, Notification, utcnow
from tests.api.conftest import Api, open_api
from tests.conftest import free_port
from tests.faults.conftest import address_of, duplicates, kill, start_worker, stop
from tests.utils.factories import jathil_vendor_form
from tests.utils.waiting import eventually


CASES = 20
MAILS_PER_CASE = 5  # submitted, verify task, approve task, approved, the survey invitation
KILL_AFTER = 8  # cases forwarded (some approvals then in flight) when the worker is killed
STAGGER = 0.15  # seconds between one case's decisions and the next's


async def until_answered(call, attempts: int = 60) -> httpx.Response:  # type: ignore[no-untyped-def]
    """What a user does on a 503 (worker or Temporal away): wait a moment and try again."""
    for _ in range(attempts):
        answer = await call()
        if answer.status_code != 503:
            return answer
        await asyncio.sleep(0.5)
    return answer


async def take(api: Api, headers: dict, case_id: str, step: str, action: str) -> None:
    """One decision, retried while unavailable; a 409 after a retry means an earlier attempt went through."""
    answer = await until_answered(lambda: api.decide(headers, case_id, step, action))
    if answer.status_code == 409:
        view = (await api.http.get(f"/api/v1/cases/{case_id}", headers=headers)).json()
        assert [h for h in view["history"] if h["step"] == step and h["action"] == action], view["history"]
        return
    assert answer.status_code == 200, answer.text


def forwarded(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        query = select(func.count()).select_from(Case).where(col(Case.stage).in_(("Persetujuan", "Disetujui")))
        return session.exec(query).one()


async def test_worker_killed_mid_flight_loses_nothing_and_sends_nothing_twice(
        dev_env: WorkflowEnvironment, settings: Settings, tmp_path: Path, figures) -> None:
    sink = MailSink(port=free_port(), path=tmp_path / "mailbox.jsonl", keep=1000)
    sink.start()
    settings = settings.model_copy(update={"smtp_port": sink.port, "temporal_timeout": 3.0})
    address = address_of(dev_env.client)
    workers = [start_worker(settings, address, tmp_path / "worker-1.log")]
    try:
        async with open_api(dev_env, settings, worker=False) as api:
            _, field_h = await api.user("admin_bidang", "ponorogo")
            _, main_h = await api.user("admin_utama", "ponorogo")
            applicants = [await api.user("umkm") for _ in range(CASES)]
            case_ids = []
            for _, applicant_h in applicants:
                started = await until_answered(lambda: api.http.post(
                    "/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=applicant_h))
                assert started.status_code == 201, started.text
                case_ids.append(started.json()["id"])

            async def officers(n: int, case_id: str) -> None:
                await asyncio.sleep(n * STAGGER)  # the officers work through their inboxes, not all at once
                await take(api, field_h, case_id, "verify", "forward")
                await take(api, main_h, case_id, "approve", "approve")

            deciding = asyncio.gather(*(officers(n, c) for n, c in enumerate(case_ids)))
            await eventually(lambda: forwarded(api.engine) >= KILL_AFTER, timeout=30)
            kill(workers[0])
            killed_at, killed_wall = time.monotonic(), utcnow()
            forwarded_before = forwarded(api.engine)
            with session_scope(api.engine) as session:
                done_before = session.exec(select(func.count()).select_from(Case)
                                           .where(Case.status == "completed")).one()
            workers.append(start_worker(settings, address, tmp_path / "worker-2.log"))
            await deciding

            results = await asyncio.gather(*(api.temporal.get_workflow_handle(c).result() for c in case_ids))
            recovered = time.monotonic() - killed_at
            assert [r["status"] for r in results] == ["completed"] * CASES
            for case_id in case_ids:
                view = (await api.http.get(f"/api/v1/cases/{case_id}", headers=main_h)).json()
                assert (view["status"], view["stage"]) == ("completed", "Disetujui"), view
                assert [h["action"] for h in view["history"]] == ["submitted", "forward", "approve"]

            with session_scope(api.engine) as session:
                sent = session.exec(select(Notification).where(col(Notification.case_id).in_(case_ids))).all()
            assert len(sent) == CASES * MAILS_PER_CASE
            expected = {(n.recipient, message_id_for(n.key, settings.mail_from)) for n in sent}
            await eventually(lambda: {(m["to"], m["message_id"]) for m in sink.messages()} >= expected)
            mails = sink.messages()
            by_id = duplicates(mails, lambda m: m["message_id"])
            by_subject = duplicates(mails, lambda m: (m["to"], m["subject"]))
            missing = expected - {(m["to"], m["message_id"]) for m in mails}
            figures(f"worker killed with {done_before}/{CASES} cases completed, {forwarded_before} past "
                    f"verification; all {CASES} completed {recovered:.1f} s after the kill; {len(mails)} e-mails "
                    f"received for {len(expected)} notices; repeated by Message-ID {len(by_id)}, by recipient "
                    f"and subject {len(by_subject)}; missing {len(missing)}")
            assert done_before < CASES
            assert not missing
            # Every notice once. Sending and recording cannot be one step: a kill between the SMTP
            # server's "250" and the row resends that one message on retry, with the same Message-ID, so
            # the mail client drops the copy. Such copies are allowed only that way: the first one
            # arrived before the kill, and a single instant catches at most two sends; a second message
            # with an id of its own is never allowed.
            assert len({m["message_id"] for m in mails}) == len(expected) == CASES * MAILS_PER_CASE
            assert len({(m["to"], m["subject"]) for m in mails}) == len(expected)
            assert sum(n - 1 for n in by_id.values()) <= 2, by_id
            for message_id in by_id:
                first = min(datetime.fromisoformat(m["received_at"]) for m in mails if m["message_id"] == message_id)
                assert first <= killed_wall, (message_id, first, killed_wall)
    finally:
        for worker in workers:
            stop(worker)
        sink.stop()

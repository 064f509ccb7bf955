"""Helpers for SLA tests on the time-skipping server: move its clock, read what the timers did."""

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.db import session_scope
from core.models import CaseEvent


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    await env.sleep((moment - await env.get_current_time()).total_seconds())


def near(actual: datetime | None, expected: datetime) -> bool:
    """The case starts a few milliseconds after the clock reaches the scenario's start."""
    return actual is not None and abs(actual - expected) < timedelta(seconds=5)


def events(engine: Engine, case_id: str, action: str) -> list[CaseEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == action)))


def mails_to(sink: MailSink, address: str, subject_part: str) -> list[dict]:
    return [m for m in sink.messages() if address in m["to"] and subject_part.lower() in m["subject"].lower()]

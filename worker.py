"""One worker: every SOP workflow and activity on one task queue. `python worker.py` or `alur worker`."""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.calendar import CalendarActivities
from activities.cases import CaseActivities
from activities.digest import DigestActivities
from activities.documents import DocumentActivities
from activities.generated import GeneratedDocumentActivities
from activities.notify import NotifyActivities
from activities.records import RecordActivities
from core.config import Settings, get_settings
from core.db import engine_for
from workflows import REGISTRY
from workflows.digest import DigestWorkflow, ensure_digest_schedules


# Pure validation libraries that our forms call inside workflow code: load them once, outside the sandbox.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "pydantic", "pydantic_core", "email_validator", "idna", "stdnum", "holidays", "core",
        # An SOP module's intake rules query the database (the API calls them, never the workflow).
        "sqlalchemy", "sqlmodel",
        # Our own workflow modules hold no state at import (definitions and forms are constants), so they
        # are loaded once instead of again for every workflow run: starts no longer pay for re-imports.
        "workflows",
    )
)


def activities_for(settings: Settings, engine: Engine) -> list:
    """The engine's activities, then every SOP module's own."""
    calendar = CalendarActivities(settings, engine)
    records = RecordActivities(engine)
    notify = NotifyActivities(settings, engine)
    documents = DocumentActivities(engine)
    cases = CaseActivities(engine)
    generated = GeneratedDocumentActivities(settings, engine)
    digest = DigestActivities(settings, engine)
    return [calendar.compute_deadlines, records.record_case, notify.send_notice, notify.send_notices,
            documents.record_documents,
            cases.allocate_case, generated.generate_document, digest.digest_working_day, digest.send_digest,
            *REGISTRY.activities(settings, engine)]


def build_worker(client: Client, settings: Settings, engine: Engine | None = None) -> Worker:
    engine = engine or engine_for(settings.database_url)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[*REGISTRY.workflows(), DigestWorkflow],  # the SOPs, and the daily digest (not an SOP)
        workflow_runner=WORKFLOW_RUNNER,
        activities=activities_for(settings, engine),
        activity_executor=ThreadPoolExecutor(8),
    )


async def run_worker(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    logging.getLogger(__name__).info("worker on %s, queue %s", settings.temporal_address, settings.task_queue)
    await ensure_digest_schedules(client, settings)  # idempotent: created once, updated after
    await build_worker(client, settings).run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker())

"""Starting a case: a readable id, a tracking code, and the workflow with its search attributes."""

import asyncio
import secrets
from weakref import WeakKeyDictionary
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from anyio import to_thread
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core.config import Settings
from core.roles import agency_timezone
from workflows import WORKFLOW_BY_SOP
from workflows.sop import start_search_attributes
from core.db import session_scope
from core.messages import CaseStart, DecisionResult, DocumentUpload, Person
from core.models import CaseCounter

MAX_ID_ATTEMPTS = 1000
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


class CaseNotConfirmed(Exception):
    """The workflow started but did not confirm its first projection in time (no worker running):
    the case exists and is written when a worker picks it up."""

    def __init__(self, case_id: str) -> None:
        super().__init__(case_id)
        self.case_id = case_id


def case_year(agency: str | None, at: datetime) -> int:
    """The year in a case id: the agency's calendar year at `at`."""
    return at.astimezone(ZoneInfo(agency_timezone(agency))).year


def next_case_id(engine: Engine, sop: str, year: int) -> str:
    """<sop>-<year>-<seq>, e.g. jathil-vendor-2026-000042: one atomic increment, so concurrent starts
    never draw the same number (the first of a year inserts the row; a racing insert retries)."""
    increment = (update(CaseCounter).where(col(CaseCounter.sop) == sop, col(CaseCounter.year) == year)
                 .values(last=col(CaseCounter.last) + 1).returning(col(CaseCounter.last)))
    while True:
        with session_scope(engine) as session:
            drawn = session.exec(increment).scalar_one_or_none()  # type: ignore[call-overload]
            if drawn is None:
                session.add(CaseCounter(sop=sop, year=year, last=1))
                drawn = 1
            try:
                session.commit()
            except IntegrityError:  # another start inserted this year's row first: increment it
                continue
            return f"{sop}-{year}-{drawn:06d}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


async def start_case(
    client: Client, settings: Settings, engine: Engine, *, sop: str, applicant: Person, data: dict,
    title: str = "", parent_id: str | None = None, agency: str | None = None,
    documents: list[DocumentUpload] | None = None,
) -> str:
    """Starts the SOP's workflow and returns once its first projection is written (CaseNotConfirmed
    after settings.temporal_timeout; RPCError when Temporal cannot be reached)."""
    workflow_class = WORKFLOW_BY_SOP[sop]
    definition = workflow_class.definition
    agency = agency or definition.agency
    year = case_year(agency, datetime.now(timezone.utc))
    for _ in range(MAX_ID_ATTEMPTS):
        # An id Temporal already knows (a database restored from an older backup) is skipped.
        case_id = await to_thread.run_sync(next_case_id, engine, sop, year)
        start = CaseStart(case_id=case_id, sop=sop, agency=agency,
                          tracking_code=new_tracking_code(), applicant=applicant, data=data, title=title,
                          parent_id=parent_id, documents=documents or [])
        options = dict(id=case_id, task_queue=settings.task_queue,
                       id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                       search_attributes=start_search_attributes(sop, start.agency, definition.steps[0].stage))
        try:
            if _one_round_trip.get(client, True):
                await _update_with_start(client, settings, workflow_class, start, options)
            else:
                await _start_then_sync(client, settings, workflow_class, start, options)
        except WorkflowAlreadyStartedError:
            continue
        return case_id
    raise RuntimeError(f"no free case id for {sop} {year} after {MAX_ID_ATTEMPTS} attempts")


# Servers that do not offer update-with-start (older ones answer unimplemented, or permission denied
# where it is switched off), by client: start, then sync (which reports any other cause of a refusal).
WITHOUT_UPDATE_WITH_START = {RPCStatusCode.UNIMPLEMENTED, RPCStatusCode.PERMISSION_DENIED}
_one_round_trip: "WeakKeyDictionary[Client, bool]" = WeakKeyDictionary()


async def _update_with_start(client: Client, settings: Settings, workflow_class: type, start: CaseStart,
                             options: dict) -> None:
    """Start and the `sync` update in one request: the first workflow task opens the case, writes its
    projection and answers (one round trip instead of two)."""
    operation = WithStartWorkflowOperation(workflow_class.run, start, id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                                           **options)
    try:
        async with asyncio.timeout(settings.temporal_timeout):
            await client.execute_update_with_start_workflow(
                workflow_class.sync, start_workflow_operation=operation, result_type=DecisionResult,
                rpc_timeout=timedelta(seconds=settings.temporal_timeout))
    except RPCError as error:
        if error.status not in WITHOUT_UPDATE_WITH_START:
            raise
        _one_round_trip[client] = False
        await _start_then_sync(client, settings, workflow_class, start, options)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        if not await _started(client, start.case_id):
            raise RPCError("no answer from Temporal", RPCStatusCode.DEADLINE_EXCEEDED, b"") from None
        raise CaseNotConfirmed(start.case_id) from None
    finally:
        _retrieve(operation)


def _retrieve(operation: WithStartWorkflowOperation) -> None:
    """The operation keeps the start's error for workflow_handle(), which we do not call: taken here,
    asyncio does not log it as never retrieved (the SDK has no public way to check the future)."""
    future = getattr(operation, "_workflow_handle", None)
    if isinstance(future, asyncio.Future) and future.done() and not future.cancelled():
        future.exception()


async def _started(client: Client, case_id: str) -> bool:
    """Whether the workflow of an update-with-start that did not answer in time was started (the server
    answers the start only with the update, so a start without a worker says nothing until then)."""
    try:
        await client.get_workflow_handle(case_id).describe(rpc_timeout=timedelta(seconds=5))
        return True
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise


async def _start_then_sync(client: Client, settings: Settings, workflow_class: type, start: CaseStart,
                           options: dict) -> None:
    handle = await client.start_workflow(workflow_class.run, start, rpc_timeout=timedelta(seconds=settings.temporal_timeout),
                                         **options)
    try:
        async with asyncio.timeout(settings.temporal_timeout):
            await handle.execute_update(workflow_class.sync, result_type=DecisionResult)
    except TimeoutError:
        raise CaseNotConfirmed(start.case_id) from None

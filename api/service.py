"""What the JSON API and the pages both do: find a visible case, start a case, decide a step, add a document.

Errors are ApiError(status, detail); the API returns them as JSON, the pages as Indonesian messages.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakValueDictionary

from fastapi.responses import FileResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session, and_, col, or_, select
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.claims import one_start_at_a_time
from api.documents import Incoming, check_files, discard_all, missing_required, store_all
from api.errors import ApiError, retry_later
from api.intake import Visitor, Way, applicant_of, form_errors, split_body, way_in
from api.views import CaseView, DocumentView, TrackingView, case_view, document_view, tracking_view
from core.cases import CaseNotConfirmed, start_case
from core.config import Settings
from core.documents import stored_path
from core.generated import restore
from core.forms import check
from core.messages import CaseStatus, Decision, DecisionResult, Person
from core.models import Case, Task, User
from core.models_gallery import Document
from core.models_owners import delegated
from core.roles import NO_ACCOUNT, ROLE_TITLES, is_staff
from core.users import find_staff, person
from workflows import INTAKES, REGISTRY, SOPS, WORKFLOW_BY_SOP
from workflows.module import Intake, IntakeRefused
from workflows.sop import FORBIDDEN, INVALID, NOT_OPEN, SopWorkflow

log = logging.getLogger(__name__)
NOT_FOUND = "Kasus tidak ditemukan"
NOT_TAKEN = "Kasus tidak menerima keputusan ini sekarang; muat ulang halaman kasus"
DOCUMENT_NOT_FOUND = "Dokumen tidak ditemukan"
TEMPORAL_DOWN = "Layanan alur kerja sedang tidak tersedia; coba lagi sebentar lagi"
NOT_CONFIRMED = ("Mesin alur kerja belum menjawab, jadi keputusan Anda belum tentu tersimpan. "
                 "Muat ulang kasus ini sebentar lagi sebelum mengulang keputusan.")
# Temporal's answers that mean "not now" rather than "no": the server or the network is down or overloaded.
UNAVAILABLE = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED,
               RPCStatusCode.CANCELLED}




# Who sees a case, in one place: applicants their own cases; staff their agency's, and staff who belong
# to a unit inside it (users.unit, e.g. a Satpel's SKPD) only the cases of that unit and those without
# one. `can_see` is the rule for one case, `visible_cases` the same rule as a query condition (lists,
# inboxes, queues). A decision goes through visible_case first, so `may_act` judges visible tasks only.


def in_unit(user: User, unit: str | None) -> bool:
    return user.unit is None or unit is None or unit == user.unit


def can_see(user: User, case: Case) -> bool:
    if is_staff(user.role):
        return case.agency == user.agency and in_unit(user, case.unit)
    return case.applicant_id == user.id or is_participant(user, case)


def is_participant(user: User, case: Case) -> bool:
    """The second participant an SOP names in its data (an order's seller) sees the case too."""
    workflow_class = WORKFLOW_BY_SOP.get(case.sop)
    key = workflow_class.participant_from if workflow_class else None
    named = (case.data or {}).get(key) if key else None
    return isinstance(named, dict) and named.get("id") == user.id


def visible_cases(user: User) -> Any:
    """`can_see` as a condition on Case, for queries."""
    if not is_staff(user.role):
        participant = [and_(col(Case.sop) == sop, col(Case.data)[w.participant_from]["id"].as_integer() == user.id)
                       for sop, w in WORKFLOW_BY_SOP.items() if w.participant_from]
        return or_(col(Case.applicant_id) == user.id, *participant)
    agency = col(Case.agency) == user.agency
    if user.unit is None:
        return agency
    return and_(agency, or_(col(Case.unit).is_(None), col(Case.unit) == user.unit))


def visible_case(session: Session, user: User, case_id: str) -> Case:
    """Another agency's case, or another applicant's, does not exist for this user: 404."""
    case = session.get(Case, case_id)
    if case is None or not can_see(user, case):
        raise ApiError(404, NOT_FOUND)
    return case


def may_act(user: User, task: Task) -> bool:
    """On a task of a case the user may see (visible_case). A task a colleague claimed is theirs alone."""
    if task.claimed_by_id is not None and task.claimed_by_id != user.id:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return task.role == user.role and task.agency == user.agency


async def open_case(client: Client, settings: Settings, engine: Engine, user: User | None, sop: str,
                    body: Any, files: Sequence[Incoming] = (), visitor: Visitor | None = None) -> CaseView:
    """Starts a case online (an account for itself), offline (staff of `Intake.staff_roles` for someone
    without an account) or, for a public SOP, without an account (`user` None: the visitor's address
    counts against the rate limit first). See api.intake."""
    intake = INTAKES.get(sop)
    if intake is None or sop not in SOPS:
        raise ApiError(404, "Layanan tidak ditemukan")
    way = way_in(intake, user)
    if user is None:
        if visitor is None:
            raise ApiError(401, "Silakan masuk terlebih dahulu")
        await run_in_threadpool(visitor.admit)  # counted in the database
        return await _open_case(client, settings, engine, None, way, sop, intake, body, files)
    # One start at a time per account and SOP, in every API process (api.claims).
    async with one_start_at_a_time(engine, sop, user.id or 0, wait=settings.temporal_timeout + 5,
                                   stale=2 * settings.temporal_timeout + 60):
        return await _open_case(client, settings, engine, user, way, sop, intake, body, files)


async def _open_case(client: Client, settings: Settings, engine: Engine, user: User | None, way: Way, sop: str,
                     intake: Intake, body: Any, files: Sequence[Incoming]) -> CaseView:
    """Files (multipart starts) are checked with the form, in one 422, and stored only then."""
    if way is Way.ONLINE:
        await run_in_threadpool(with_session, engine, refuse_unless, intake.eligible, user)
    form = SOPS[sop].start_form
    split = split_body(way, intake, form, body, user)  # type: ignore[arg-type]
    checked = check(form, split.form_body)  # type: ignore[arg-type]
    data, errors = checked.data, split.errors + form_errors(split, list(checked.errors))
    accepted, file_errors = check_files(SOPS[sop], list(files), settings)
    errors += file_errors + missing_required(SOPS[sop], list(files))
    if errors:
        raise ApiError(422, errors)
    data = await run_in_threadpool(with_session, engine, refuse_unless, intake.prepare, user, data)
    data = {**data, **split.reserved}
    agency = intake.agency(data) or SOPS[sop].agency
    if way is Way.OFFLINE and user is not None and agency != user.agency:
        await _abandon(settings, engine, intake, data, [])
        raise ApiError(403, "Anda hanya dapat mendaftarkan kasus untuk instansi Anda sendiri")
    applicant = applicant_of(way, user, data)
    uploads = await run_in_threadpool(store_all, settings, accepted, person(user) if user else applicant)
    try:
        case_id = await start_case(client, settings, engine, sop=sop, applicant=applicant, data=data,
                                   title=intake.title(data), agency=agency, documents=uploads)
    except CaseNotConfirmed as pending:  # started: the worker writes it when it runs again; keep the files
        raise retry_later(f"Permohonan Anda tercatat dengan nomor {pending.case_id}, tetapi belum selesai "
                          "diproses. Periksa daftar kasus Anda sebentar lagi; tidak perlu mengajukan ulang.") from None
    except RPCError as error:
        await _abandon(settings, engine, intake, data, uploads)
        raise temporal_refusal(error) from None
    except BaseException:
        await _abandon(settings, engine, intake, data, uploads)
        raise
    return await run_in_threadpool(load_view, engine, case_id, user)


async def _abandon(settings: Settings, engine: Engine, intake: Intake, data: dict[str, Any],
                   uploads: list[Any]) -> None:
    """The case did not start: nothing it would have held stays held (files, reserved stock)."""
    discard_all(settings, uploads)
    await run_in_threadpool(with_session, engine, intake.undo, data)


def with_session(engine: Engine, function: Callable[..., Any], *args: Any) -> Any:
    """Runs function(session, *args) in a short session of its own (call it in a thread)."""
    with Session(engine, expire_on_commit=False) as session:
        return function(session, *args)


def refuse_unless(session: Session, check_records: Callable[..., Any], *args: Any) -> Any:
    try:
        return check_records(session, *args)
    except IntakeRefused as refused:
        raise ApiError(refused.status, refused.message) from None


def load_view(engine: Engine, case_id: str, user: User | None) -> CaseView:
    """After a start or a decision: the case as the user sees it (a public start: as submitted)."""
    with Session(engine) as session:
        if user is None:
            return case_view(session, session.get(Case, case_id))  # type: ignore[arg-type]
        return visible_view(session, user, case_id)


def visible_view(session: Session, user: User, case_id: str) -> CaseView:
    """The case as this user may see it (404 otherwise): a second participant (an order's seller) sees
    only what its SOP lets it see of the applicant's case."""
    case = visible_case(session, user, case_id)
    view = case_view(session, case)
    if is_staff(user.role):
        return view
    module = REGISTRY[case.sop]
    history = [h.model_copy(update={"data": {}}) if h.step in module.staff_only_steps else h for h in view.history]
    if case.applicant_id == user.id:
        return view.model_copy(update={"history": history})
    return view.model_copy(update={
        "history": history,
        "data": {k: v for k, v in view.data.items() if k in module.participant_data},
        "documents": [d for d in view.documents if d.kind in module.participant_documents],
    })


def temporal_refusal(error: RPCError) -> ApiError:
    """Temporal's own words stay in the log; the client gets a plain Indonesian answer."""
    log.warning("Temporal refused: %s %s", error.status, error.message)
    if error.status in UNAVAILABLE:
        return retry_later(TEMPORAL_DOWN)
    return ApiError(409, NOT_TAKEN)


@asynccontextmanager
async def answered_within(seconds: float) -> AsyncIterator[None]:
    """A stopped worker never answers: after `seconds`, 503. An update sent by then may still be
    taken when the worker returns, so the message asks to reload before deciding again (a repeat is a 409)."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise retry_later(NOT_CONFIRMED) from None


# Decisions on one case go to its workflow one at a time from this process: a double click or a second
# officer then meets the first one's result in the projection (409) instead of racing it in Temporal.
# The workflow still refuses a second decision on its own (several API processes).
_case_locks: "WeakValueDictionary[str, asyncio.Lock]" = WeakValueDictionary()


def case_lock(case_id: str) -> asyncio.Lock:
    return _case_locks.setdefault(case_id, asyncio.Lock())


async def update_case(client: Client, case_id: str, update: Callable[..., Any], argument: Any, timeout: float) -> None:
    """Sends an update to the case's workflow; its refusals become 403, 409 or 422, no answer in time 503."""
    async with answered_within(timeout):
        await send_update(client, case_id, update, argument)


async def send_update(client: Client, case_id: str, update: Callable[..., Any], argument: Any) -> None:
    try:
        await client.get_workflow_handle(case_id).execute_update(update, argument, result_type=DecisionResult)
    except WorkflowUpdateFailedError as failed:
        cause = failed.cause
        if isinstance(cause, ApplicationError):
            raise _refusal(cause) from None
        log.warning("update %s on %s failed: %s", update, case_id, cause)
        raise ApiError(409, NOT_TAKEN) from None
    except RPCError as error:  # Temporal down (503), or the workflow closed since our check (409)
        raise temporal_refusal(error) from None


def _refusal(error: ApplicationError) -> ApiError:
    if error.type == INVALID:
        return ApiError(422, error.details[0] if error.details else str(error))
    return ApiError({NOT_OPEN: 409, FORBIDDEN: 403}.get(error.type or "", 409), str(error.message))


def with_assignee(session: Session, case: Case, step: str, action: str,
                  data: dict[str, Any] | None) -> dict[str, Any] | None:
    """An assigning action (Action.assigns) names staff by user id or e-mail in data[<role>] (or the
    action's own key); the workflow, which cannot read the database, gets the resolved person in
    data["assignee"], or, for an action naming several (Action.several: a list, or one value), the
    resolved people in data["assignees"]."""
    found = SOPS[case.sop].step(step).action(action)
    if found is None or found.assigns is None:
        return data
    role, key = found.assigns, found.assign_key or found.assigns
    title = ROLE_TITLES.get(role, role)
    named = (data or {}).get(key)
    if not found.several:
        staff = find_staff(session, case.agency, role, named, unit=case.unit)
        if staff is None:
            raise ApiError(422, [{"loc": ["body", "data", key], "type": "assignee",
                                  "msg": f"Isi dengan id atau e-mail seorang {title} pada instansi ini"}])
        staff, away = delegated(session, staff)
        return {**(data or {}), "assignee": _assigned(staff), **_delegations([(away, staff)])}
    refs = named if isinstance(named, list) else [] if named in (None, "") else [named]
    if not refs:
        raise ApiError(422, [{"loc": ["body", "data", key], "type": "assignee",
                              "msg": f"Isi dengan id atau e-mail satu atau lebih {title} pada instansi ini"}])
    people, errors, handovers = [], [], []
    for n, ref in enumerate(refs):
        staff = find_staff(session, case.agency, role, ref, unit=case.unit)
        if staff is None:
            errors.append({"loc": ["body", "data", key, n], "type": "assignee",
                           "msg": f"Isi dengan id atau e-mail seorang {title} pada instansi ini"})
            continue
        staff, away = delegated(session, staff)  # away: their delegate takes it
        handovers.append((away, staff))
        if any(p["id"] == staff.id for p in people):
            errors.append({"loc": ["body", "data", key, n], "type": "assignee",
                           "msg": f"{staff.name} sudah disebut"})
        else:
            people.append(_assigned(staff))
    if errors:
        raise ApiError(422, errors)
    return {**(data or {}), "assignees": people, **_delegations(handovers)}


def _assigned(staff: User) -> dict[str, Any]:
    return {"id": staff.id, "name": staff.name, "role": staff.role, "agency": staff.agency}


def _delegations(handovers: list[tuple[User | None, User]]) -> dict[str, Any]:
    """data["delegations"] for the engine to record ("didelegasikan dari ..."), when any applied."""
    applied = [{"from": _assigned(away), "to": _assigned(staff)} for away, staff in handovers if away is not None]
    return {"delegations": applied} if applied else {}


def decision_data(session: Session, user: User, case_id: str, step: str, action: str,
                  data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Refuses from the projection what the workflow would refuse anyway (cheaper, and readable while
    the worker is down); returns the data with any assignee resolved."""
    case = visible_case(session, user, case_id)
    if case.status != CaseStatus.OPEN:
        raise ApiError(409, "Kasus sudah ditutup")
    tasks = session.exec(select(Task).where(Task.case_id == case_id, Task.step == step)).all()
    if not tasks:
        raise ApiError(409, f"Langkah {step!r} tidak sedang terbuka")
    if not any(may_act(user, task) for task in tasks):  # a step given to several people: a row each
        claimer = tasks[0].claimed_by_name if tasks[0].claimed_by_id not in (None, user.id) else None
        raise ApiError(403, f"Langkah ini sedang diambil oleh {claimer}" if claimer
                       else "Anda tidak berwenang pada langkah ini")
    return with_assignee(session, case, step, action, data)


async def decide(client: Client, settings: Settings, engine: Engine, user: User, case_id: str, step: str,
                 action: str, reason: str | None = None, data: dict[str, Any] | None = None) -> CaseView:
    async with answered_within(settings.temporal_timeout), case_lock(case_id):
        data = await run_in_threadpool(with_session, engine, decision_data, user, case_id, step, action, data)
        decision = Decision(step=step, action=action, actor=person(user), reason=reason, data=data)
        await send_update(client, case_id, SopWorkflow.decide, decision)
    return await run_in_threadpool(load_view, engine, case_id, user)


def tracked_step(session: Session, tracking_code: str, step: str) -> tuple[Case, Person]:
    """The case of a tracking code whose applicant has no account, with the actor the API vouches for on
    their own (applicant) step: 404 unknown code; 403 a step that is not the applicant's, or an applicant
    with an account (they log in); 409 not open now."""
    case = session.exec(select(Case).where(Case.tracking_code == tracking_code.strip().upper())).first()
    if case is None:
        raise ApiError(404, "Nomor lacak tidak ditemukan")
    definition = SOPS.get(case.sop)
    own = definition is not None and any(s.id == step and s.applicant_step for s in definition.steps)
    if case.applicant_id is not None or not own:
        raise ApiError(403, "Langkah ini tidak dapat dilakukan melalui nomor lacak")
    if case.status != CaseStatus.OPEN:
        raise ApiError(409, "Kasus sudah ditutup")
    if session.exec(select(Task).where(Task.case_id == case.id, Task.step == step)).first() is None:
        raise ApiError(409, f"Langkah {step!r} tidak sedang terbuka")
    return case, Person(id=None, name=case.applicant_name, role=NO_ACCOUNT, agency=case.agency)


async def decide_by_tracking_code(client: Client, settings: Settings, engine: Engine, tracking_code: str, step: str,
                                  action: str, reason: str | None = None,
                                  data: dict[str, Any] | None = None) -> TrackingView:
    """An applicant without an account acts on their own step (e.g. rates a complaint's response) with the
    case's tracking code, which only they were given."""
    async with answered_within(settings.temporal_timeout):
        case, actor = await run_in_threadpool(with_session, engine, tracked_step, tracking_code, step)
        async with case_lock(case.id):
            decision = Decision(step=step, action=action, actor=actor, reason=reason, data=data)
            await send_update(client, case.id, SopWorkflow.decide, decision)
    return await run_in_threadpool(with_session, engine, lambda session: tracking_view(session, session.get(Case, case.id)))


# ---- documents -------------------------------------------------------------------------------


async def add_document(client: Client, settings: Settings, engine: Engine, user: User, case_id: str,
                       file: Incoming) -> DocumentView:
    """Checks, stores and records one upload on an open case the user can see; a refusal keeps no file."""
    case = await run_in_threadpool(with_session, engine, visible_case, user, case_id)
    if case.status != CaseStatus.OPEN:
        raise ApiError(409, "Kasus sudah ditutup")
    accepted, errors = check_files(SOPS[case.sop], [file], settings, kind_loc=("body", "kind"))
    if errors:
        raise ApiError(422, errors)
    [stored] = await run_in_threadpool(store_all, settings, accepted, person(user))
    try:
        await update_case(client, case_id, SopWorkflow.add_document, stored, settings.temporal_timeout)
    except ApiError as error:
        if error.status != 503:  # a 503 may still be taken when the worker returns: keep its file
            discard_all(settings, [stored])
        raise
    except BaseException:
        discard_all(settings, [stored])
        raise
    return await run_in_threadpool(with_session, engine, stored_document, stored.stored_name, case.sop)


def stored_document(session: Session, stored_name: str, sop: str) -> DocumentView:
    return document_view(session.exec(select(Document).where(Document.stored_name == stored_name)).one(), sop)


def document_file(session: Session, settings: Settings, user: User, case_id: str, document_id: int) -> FileResponse:
    """The stored file as an attachment (never inline), for the case's participants only."""
    visible_case(session, user, case_id)
    document = session.get(Document, document_id)
    if document is None or document.case_id != case_id:
        raise ApiError(404, DOCUMENT_NOT_FOUND)
    path = stored_path(settings.upload_dir, document.stored_name)
    if not restore(settings.upload_dir, document):  # a generated document whose file is lost is rendered again
        raise ApiError(404, DOCUMENT_NOT_FOUND)
    return FileResponse(path, media_type=document.content_type, filename=document.filename,
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})

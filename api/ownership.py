"""Who owns a task, as the JSON API and the pages both change it: claim, release, reassign (Temporal updates
the engine checks and records; the API names the actor it authenticated), delegations while someone is
away (a table the API applies whenever a task becomes someone's by name), and supervisors' bulk actions
(each case through the engine on its own, each with its own answer).

The projection refuses first what the engine would refuse anyway (cheaper, readable while the worker is
down); the engine has the last word.
"""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client
from sqlalchemy.engine import Engine

from api.errors import ApiError
from api.paging import MAX_ID
from api.service import (
    NOT_FOUND, answered_within, case_lock, load_view, send_update, visible_case, with_session,
)
from api.views import CaseView
from core.config import Settings
from core.messages import Cancellation, CaseStatus, Person, Reminder, TaskOwner
from core.models import Case, Task, User
from core.models_owners import Delegation, agency_today, delegated
from core.roles import ROLE_TITLES, is_staff
from core.users import find_staff, person
from workflows.sop import CANCELLER, SUPERVISORS, SopWorkflow

NOT_SUPERVISOR = "Hanya Supervisor, Kepala Bidang atau Kepala Dinas instansi ini yang dapat melakukannya"


def is_supervisor(user: User) -> bool:
    return user.role in SUPERVISORS


# ---- delegations -----------------------------------------------------------------------------


# A person named by id or e-mail: an id within what the databases store, an e-mail of a sane length.
PersonRefIn = Annotated[int, Field(ge=1, le=MAX_ID)] | Annotated[str, Field(max_length=254)]


def bounded(ref: int | str) -> int | str | None:
    """None for an id no database row can have (a digit string beyond MAX_ID included)."""
    text = str(ref).strip()
    return None if text.isdecimal() and int(text) > MAX_ID else ref


class DelegationIn(BaseModel):
    delegate: PersonRefIn = Field(description="id atau e-mail rekan dengan peran dan instansi yang sama")
    starts_on: date
    ends_on: date
    delegator: PersonRefIn | None = Field(None, description="kosong: saya sendiri; atasan dapat menyebut orang lain")
    reason: str = Field("", max_length=300)


class DelegationView(BaseModel):
    id: int
    agency: str
    role: str
    delegator_id: int
    delegator_name: str
    delegate_id: int
    delegate_name: str
    starts_on: date
    ends_on: date
    reason: str
    created_by_id: int
    active_today: bool


def delegation_view(session: Session, row: Delegation) -> DelegationView:
    names = {u.id: u.name for u in session.exec(select(User).where(
        col(User.id).in_([row.delegator_id, row.delegate_id])))}
    today = agency_today(row.agency)
    return DelegationView(
        id=row.id or 0, agency=row.agency, role=row.role, delegator_id=row.delegator_id,
        delegator_name=names.get(row.delegator_id, ""), delegate_id=row.delegate_id,
        delegate_name=names.get(row.delegate_id, ""), starts_on=row.starts_on, ends_on=row.ends_on,
        reason=row.reason, created_by_id=row.created_by_id, active_today=row.starts_on <= today <= row.ends_on,
    )


def _field(loc: str, msg: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": ["body", loc], "msg": msg, "type": kind}


def _staff_named(session: Session, user: User, ref: int | str) -> User | None:
    """Staff of the user's agency, named by id or e-mail (any role)."""
    if bounded(ref) is None:
        return None
    if isinstance(ref, int) or str(ref).strip().isdecimal():
        found = session.get(User, int(ref))
    else:
        found = session.exec(select(User).where(User.email == str(ref).strip().lower())).first()
    return found if found is not None and found.agency == user.agency and is_staff(found.role) else None


def create_delegation(session: Session, user: User, body: DelegationIn) -> DelegationView:
    """The person themself, or a supervisor of the agency for one of its staff: 403 otherwise; 422 with the
    field for a delegate of another agency or role, dates in the wrong order or past, an overlap."""
    if not is_staff(user.role):
        raise ApiError(403, "Hanya untuk petugas Dinas")
    delegator = user if body.delegator in (None, "") else _staff_named(session, user, body.delegator)  # type: ignore[arg-type]
    if delegator is None:
        raise ApiError(422, [_field("delegator", "Isi dengan id atau e-mail petugas instansi ini", "delegator")])
    if delegator.id != user.id and not is_supervisor(user):
        raise ApiError(403, "Hanya yang bersangkutan atau atasannya yang dapat mendelegasikan tugasnya")
    title = ROLE_TITLES.get(delegator.role, delegator.role)
    delegate = find_staff(session, delegator.agency or "", delegator.role, bounded(body.delegate))
    errors = []
    if delegate is None or not delegate.active:
        errors.append(_field("delegate", f"Isi dengan id atau e-mail seorang {title} pada instansi ini", "delegate"))
    elif delegate.id == delegator.id:
        errors.append(_field("delegate", "Pilih rekan lain, bukan orang yang sama", "delegate"))
    if body.ends_on < body.starts_on:
        errors.append(_field("ends_on", "Tanggal selesai tidak boleh sebelum tanggal mulai"))
    elif body.ends_on < agency_today(delegator.agency):
        errors.append(_field("ends_on", "Tanggal selesai sudah lewat"))
    overlap = session.exec(select(Delegation).where(
        Delegation.delegator_id == delegator.id, col(Delegation.starts_on) <= body.ends_on,
        col(Delegation.ends_on) >= body.starts_on)).first()
    if overlap is not None:
        errors.append(_field("starts_on", f"Sudah ada delegasi {overlap.starts_on:%d-%m-%Y} s.d. "
                                          f"{overlap.ends_on:%d-%m-%Y}; hapus dulu bila ingin mengubahnya"))
    if errors:
        raise ApiError(422, errors)
    assert delegate is not None
    row = Delegation(agency=delegator.agency or "", role=delegator.role, delegator_id=delegator.id or 0,
                     delegate_id=delegate.id or 0, starts_on=body.starts_on, ends_on=body.ends_on,
                     reason=body.reason.strip(), created_by_id=user.id or 0)
    session.add(row)
    session.commit()
    session.refresh(row)
    return delegation_view(session, row)


def list_delegations(session: Session, user: User) -> list[DelegationView]:
    """A supervisor: the agency's; anyone else: those they give or receive. Latest first."""
    if not is_staff(user.role):
        raise ApiError(403, "Hanya untuk petugas Dinas")
    query = select(Delegation).where(Delegation.agency == user.agency)
    if not is_supervisor(user):
        query = query.where(or_(Delegation.delegator_id == user.id, Delegation.delegate_id == user.id))
    rows = session.exec(query.order_by(col(Delegation.starts_on).desc(), col(Delegation.id).desc())).all()
    return [delegation_view(session, row) for row in rows]


def delete_delegation(session: Session, user: User, delegation_id: int) -> None:
    row = session.get(Delegation, delegation_id)
    if row is None or row.agency != user.agency or not is_staff(user.role):
        raise ApiError(404, "Delegasi tidak ditemukan")
    if user.id not in (row.delegator_id, row.created_by_id) and not is_supervisor(user):
        raise ApiError(403, "Hanya yang bersangkutan atau atasannya yang dapat menghapus delegasi ini")
    session.delete(row)
    session.commit()


# ---- claim, release, reassign ----------------------------------------------------------------


def open_step_rows(session: Session, user: User, case_id: str, step: str) -> tuple[Case, list[Task]]:
    """404 a case the user cannot see; 409 closed, or the step not open now."""
    case = visible_case(session, user, case_id)
    if case.status != CaseStatus.OPEN:
        raise ApiError(409, "Kasus sudah ditutup")
    tasks = list(session.exec(select(Task).where(Task.case_id == case_id, Task.step == step)))
    if not tasks:
        raise ApiError(409, f"Langkah {step!r} tidak sedang terbuka")
    return case, tasks


def claim_check(session: Session, user: User, case_id: str, step: str) -> None:
    _, tasks = open_step_rows(session, user, case_id, step)
    if not any(t.role == user.role and t.agency == user.agency or t.assignee_id == user.id for t in tasks):
        raise ApiError(403, "Anda tidak berwenang pada langkah ini")
    if tasks[0].claimed_by_id is not None:
        raise ApiError(409, f"Langkah ini sudah diambil oleh {tasks[0].claimed_by_name}")


def release_check(session: Session, user: User, case_id: str, step: str) -> None:
    _, tasks = open_step_rows(session, user, case_id, step)
    if tasks[0].claimed_by_id is None:
        raise ApiError(409, "Langkah ini tidak sedang diambil siapa pun")
    if tasks[0].claimed_by_id != user.id and not is_supervisor(user):
        raise ApiError(403, "Hanya yang mengambil langkah ini atau atasannya yang dapat melepaskannya")


def reassign_request(session: Session, user: User, case_id: str, step: str, assignee: int | str,
                     reason: str | None) -> TaskOwner:
    """The named person of the step's role in the case's agency (and unit), or their delegate if they are
    away: 403 not a supervisor, 422 anyone else (field `assignee`)."""
    case, tasks = open_step_rows(session, user, case_id, step)
    if not is_supervisor(user):
        raise ApiError(403, NOT_SUPERVISOR)
    role = tasks[0].role
    named = find_staff(session, case.agency, role, bounded(assignee), unit=case.unit)
    if named is None or not named.active:
        raise ApiError(422, [_field("assignee", f"Isi dengan id atau e-mail seorang {ROLE_TITLES.get(role, role)} "
                                                "pada instansi ini", "assignee")])
    staff, away = delegated(session, named)
    return TaskOwner(step=step, actor=person(user), assignee=_plain(staff),
                     delegated_from=_plain(away) if away else None, reason=(reason or "").strip() or None)


def _plain(user: User) -> Person:
    return Person(id=user.id, name=user.name, role=user.role, agency=user.agency, unit=user.unit)


async def change_owner(client: Client, settings: Settings, engine: Engine, user: User, case_id: str,
                       prepare: Callable[..., TaskOwner], update: Callable[..., Any], *args: Any) -> CaseView:
    """Checks against the projection, then the engine's update, one at a time per case; the case as the
    user sees it afterwards."""
    async with answered_within(settings.temporal_timeout), case_lock(case_id):
        request = await run_in_threadpool(with_session, engine, prepare, user, case_id, *args)
        await send_update(client, case_id, update, request)
    return await run_in_threadpool(load_view, engine, case_id, user)


def _claim(session: Session, user: User, case_id: str, step: str) -> TaskOwner:
    claim_check(session, user, case_id, step)
    return TaskOwner(step=step, actor=person(user))


def _release(session: Session, user: User, case_id: str, step: str) -> TaskOwner:
    release_check(session, user, case_id, step)
    return TaskOwner(step=step, actor=person(user))


async def claim(client: Client, settings: Settings, engine: Engine, user: User, case_id: str, step: str) -> CaseView:
    return await change_owner(client, settings, engine, user, case_id, _claim, SopWorkflow.claim_task, step)


async def release(client: Client, settings: Settings, engine: Engine, user: User, case_id: str,
                  step: str) -> CaseView:
    return await change_owner(client, settings, engine, user, case_id, _release, SopWorkflow.release_task, step)


async def reassign(client: Client, settings: Settings, engine: Engine, user: User, case_id: str, step: str,
                   assignee: int | str, reason: str | None = None) -> CaseView:
    return await change_owner(client, settings, engine, user, case_id, reassign_request, SopWorkflow.reassign_task,
                              step, assignee, reason)


# ---- bulk actions ----------------------------------------------------------------------------

BulkAction = Literal["remind", "reassign", "cancel"]
MAX_BULK = 100


class BulkIn(BaseModel):
    case_ids: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(min_length=1, max_length=MAX_BULK)
    action: BulkAction
    reason: str | None = Field(None, max_length=1000)
    assignee: PersonRefIn | None = None  # reassign: id or e-mail
    step: str | None = Field(None, max_length=40)  # reassign: the step, when a case has several open


class BulkResult(BaseModel):
    case_id: str
    ok: bool
    status: int  # 200, or the status this case alone would have got: 403, 404, 409, 422, 503
    detail: Any = None
    stage: str | None = None
    case_status: str | None = None


class BulkOut(BaseModel):
    action: BulkAction
    done: int
    refused: int
    results: list[BulkResult]


def bulk_errors(body: BulkIn) -> list[dict[str, Any]]:
    """What the whole request lacks (422 before any case is touched)."""
    errors = []
    if body.action == "cancel" and not (body.reason or "").strip():
        errors.append(_field("reason", "Alasan pembatalan wajib diisi", "missing"))
    if body.action == "reassign" and body.assignee in (None, ""):
        errors.append(_field("assignee", "Pilih petugas penerima tugas", "missing"))
    return errors


def _remind(session: Session, user: User, case_id: str) -> Reminder:
    case = visible_case(session, user, case_id)
    if case.status != CaseStatus.OPEN:
        raise ApiError(409, "Kasus sudah ditutup")
    if not is_supervisor(user):
        raise ApiError(403, NOT_SUPERVISOR)
    return Reminder(actor=person(user), key=uuid.uuid4().hex)  # each request its own notice


def _cancel(session: Session, user: User, case_id: str, reason: str) -> Cancellation:
    case = visible_case(session, user, case_id)
    if case.status != CaseStatus.OPEN:
        raise ApiError(409, "Kasus sudah ditutup")
    if user.role != CANCELLER:
        raise ApiError(403, "Hanya Kepala Dinas yang dapat membatalkan kasus")
    return Cancellation(actor=person(user), reason=reason.strip())


def _bulk_reassign(session: Session, user: User, case_id: str, step: str | None, assignee: int | str,
                   reason: str | None) -> TaskOwner:
    if step is None:
        visible_case(session, user, case_id)
        steps = sorted({t.step for t in session.exec(select(Task).where(Task.case_id == case_id))})
        if len(steps) != 1:
            raise ApiError(409, "Kasus ini tidak sedang menunggu tepat satu langkah; alihkan dari halaman kasusnya"
                           if steps else "Kasus ini tidak sedang menunggu langkah siapa pun")
        step = steps[0]
    return reassign_request(session, user, case_id, step, assignee, reason)


async def bulk(client: Client, settings: Settings, engine: Engine, user: User, body: BulkIn) -> BulkOut:
    """Each case through the engine on its own, in the order given: one refused case never stops the others."""
    if not is_supervisor(user):
        raise ApiError(403, NOT_SUPERVISOR)
    errors = bulk_errors(body)
    if errors:
        raise ApiError(422, errors)
    results = []
    for case_id in dict.fromkeys(body.case_ids):  # each once
        try:
            async with answered_within(settings.temporal_timeout), case_lock(case_id):
                if body.action == "remind":
                    request: Any = await run_in_threadpool(with_session, engine, _remind, user, case_id)
                    update: Any = SopWorkflow.remind_again
                elif body.action == "cancel":
                    request = await run_in_threadpool(with_session, engine, _cancel, user, case_id, body.reason)
                    update = SopWorkflow.cancel_case
                else:
                    request = await run_in_threadpool(with_session, engine, _bulk_reassign, user, case_id, body.step,
                                                      body.assignee, body.reason)
                    update = SopWorkflow.reassign_task
                await send_update(client, case_id, update, request)
            case = await run_in_threadpool(with_session, engine, lambda s, c=case_id: s.get(Case, c))
            results.append(BulkResult(case_id=case_id, ok=True, status=200, stage=case.stage if case else None,
                                      case_status=case.status if case else None))
        except ApiError as refused:
            results.append(BulkResult(case_id=case_id, ok=False, status=refused.status,
                                      detail=NOT_FOUND if refused.status == 404 else refused.detail))
    done = sum(r.ok for r in results)
    return BulkOut(action=body.action, done=done, refused=len(results) - done, results=results)

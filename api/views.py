"""Response shapes of the case contract, read from the projection (never from Temporal)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from api.paging import Page
from core.documents import GENERATED_LABELS
from core.models import Case, CaseEvent, Task, User
from core.models_gallery import Document
from workflows import REGISTRY, SOPS


class PersonRef(BaseModel):
    id: int | None  # None: an applicant without an account (offline intake, a public form)
    name: str


class OpenStepView(BaseModel):
    step: str
    title: str
    role: str
    assignee: PersonRef | None
    queue: str | None
    actions: list[str]
    started_at: datetime
    due_at: datetime | None
    overdue: bool
    # A step given to several people, any one of whom takes it: all of them (`assignee` is the first).
    assignees: list[PersonRef] = []
    # A role task a colleague took (claim): only they decide it until it is released.
    claimed_by: PersonRef | None = None
    # The person named for it is away: it came to `assignee` by their delegation.
    delegated_from: str | None = None


class HistoryItem(BaseModel):
    at: datetime
    step: str
    actor: str
    actor_role: str | None
    action: str
    reason: str | None
    data: dict[str, Any]


class DocumentView(BaseModel):
    """An uploaded or generated file; `url` downloads it (participants and agency staff only)."""

    id: int
    kind: str
    kind_label: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    url: str


class CaseBase(BaseModel):
    """What every view of a case says about it (a list row or the whole case)."""

    id: str
    sop: str
    agency: str
    tracking_code: str
    title: str
    status: str
    stage: str
    overdue: bool
    created_at: datetime
    updated_at: datetime


class CaseSummary(CaseBase):
    applicant_name: str


class CasePage(Page[CaseSummary]):
    pass


class CaseView(CaseBase):
    sop_title: str
    applicant: PersonRef
    open_steps: list[OpenStepView]
    history: list[HistoryItem]
    data: dict[str, Any]
    parent_id: str | None
    linked: list[str]
    closed_at: datetime | None
    documents: list[DocumentView] = []
    # The deadline of the SOP's case-level time standard (SpanDef) while it runs, e.g. an order's
    # delivery: null when the SOP declares none, or it has not started or has ended.
    service_due_at: datetime | None = None


class TaskView(OpenStepView):
    """An inbox row: the open step with enough of its case to choose what to do first."""

    case_id: str
    sop: str
    case_title: str
    applicant_name: str
    stage: str


class TrackedAction(BaseModel):
    id: str
    label: str


class TrackedStep(BaseModel):
    """An open step of the case's own applicant, when they have no account: they take it with the tracking
    code (POST /api/v1/track/{code}/decisions)."""

    step: str
    title: str
    actions: list[TrackedAction]
    due_at: datetime | None


class TrackingView(BaseModel):
    """Public: no names, no personal data; `details` only what the SOP shows to whoever holds the code
    (SopModule.tracking_data, e.g. a complaint's written response)."""

    tracking_code: str
    sop: str
    sop_title: str
    status: str
    stage: str
    created_at: datetime
    updated_at: datetime
    steps: list[dict[str, Any]]
    details: dict[str, Any] = {}
    applicant_steps: list[TrackedStep] = []


def sop_title(sop: str) -> str:
    definition = SOPS.get(sop)
    return definition.title if definition else sop


# History entries under no step of the SOP: the start, uploads, the curation verdict.
SYSTEM_STEPS = {"submit": "Pengajuan", "documents": "Dokumen", "announce": "Pengumuman hasil kurasi"}


def step_title(sop: str, step: str) -> str:
    definition = SOPS.get(sop)
    match = next((s for s in (*definition.steps, *definition.spans) if s.id == step), None) if definition else None
    return match.title if match else SYSTEM_STEPS.get(step, step)


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(ids)))}  # type: ignore[misc]


def _open_step(task: Task, names: dict[int, str]) -> OpenStepView:
    assignee = PersonRef(id=task.assignee_id, name=names.get(task.assignee_id, "")) if task.assignee_id else None
    claimer = PersonRef(id=task.claimed_by_id, name=task.claimed_by_name or "") if task.claimed_by_id else None
    return OpenStepView(step=task.step, title=task.title, role=task.role, assignee=assignee, queue=task.queue,
                        actions=task.actions, started_at=task.started_at, due_at=task.due_at, overdue=task.overdue,
                        claimed_by=claimer, delegated_from=task.delegated_from_name)


def _open_steps(tasks: Sequence[Task], names: dict[int, str]) -> list[OpenStepView]:
    """One entry per open step: the rows of a step given to several people make one, naming them all."""
    rows: dict[str, list[Task]] = {}
    for task in tasks:
        rows.setdefault(task.step, []).append(task)
    views = []
    for same in rows.values():
        view = _open_step(same[0], names)
        if len(same) > 1:
            view.assignees = [PersonRef(id=t.assignee_id, name=names.get(t.assignee_id, "")) for t in same
                              if t.assignee_id]
        views.append(view)
    return views


def case_view(session: Session, case: Case) -> CaseView:
    tasks = session.exec(select(Task).where(Task.case_id == case.id).order_by(col(Task.id))).all()
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.seq))).all()
    linked = session.exec(select(Case.id).where(Case.parent_id == case.id).order_by(col(Case.id))).all()
    names = user_names(session, {t.assignee_id for t in tasks if t.assignee_id})
    documents = session.exec(select(Document).where(Document.case_id == case.id).order_by(col(Document.id))).all()
    return CaseView(
        id=case.id, sop=case.sop, sop_title=sop_title(case.sop), agency=case.agency,
        tracking_code=case.tracking_code, title=case.title, status=case.status, stage=case.stage,
        overdue=case.overdue, applicant=PersonRef(id=case.applicant_id, name=case.applicant_name),
        open_steps=_open_steps(tasks, names),
        history=[HistoryItem(at=e.at, step=e.step, actor=e.actor_name, actor_role=e.actor_role, action=e.action,
                             reason=e.reason, data=e.data) for e in events],
        data=case.data, parent_id=case.parent_id, linked=list(linked), created_at=case.created_at,
        updated_at=case.updated_at, closed_at=case.closed_at, documents=[document_view(d, case.sop) for d in documents],
        service_due_at=case.service_due_at,
    )


def document_view(document: Document, sop: str) -> DocumentView:
    definition = SOPS.get(sop)
    kind = definition.document_kind(document.kind) if definition else None
    return DocumentView(
        id=document.id, kind=document.kind,  # type: ignore[arg-type]
        kind_label=kind.label if kind else GENERATED_LABELS.get(document.kind, document.kind),
        filename=document.filename, content_type=document.content_type, size=document.size, sha256=document.sha256,
        uploaded_by=document.uploaded_by_name, uploaded_at=document.uploaded_at,
        url=f"/api/v1/cases/{document.case_id}/documents/{document.id}",
    )


def case_summary(case: Case) -> CaseSummary:
    return CaseSummary.model_validate(case, from_attributes=True)


def task_view(task: Task, case: Case, names: dict[int, str]) -> TaskView:
    step = _open_step(task, names)
    return TaskView(case_id=case.id, sop=case.sop, case_title=case.title, applicant_name=case.applicant_name,
                    stage=case.stage, **step.model_dump())


def tracking_view(session: Session, case: Case) -> TrackingView:
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.seq))).all()
    module = REGISTRY.get(case.sop)
    shown = module.tracking_data if module else ()
    return TrackingView(
        tracking_code=case.tracking_code, sop=case.sop, sop_title=sop_title(case.sop), status=case.status,
        stage=case.stage, created_at=case.created_at, updated_at=case.updated_at,
        steps=[{"at": e.at, "step": step_title(case.sop, e.step), "action": e.action} for e in events],
        details={key: case.data[key] for key in shown if case.data.get(key) not in (None, "")},
        applicant_steps=applicant_steps(session, case),
    )


def applicant_steps(session: Session, case: Case) -> list[TrackedStep]:
    definition = SOPS.get(case.sop)
    if definition is None or case.applicant_id is not None or case.status != "open":
        return []
    steps = {s.id: s for s in definition.steps if s.applicant_step}
    tasks = session.exec(select(Task).where(Task.case_id == case.id).order_by(col(Task.id))).all()
    return [TrackedStep(step=t.step, title=t.title, due_at=t.due_at,
                        actions=[TrackedAction(id=a.id, label=a.label) for a in steps[t.step].actions])
            for t in tasks if t.step in steps]

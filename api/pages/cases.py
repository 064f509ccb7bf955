"""Case lists, the case page with its decision forms, and the staff inbox."""

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from api import service
from api.deps import get_temporal
from api.pages.fields import FormField, data_rows, field_messages, read_values, step_fields, submitted
from api.pages.web import CheckedForm, PageUser, db, messages, page_router, redirect, render, settings_of
from api.paging import page_number
from api.queries import case_list, inbox
from api.errors import ApiError
from api.views import CaseView
from core.messages import CaseStatus
from core.models import Task, User
from workflows import SOPS
from workflows.sop import Action

router = page_router()
PER_PAGE = 20
NOTICES = {"diajukan": "Permohonan Anda sudah diterima.", "keputusan": "Keputusan Anda sudah tersimpan.",
           "dipesan": "Pesanan Anda sudah diterima."}


@router.get("/kasus")
def cases(request: Request, user: PageUser, layanan: str = "", status: str = "", terlambat: str = "",
          halaman: int = 1) -> Response:
    """Staff: their agency's cases, with filters. Applicants: their own."""
    with db(request) as session:
        page = case_list(session, user, sop=layanan or None, status=status or None,
                         overdue=True if terlambat else None, page=page_number(halaman), per_page=PER_PAGE)
    filters = {"layanan": layanan, "status": status, "terlambat": terlambat}
    return render(request, "cases.html", page=page, filters=filters, pages=-(-page.total // PER_PAGE))


@router.get("/tugas")
def tasks(request: Request, user: PageUser) -> Response:
    """The same inbox as GET /api/v1/tasks: open steps I may act on, soonest due first."""
    with db(request) as session:
        items = inbox(session, user)
    return render(request, "tasks.html", tasks=items)


@dataclass
class DecisionForm:
    """One open step the user may decide, as drawn on the case page: a form, or a link to the step's own
    page (`link`: address and text)."""

    step: str
    title: str
    actions: list[Action]
    fields: tuple[FormField, ...] = ()
    link: tuple[str, str] | None = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def reason_needed_for(self) -> list[str]:
        return [a.label for a in self.actions if a.needs_reason]


def decision_form(view: CaseView, task: Task) -> DecisionForm:
    definition = SOPS[view.sop]
    step = definition.step(task.step)
    actions = [a for a in step.actions if a.id in task.actions] or list(step.actions)
    fields = step_fields(view.sop, task.step)
    values = {f.name: view.data[f.name] for f in fields if view.data.get(f.name) is not None}
    link = (step.page[0].format(case_id=view.id), step.page[1]) if step.page else None
    return DecisionForm(step=task.step, title=task.title, actions=actions, fields=fields, values=values, link=link)


@dataclass
class Posted:
    """A refused decision, to show again with its messages: nothing the user typed is lost."""

    step: str
    error: ApiError
    values: dict[str, Any]
    reason: str

    def apply(self, forms: list[DecisionForm]) -> list[str]:
        """Puts the messages on the posted step's form; returns those that belong on top of the page."""
        form = next((f for f in forms if f.step == self.step), None)
        if form is None:  # the step closed meanwhile (another officer decided)
            return messages(self.error.detail)
        names = {f.name for f in form.fields} | (set() if form.link else {"reason"})  # a link: all on top of it
        form.errors, form.general = field_messages(self.error.detail, names)
        form.values = self.values if form.fields else form.values
        form.reason = self.reason
        return []


def case_page(request: Request, user: User, case_id: str, status: int = 200, notice: str | None = None,
              posted: Posted | None = None) -> Response:
    with db(request) as session:
        view = service.visible_view(session, user, case_id)
        tasks = session.exec(select(Task).where(Task.case_id == case_id).order_by(col(Task.id))).all()
    forms = [decision_form(view, t) for t in tasks if view.status == CaseStatus.OPEN and service.may_act(user, t)]
    general = posted.apply(forms) if posted else []
    return render(request, "case.html", status=status, case=view, rows=data_rows(view.sop, view.data),
                  forms=forms, notice=notice, general=general)


@router.get("/kasus/{case_id}")
def case(request: Request, case_id: str, user: PageUser, pesan: str = "") -> Response:
    return case_page(request, user, case_id, notice=NOTICES.get(pesan))


def action_data(sop: str, step: str, action: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """The data of the chosen action: its own form's fields only (a step's form is the union of its
    actions' forms, and an unticked checkbox of another action's form is still a value); none for an
    action without a form."""
    chosen = SOPS[sop].step(step).action(action)
    if chosen is None or (chosen.form is None and chosen.assigns is not None):
        return submitted(values)  # the workflow names what is wrong
    if chosen.form is None:
        return None
    return {k: v for k, v in submitted(values).items() if k in chosen.form.model_fields}


@router.post("/kasus/{case_id}/keputusan")
async def decide(request: Request, case_id: str, user: PageUser, form: CheckedForm) -> Response:
    step, action = str(form.get("step", "")), str(form.get("action", ""))
    reason = str(form.get("reason", "")).strip()
    engine = request.app.state.engine
    sop = (await run_in_threadpool(service.with_session, engine, service.visible_case, user, case_id)).sop
    fields = step_fields(sop, step) if step in {s.id for s in SOPS[sop].steps} else ()
    values = read_values(fields, form)
    try:
        client = await get_temporal(request)
        await service.decide(client, settings_of(request), engine, user, case_id, step, action, reason or None,
                             action_data(sop, step, action, values) if fields else None)
    except ApiError as error:
        if error.status == 404:
            raise
        return await run_in_threadpool(case_page, request, user, case_id, error.status,
                                       posted=Posted(step, error, values, reason))
    return redirect(f"/kasus/{case_id}?pesan=keputusan")

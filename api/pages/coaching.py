"""coaching pages (Dinas Dagperinkop UKM Kabupaten Sijunjung): the disposition steps that name a person,
decided on a page of their own with the agency's staff to choose from.

`/pembinaan/{case}/dispose`: the head of agency disposes to a head of division; `/dispose_section`: that
head of division disposes to a section head; `/assign`: that section head issues the Surat Tugas to one
or more officers. Each page shows the letter and the disposition sheet's entries so far, then the choice
and the step's own form; the decision goes through api.service.decide like any other.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool

from api import service
from api.deps import get_temporal
from api.errors import ApiError
from api.pages.fields import FormField, data_rows, field_messages, fields_of, read_values, submitted
from api.pages.web import CheckedForm, StaffPage, db, page_router, redirect, render, settings_of
from api.views import CaseView
from core.models import Case, Task, User
from core.roles import ROLE_TITLES
from workflows.coaching import DEFINITION

router = page_router()
STEPS = {step.id: step for step in DEFINITION.steps if step.page is not None}


@dataclass
class StepPage:
    case: CaseView
    step: str
    title: str
    choice: FormField  # whom the step names: a select, or checks for several
    fields: tuple[FormField, ...]  # the action's own form
    label: str  # the button


def staff_choice(session: Session, case: Case, role: str, key: str, several: bool) -> FormField:
    """The agency's staff of `role` (of the case's unit, or of none), as the assignment checks them."""
    query = select(User).where(User.role == role, User.agency == case.agency)
    if case.unit is not None:
        query = query.where(or_(col(User.unit).is_(None), col(User.unit) == case.unit))
    people = session.exec(query.order_by(col(User.name))).all()
    title = ROLE_TITLES.get(role, role)
    return FormField(key, title if not several else f"{title} yang ditugaskan", "checks" if several else "select",
                     choices=tuple((str(p.id), f"{p.name} ({p.email})") for p in people))


def step_page(request: Request, user: User, case_id: str, step: str) -> StepPage:
    """The step's page for whoever may decide it now: 404 for another SOP's case or an unknown step,
    409 when the step is not open, 403 for someone else."""
    definition = STEPS.get(step)
    with db(request) as session:
        view = service.visible_view(session, user, case_id)
        if view.sop != DEFINITION.id or definition is None:
            raise ApiError(404, "Halaman tidak ditemukan")
        tasks = session.exec(select(Task).where(Task.case_id == case_id, Task.step == step)).all()
        if not tasks:
            raise ApiError(409, f"Langkah {definition.title} tidak sedang terbuka")
        if not any(service.may_act(user, task) for task in tasks):
            raise ApiError(403, "Anda tidak berwenang pada langkah ini")
        action = definition.actions[0]
        assert action.assigns is not None and action.assign_key is not None
        choice = staff_choice(session, service.visible_case(session, user, case_id), action.assigns,
                              action.assign_key, action.several)
    return StepPage(view, step, definition.title, choice, fields_of(action.form) if action.form else (), action.label)


def show(request: Request, page: StepPage, values: dict[str, Any] | None = None,
         error: ApiError | None = None) -> Response:
    names = {page.choice.name, *(f.name for f in page.fields)}
    errors, general = field_messages(error.detail, names) if error else ({}, [])
    sheet = [e for e in page.case.history if e.step in {s.id for s in DEFINITION.steps}]
    return render(request, "coaching_step.html", status=error.status if error else 200, page=page,
                  rows=data_rows(page.case.sop, page.case.data), sheet=sheet, values=values or {},
                  errors=errors, general=general)


@router.get("/pembinaan/{case_id}/{step}")
def step_form(request: Request, case_id: str, step: str, user: StaffPage) -> Response:
    return show(request, step_page(request, user, case_id, step))


@router.post("/pembinaan/{case_id}/{step}")
async def step_decide(request: Request, case_id: str, step: str, user: StaffPage, form: CheckedForm) -> Response:
    page = await run_in_threadpool(step_page, request, user, case_id, step)
    values = read_values((page.choice, *page.fields), form)
    data = submitted({f.name: values[f.name] for f in page.fields})
    chosen = values[page.choice.name]
    data[page.choice.name] = chosen if chosen not in ("", []) else None
    try:
        await service.decide(await get_temporal(request), settings_of(request), request.app.state.engine, user,
                             case_id, step, STEPS[step].actions[0].id, data=data)
    except ApiError as error:
        if error.status == 404:
            raise
        return show(request, page, values, error)
    return redirect(f"/kasus/{case_id}?pesan=keputusan")

"""Case lists, the case page with its decision forms, and the staff inbox."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from api import ownership, service
from api.deps import get_temporal
from api.pages.fields import FormField, data_rows, field_messages, read_values, step_fields, submitted
from api.pages.web import CheckedForm, PageUser, db, messages, page_router, redirect, render, safe_next, settings_of
from api.paging import MAX_ID, page_number
from api.queries import InboxFilter, case_list, inbox, inbox_total
from api.errors import ApiError
from api.views import CaseView
from core.messages import CaseStatus
from core.models import Task, User
from core.forms import indonesian
from core.roles import agency_timezone, is_staff
from workflows import SOPS
from workflows.sop import Action

router = page_router()
PER_PAGE = 20
NOTICES = {"diajukan": "Permohonan Anda sudah diterima.", "keputusan": "Keputusan Anda sudah tersimpan.",
           "dipesan": "Pesanan Anda sudah diterima.", "diambil": "Tugas sudah Anda ambil.",
           "dilepaskan": "Tugas sudah dilepaskan.", "dialihkan": "Tugas sudah dialihkan."}


@router.get("/kasus")
def cases(request: Request, user: PageUser, layanan: str = "", status: str = "", terlambat: str = "",
          halaman: int = 1) -> Response:
    """Staff: their agency's cases, with filters. Applicants: their own."""
    with db(request) as session:
        page = case_list(session, user, sop=layanan or None, status=status or None,
                         overdue=True if terlambat else None, page=page_number(halaman), per_page=PER_PAGE)
    filters = {"layanan": layanan, "status": status, "terlambat": terlambat}
    return render(request, "cases.html", page=page, filters=filters, pages=-(-page.total // PER_PAGE))


INBOX_PER_PAGE = 50


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/tugas")
def tasks(request: Request, user: PageUser, layanan: str = "", tahap: str = "", batas: str = "",
          terlambat: str = "", milik: str = "", q: str = "", halaman: int = 1, pesan: str = "") -> Response:
    """The same inbox as GET /api/v1/tasks, with its filters: open steps I may act on, soonest due first; a
    role task a colleague took is marked with their name. "Ambil" / "Lepaskan" claim and release."""
    before = parse_day(batas)
    zone = ZoneInfo(agency_timezone(user.agency))
    filters = InboxFilter(sop=layanan or None, stage=tahap or None, overdue=True if terlambat else None,
                          due_before=datetime.combine(before, time(), zone) + timedelta(days=1) if before else None,
                          mine=milik == "saya", unclaimed=milik == "belum", q=q.strip()[:100] or None)
    page = page_number(halaman)
    with db(request) as session:
        items = inbox(session, user, filters=filters, page=page, per_page=INBOX_PER_PAGE)
        total = inbox_total(session, user, filters)
        stages = sorted({s.stage for d in SOPS.values() for s in d.steps if not layanan or d.id == layanan})
    shown = {"layanan": layanan, "tahap": tahap, "batas": batas if before else "", "terlambat": terlambat,
             "milik": milik, "q": q}
    errors = {"batas": "Tanggal tidak valid (tttt-bb-hh)"} if batas and before is None else {}
    return render(request, "tasks.html", tasks=items, filters=shown, total=total, stages=stages, errors=errors,
                  pages=-(-total // INBOX_PER_PAGE), page={"page": page}, notice=NOTICES.get(pesan))


async def _own(request: Request, user: User, case_id: str, step: str, form: Any, verb: str) -> Response:
    """Claim or release from the inbox or the case page; back where the user came from, or the refusal."""
    engine = request.app.state.engine
    back = safe_next(str(form.get("next", "")), "/tugas")
    try:
        client = await get_temporal(request)
        change = ownership.claim if verb == "diambil" else ownership.release
        await change(client, settings_of(request), engine, user, case_id, step)
    except ApiError as error:
        if error.status == 404:
            raise
        return await run_in_threadpool(render, request, "error.html", error.status, status_code=error.status,
                                       messages=messages(error.detail))
    return redirect(f"{back}{'&' if '?' in back else '?'}pesan={verb}")


@router.post("/kasus/{case_id}/langkah/{step}/ambil")
async def claim(request: Request, case_id: str, step: str, user: PageUser, form: CheckedForm) -> Response:
    return await _own(request, user, case_id, step, form, "diambil")


@router.post("/kasus/{case_id}/langkah/{step}/lepaskan")
async def release(request: Request, case_id: str, step: str, user: PageUser, form: CheckedForm) -> Response:
    return await _own(request, user, case_id, step, form, "dilepaskan")


def reassign_page(request: Request, user: User, case_id: str, status: int = 200, error: ApiError | None = None,
                  values: dict[str, str] | None = None) -> Response:
    """The supervisors' form: one of the case's open steps to a named person of its role in the agency."""
    if not ownership.is_supervisor(user):
        raise ApiError(403, ownership.NOT_SUPERVISOR)
    with db(request) as session:
        unit = service.visible_case(session, user, case_id).unit
        view = service.visible_view(session, user, case_id)
        roles = {s.role for s in view.open_steps}
        people = session.exec(select(User).where(User.agency == view.agency, col(User.role).in_(roles),
                                                 col(User.active)).order_by(col(User.name))).all()
    candidates = {role: [p for p in people if p.role == role and service.in_unit(p, unit)] for role in roles}
    errors, general = field_messages(error.detail, {"assignee", "reason"}) if error else ({}, [])
    return render(request, "reassign.html", status=status, case=view, candidates=candidates,
                  values=values or {}, errors=errors, general=general)


@router.get("/kasus/{case_id}/alihkan")
def reassign_form(request: Request, case_id: str, user: PageUser, langkah: str = "") -> Response:
    """`langkah`: the step chosen first (the stuck-case list links here with it)."""
    return reassign_page(request, user, case_id, values={"step": langkah})


@router.post("/kasus/{case_id}/alihkan")
async def reassign(request: Request, case_id: str, user: PageUser, form: CheckedForm) -> Response:
    values = {k: str(form.get(k, "")).strip() for k in ("step", "assignee", "reason")}
    engine = request.app.state.engine
    try:
        if not values["assignee"]:
            raise ApiError(422, [{"loc": ["body", "assignee"], "msg": "Pilih petugas penerima tugas"}])
        client = await get_temporal(request)
        await ownership.reassign(client, settings_of(request), engine, user, case_id, values["step"],
                                 values["assignee"], values["reason"] or None)
    except ApiError as error:
        if error.status in (403, 404):
            raise
        return await run_in_threadpool(reassign_page, request, user, case_id, error.status, error, values)
    return redirect(f"/kasus/{case_id}?pesan=dialihkan")


BULK_ACTIONS = {"remind": "Kirim ulang pengingat", "reassign": "Alihkan ke petugas", "cancel": "Batalkan kasus"}


def bulk_page(request: Request, user: User, status: int = 200, results: ownership.BulkOut | None = None,
              values: dict[str, Any] | None = None, general: list[str] | None = None, layanan: str = "",
              terlambat: str = "") -> Response:
    """Open cases of the agency to pick from (overdue first), the action, and each case's result."""
    if not ownership.is_supervisor(user):
        raise ApiError(403, ownership.NOT_SUPERVISOR)
    with db(request) as session:
        listed = case_list(session, user, sop=layanan or None, status=CaseStatus.OPEN,
                           overdue=True if terlambat else None, per_page=100)
    return render(request, "bulk.html", status=status, cases=listed.items, results=results, values=values or {},
                  general=general or [], actions=BULK_ACTIONS, filters={"layanan": layanan, "terlambat": terlambat})


@router.get("/kasus-massal")
def bulk_form(request: Request, user: PageUser, layanan: str = "", terlambat: str = "") -> Response:
    return bulk_page(request, user, layanan=layanan, terlambat=terlambat)


@router.post("/kasus-massal")
async def bulk(request: Request, user: PageUser, form: CheckedForm) -> Response:
    values = {"case_ids": [str(v) for v in form.getlist("case_ids")], "action": str(form.get("action", "")),
              "reason": str(form.get("reason", "")).strip() or None, "assignee": str(form.get("assignee", "")).strip() or None}
    try:
        body = ownership.BulkIn.model_validate(values)
    except ValidationError:
        return await run_in_threadpool(bulk_page, request, user, 422, None, values,
                                       ["Pilih satu atau lebih kasus (paling banyak 100) dan tindakannya"])
    try:
        client = await get_temporal(request)
        results = await ownership.bulk(client, settings_of(request), request.app.state.engine, user, body)
    except ApiError as error:
        if error.status in (403, 404):
            raise
        return await run_in_threadpool(bulk_page, request, user, error.status, None, values, messages(error.detail))
    return await run_in_threadpool(bulk_page, request, user, 200, results, values)


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
                  forms=forms, notice=notice, general=general, supervises=ownership.is_supervisor(user),
                  claimable=claimable_steps(user, tasks) if view.status == CaseStatus.OPEN else set())


def claimable_steps(user: User, tasks: Any) -> set[str]:
    """The role tasks this user may take (nobody took them yet) or give back (they took them)."""
    return {t.step for t in tasks if t.assignee_id is None and t.role == user.role and t.agency == user.agency
            and t.claimed_by_id in (None, user.id)}


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


# ---- delegations while someone is away --------------------------------------------------------


def delegations_page(request: Request, user: User, status: int = 200, error: ApiError | None = None,
                     values: dict[str, str] | None = None, notice: str | None = None) -> Response:
    """One's own delegations (a supervisor: the agency's, and a delegator to choose), and the form."""
    with db(request) as session:
        rows = ownership.list_delegations(session, user)
        colleagues = session.exec(select(User).where(User.agency == user.agency, col(User.active),
                                                     col(User.id) != user.id).order_by(col(User.name))).all()
    errors, general = field_messages(error.detail, {"delegate", "delegator", "starts_on", "ends_on", "reason"}) \
        if error else ({}, [])
    return render(request, "delegations.html", status=status, delegations=rows, values=values or {},
                  errors=errors, general=general, notice=notice, supervises=ownership.is_supervisor(user),
                  colleagues=[c for c in colleagues if c.role == user.role or ownership.is_supervisor(user)])


@router.get("/delegasi")
def delegations(request: Request, user: PageUser, pesan: str = "") -> Response:
    if not is_staff(user.role):
        raise ApiError(403, "Hanya untuk petugas Dinas")
    notice = {"disimpan": "Delegasi sudah disimpan.", "dihapus": "Delegasi sudah dihapus."}.get(pesan)
    return delegations_page(request, user, notice=notice)


@router.post("/delegasi")
def create_delegation(request: Request, user: PageUser, form: CheckedForm) -> Response:
    values = {k: str(form.get(k, "")).strip() for k in ("delegate", "delegator", "starts_on", "ends_on", "reason")}
    try:
        body = ownership.DelegationIn.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as invalid:
        error = ApiError(422, [{"loc": list(e["loc"]), "msg": indonesian(e)} for e in invalid.errors()])
        return delegations_page(request, user, 422, error, values)
    try:
        with db(request) as session:
            ownership.create_delegation(session, user, body)
    except ApiError as error:
        if error.status in (403, 404):
            raise
        return delegations_page(request, user, error.status, error, values)
    return redirect("/delegasi?pesan=disimpan")


@router.post("/delegasi/{delegation_id}/hapus")
def delete_delegation(request: Request, delegation_id: int, user: PageUser, form: CheckedForm) -> Response:
    with db(request) as session:
        ownership.delete_delegation(session, user, min(max(delegation_id, 1), MAX_ID))
    return redirect("/delegasi?pesan=dihapus")

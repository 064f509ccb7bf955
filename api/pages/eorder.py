"""E-order pages (BPPBJ DKI Jakarta): the hub, the Satpel's PKT / Non-PKT registration lists and the
assign-PJLP form, the PJLP's check page with inline corrections, and the public product catalogue.

The applicant's profile form and product form are the case page's step forms (the actions' forms); the
assign-PJLP and check steps are decided here, and the case page links to these pages (StepDef.page).
Starting goes through the common start endpoint; the decisions all go through api.service.decide.
"""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool

from api import service
from api.deps import get_temporal
from api.pages.fields import FormField, display, field_messages, fields_of, read_values, submitted
from api.pages.web import (
    CheckedForm, OptionalUser, PageUser, StaffPage, db, page_router, redirect, render, settings_of,
)
from api.paging import page_number
from api.routes.eorder import published_products
from api.errors import ApiError
from api.views import CaseView, case_view
from core.messages import CaseStatus
from core.models import Case, Task, User
from core.models_eorder import skpd_list
from workflows import SOPS
from workflows.eorder_product import DEFINITION as PRODUCT, Product
from workflows.eorder_vendor import CATEGORIES, DEFINITION as VENDOR, VendorProfile, registration_of

router = page_router()
QUEUES = ("PKT", "Non-PKT")
PER_PAGE = 24
# The PJLP's check step of each e-order SOP, and the fields it may correct.
CHECKS: dict[str, tuple[str, tuple[FormField, ...]]] = {
    VENDOR.id: ("pjlp_check", fields_of(VendorProfile)),
    PRODUCT.id: ("pjlp_verify", fields_of(Product)),
}
NOTICES = {"pjlp": "PJLP pendamping sudah ditunjuk.", "koreksi": "Koreksi data sudah disimpan."}


def my_products(session: Session, user: User) -> list[Case]:
    query = select(Case).where(Case.sop == PRODUCT.id, Case.applicant_id == user.id)
    return list(session.exec(query.order_by(col(Case.created_at).desc())))


@router.get("/eorder")
def hub(request: Request, user: OptionalUser) -> Response:
    """Where e-order starts: the applicant's registration and products, the staff's queues."""
    context: dict[str, Any] = {"registration": None, "products": [], "skpd": []}
    if user is not None and user.role == "umkm":
        with db(request) as session:
            context.update(registration=registration_of(session, user), products=my_products(session, user),
                           skpd=skpd_list(session, VENDOR.agency))
    return render(request, "eorder_hub.html", queues=QUEUES, stages=[s.stage for s in VENDOR.steps], **context)


# ---- the Satpel's registration lists and the assign-PJLP form ------------------------------


def registrations(session: Session, user: User, queue: str) -> list[tuple[Case, Task | None]]:
    """The registrations still in progress in one queue (PKT or Non-PKT) that this officer sees (a
    Satpel: those of its SKPD), oldest first, with their open step."""
    query = select(Case).where(Case.sop == VENDOR.id, service.visible_cases(user), Case.status == CaseStatus.OPEN,
                               col(Case.data)["pkt"].as_boolean() == (queue == "PKT"))
    cases = list(session.exec(query.order_by(col(Case.created_at))))
    tasks = session.exec(select(Task).where(col(Task.case_id).in_([c.id for c in cases]))).all()
    open_step = {t.case_id: t for t in tasks}
    return [(c, open_step.get(c.id)) for c in cases]


@router.get("/eorder/registrasi")
def registration_list(request: Request, user: StaffPage, antrian: str = "Non-PKT", pesan: str = "") -> Response:
    queue = antrian if antrian in QUEUES else "Non-PKT"
    with db(request) as session:
        rows = registrations(session, user, queue)
    return render(request, "eorder_registrations.html", queue=queue, queues=QUEUES, rows=rows,
                  notice=NOTICES.get(pesan))


def open_task(session: Session, case_id: str, step: str) -> Task | None:
    return session.exec(select(Task).where(Task.case_id == case_id, Task.step == step)).first()


def assignable(request: Request, user: User, case_id: str) -> tuple[Case, FormField]:
    """The registration waiting for its PJLP, for a Satpel who may assign it; the PJLP choice."""
    with db(request) as session:
        case = service.visible_case(session, user, case_id)
        task = open_task(session, case_id, "assign_pjlp")
        if task is None:
            raise ApiError(409, "Pendaftaran ini tidak sedang menunggu penunjukan PJLP")
        if not service.may_act(user, task):
            raise ApiError(403, "Hanya Satpel yang dapat menunjuk PJLP pendamping")
        query = select(User).where(User.role == "pjlp", User.agency == case.agency)
        if case.unit is not None:  # the PJLP of the registration's SKPD (or of none), as the assignment checks
            query = query.where(or_(col(User.unit).is_(None), col(User.unit) == case.unit))
        pjlps = session.exec(query.order_by(col(User.name))).all()
    choices = tuple((str(p.id), f"{p.name} ({p.email})") for p in pjlps)
    return case, FormField("pjlp", "Admin/PJLP pendamping", "select", choices=choices)


def assign_page(request: Request, case: Case, choice: FormField, error: ApiError | None = None,
                value: str = "") -> Response:
    errors, general = field_messages(error.detail, {"pjlp"}) if error else ({}, [])
    return render(request, "eorder_assign.html", status=error.status if error else 200, case=case, choice=choice,
                  values={"pjlp": value}, errors=errors, general=general)


@router.get("/eorder/registrasi/{case_id}/pjlp")
def assign_form(request: Request, case_id: str, user: StaffPage) -> Response:
    case, choice = assignable(request, user, case_id)
    return assign_page(request, case, choice)


@router.post("/eorder/registrasi/{case_id}/pjlp")
async def assign(request: Request, case_id: str, user: StaffPage, form: CheckedForm) -> Response:
    case, choice = await run_in_threadpool(assignable, request, user, case_id)
    value = str(form.get("pjlp", "")).strip()
    try:
        await service.decide(await get_temporal(request), settings_of(request), request.app.state.engine, user,
                             case_id, "assign_pjlp", "assign", data={"pjlp": value})
    except ApiError as error:
        return assign_page(request, case, choice, error, value)
    queue = "PKT" if case.data.get("pkt") else "Non-PKT"
    return redirect(f"/eorder/registrasi?antrian={queue}&pesan=pjlp")


# ---- the PJLP's check page: inline corrections, what changed, then the decision -----------


def corrections(view: CaseView, fields: tuple[FormField, ...]) -> list[dict[str, Any]]:
    """Every correction in the history, newest first: who changed which field from what to what."""
    by_name = {f.name: f for f in fields}
    return [
        {"at": h.at, "actor": h.actor, "label": c.get("label", c["field"]), "field": c["field"],
         "old": display(by_name.get(c["field"]), c["old"]), "new": display(by_name.get(c["field"]), c["new"])}
        for h in reversed(view.history) if h.action == "edit" for c in h.data.get("changes", [])
    ]


def check_step(case: Case) -> tuple[str, tuple[FormField, ...]]:
    if case.sop not in CHECKS:
        raise ApiError(404, "Halaman pemeriksaan hanya untuk pendaftaran penyedia dan produk e-order")
    return CHECKS[case.sop]


def check_page(request: Request, user: User, case_id: str, values: dict[str, Any] | None = None,
               error: ApiError | None = None, reason: str = "", notice: str | None = None) -> Response:
    with db(request) as session:
        case = service.visible_case(session, user, case_id)
        step, fields = check_step(case)
        task = open_task(session, case_id, step)
        view = case_view(session, case)
    errors, general = field_messages(error.detail, {f.name for f in fields} | {"reason"}) if error else ({}, [])
    changes = corrections(view, fields)
    return render(request, "eorder_check.html", status=error.status if error else 200, case=view, step=step,
                  fields=fields, values=values or {f.name: view.data.get(f.name, "") for f in fields},
                  errors=errors, general=general, reason=reason, actions=SOPS[case.sop].step(step).actions,
                  may_act=task is not None and service.may_act(user, task), changes=changes,
                  changed={c["field"] for c in changes}, notice=notice)


@router.get("/eorder/periksa/{case_id}")
def check(request: Request, case_id: str, user: PageUser, pesan: str = "") -> Response:
    return check_page(request, user, case_id, notice=NOTICES.get(pesan))


@router.post("/eorder/periksa/{case_id}")
async def check_decide(request: Request, case_id: str, user: PageUser, form: CheckedForm) -> Response:
    engine = request.app.state.engine
    case = await run_in_threadpool(service.with_session, engine, service.visible_case, user, case_id)
    step, fields = check_step(case)
    action, reason = str(form.get("action", "")), str(form.get("reason", "")).strip()
    values = read_values(fields, form) if action == "edit" else None
    try:
        await service.decide(await get_temporal(request), settings_of(request), engine, user, case_id, step, action,
                             reason or None, submitted(values) if values is not None else None)
    except ApiError as error:
        if error.status == 404:
            raise
        return await run_in_threadpool(check_page, request, user, case_id, values, error, reason)
    if action == "edit":
        return redirect(f"/eorder/periksa/{case_id}?pesan=koreksi")
    return redirect(f"/kasus/{case_id}?pesan=keputusan")


# ---- the public catalogue ----------------------------------------------------------------


@router.get("/eorder/katalog")
def catalogue(request: Request, kategori: str = "", q: str = "", halaman: int = 1) -> Response:
    """Published products only; no login needed."""
    category = kategori if kategori in CATEGORIES else None
    with db(request) as session:
        page = published_products(session, category, q[:100] or None, page_number(halaman), PER_PAGE)
    return render(request, "eorder_catalogue.html", page=page, categories=CATEGORIES, kategori=category or "",
                  q=q[:100], pages=-(-page.total // PER_PAGE))

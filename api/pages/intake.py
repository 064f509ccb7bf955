"""Offline intake on the pages, for every SOP that takes it (Intake.staff_roles): staff register a case for
someone who came in person, wrote, phoned...; the printable receipt with the tracking code; and the steps an
applicant without an account takes with that code on the tracking page (e.g. rating a response)."""

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from api import service
from api.deps import get_temporal
from api.documents import Incoming, incoming
from api.intake import PERSON_FIELDS, OfflineIntake, OnBehalf
from api.pages.fields import FormField, data_label, display, field_messages, fields_of, read_values, start_fields, \
    step_fields, submitted
from api.pages.web import CheckedForm, StaffPage, db, page_router, redirect, render, settings_of
from api.errors import ApiError
from api.queries import tracked
from api.views import TrackingView
from core.models import User
from core.roles import INTAKE_CHANNELS
from workflows import INTAKES, REGISTRY, SOPS

router = page_router()
ON_BEHALF = "on_behalf"
# The person, then how it came in; the SOP's own fields follow (less those the person fills).
PERSON = tuple(replace(f, name=f"{ON_BEHALF}.{f.name}") for f in fields_of(OnBehalf))
CHANNEL = tuple(f for f in fields_of(OfflineIntake) if f.name != ON_BEHALF)


def registering(sop: str, user: User) -> None:
    intake = INTAKES.get(sop)
    if intake is None:
        raise ApiError(404, "Layanan tidak ditemukan")
    if user.role not in intake.staff_roles:
        raise ApiError(403, "Anda tidak berwenang mendaftarkan layanan ini atas nama orang lain")


def own_fields(sop: str) -> tuple[FormField, ...]:
    return tuple(f for f in start_fields(sop) if f.name not in PERSON_FIELDS and f.name != "agency")


def flat_detail(detail: Any) -> Any:
    """Errors under body.on_behalf.<field> named as the page's fields ("on_behalf.<field>")."""
    if not isinstance(detail, list):
        return detail
    flat = []
    for item in detail:
        loc = [str(p) for p in item.get("loc", [])] if isinstance(item, dict) else []
        if loc[:2] == ["body", ON_BEHALF] and len(loc) > 2:
            item = {**item, "loc": ["body", f"{ON_BEHALF}.{loc[2]}"]}
        flat.append(item)
    return flat


def register_page(request: Request, sop: str, values: dict[str, Any], error: ApiError | None = None) -> Response:
    fields = own_fields(sop)
    names = {f.name for f in (*PERSON, *CHANNEL, *fields)} | {k.id for k in SOPS[sop].documents}
    errors, general = field_messages(flat_detail(error.detail), names) if error else ({}, [])
    return render(request, "register_offline.html", status=error.status if error else 200, sop=sop, definition=SOPS[sop],
                  person=PERSON, channel=CHANNEL, fields=fields, kinds=SOPS[sop].documents, values=values,
                  errors=errors, general=general)


@router.get("/layanan/{sop}/daftarkan")
def register_form(request: Request, sop: str, user: StaffPage) -> Response:
    registering(sop, user)
    return register_page(request, sop, {})


async def files_of(request: Request, form: FormData) -> list[Incoming]:
    settings = settings_of(request)
    return [await incoming(value, name, ("body", name), settings)
            for name, value in form.multi_items() if isinstance(value, UploadFile) and value.filename]


@router.post("/layanan/{sop}/daftarkan")
async def register(request: Request, sop: str, user: StaffPage, form: CheckedForm) -> Response:
    registering(sop, user)
    fields = own_fields(sop)
    values = read_values((*PERSON, *CHANNEL, *fields), form)
    body = submitted({f.name: values[f.name] for f in (*CHANNEL, *fields)})
    body[ON_BEHALF] = submitted({f.name.split(".", 1)[1]: values[f.name] for f in PERSON})
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings_of(request), request.app.state.engine, user, sop, body,
                                       await files_of(request, form))
    except ApiError as error:
        if error.status == 404:
            raise
        return register_page(request, sop, values, error)
    return redirect(f"/kasus/{case.id}/tanda-terima")


@router.get("/kasus/{case_id}/tanda-terima")
def receipt(request: Request, case_id: str, user: StaffPage) -> Response:
    """A printable receipt for the person a case was registered for: the tracking code above all."""
    with db(request) as session:
        view = service.visible_view(session, user, case_id)
    data = view.data
    standard = REGISTRY[view.sop].standard if view.sop in SOPS else None
    return render(request, "receipt.html", case=view, person=data.get(ON_BEHALF) or {"name": view.applicant.name},
                  channel=INTAKE_CHANNELS.get(str(data.get("channel")), data.get("channel")),
                  lapor_number=data.get("lapor_number"), registered_by=(data.get("registered_by") or {}).get("name"),
                  track_url=f"{settings_of(request).base_url}/lacak/{view.tracking_code}",
                  time=standard.time if standard else None)


# ---- the tracking page: what the code shows, and the applicant's own steps -------------------------


def tracking_page(request: Request, view: TrackingView, notice: str | None = None, posted: str | None = None,
                  values: dict[str, Any] | None = None, error: ApiError | None = None) -> Response:
    details = [(data_label(view.sop, key), display(None, value, key, view.sop)) for key, value in view.details.items()]
    forms = [{"step": s, "fields": step_fields(view.sop, s.step)} for s in view.applicant_steps]
    names = {f.name for form in forms for f in form["fields"]} | {"reason"}
    errors, general = field_messages(error.detail, names) if error else ({}, [])
    return render(request, "track.html", status=error.status if error else 200, code=view.tracking_code,
                  tracking=view, details=details, forms=forms, notice=notice, posted=posted, values=values or {},
                  errors=errors, general=general)


def read_tracked(request: Request, code: str) -> TrackingView:
    with db(request) as session:
        return tracked(session, code)


@router.post("/lacak/{code}/keputusan")
async def decide_by_code(request: Request, code: str, form: CheckedForm) -> Response:
    """An applicant without an account takes their own step with the tracking code (the page's form)."""
    step, action = str(form.get("step", "")), str(form.get("action", ""))
    view = await run_in_threadpool(read_tracked, request, code)  # 404 for an unknown code
    fields = step_fields(view.sop, step) if any(s.step == step for s in view.applicant_steps) else ()
    values = read_values(fields, form)
    try:
        client = await get_temporal(request)
        await service.decide_by_tracking_code(client, settings_of(request), request.app.state.engine, code, step,
                                              action, str(form.get("reason", "")).strip() or None,
                                              submitted(values) or None)
    except ApiError as error:
        view = await run_in_threadpool(read_tracked, request, code)
        return tracking_page(request, view, posted=step, values=values, error=error)
    return redirect(f"/lacak/{view.tracking_code}?pesan=keputusan")

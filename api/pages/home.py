"""The home page (catalogue, my cases, my inbox) and an applicant's start form."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api import service
from api.deps import get_temporal
from api.pages.fields import ACCOUNT_PREFILL, field_messages, read_values, start_fields, submitted
from api.pages.labels import agency_name, standard_url
from api.pages.web import CheckedForm, OptionalUser, PageUser, db, page_router, redirect, render, settings_of
from api.queries import case_list, inbox
from api.errors import ApiError
from core.models import User
from core.roles import is_staff
from workflows import INTAKES, REGISTRY, SOPS

router = page_router()
HOME_CASES = 10


PUBLIC_CATALOGUES = (("Katalog Galeri UMKM Jawa Timur", "/galeri"), ("Katalog produk e-order DKI Jakarta", "/eorder/katalog"),
                     ("JATHIL MART: produk UMKM Kabupaten Ponorogo", "/jathil"))


def catalogue() -> list[dict[str, Any]]:
    """What an applicant may start; cases that only other cases open (referrals) are not listed."""
    return [{"id": m.id, "title": m.definition.title, "description": m.definition.description,
             "agency": agency_name(m.definition.agency), "start": m.start_page or f"/layanan/{m.id}/ajukan",
             "standard": standard_url(m.id)}
            for m in REGISTRY.startable()]


@router.get("/")
def home(request: Request, user: OptionalUser) -> Response:
    if user is None:
        return render(request, "home.html", catalogue=catalogue(), public_catalogues=PUBLIC_CATALOGUES)
    with db(request) as session:
        tasks = inbox(session, user)
        cases = None if is_staff(user.role) else case_list(session, user, per_page=HOME_CASES)
    # What this officer registers for people who came in person, wrote, phoned... (offline intake).
    registers = [{"title": m.definition.title, "url": f"/layanan/{m.id}/daftarkan"} for m in REGISTRY.startable()
                 if user.role in m.intake.staff_roles]  # type: ignore[union-attr]
    return render(request, "home.html", catalogue=catalogue(), tasks=tasks, cases=cases,
                  public_catalogues=PUBLIC_CATALOGUES, registers=registers)


def apply_page(request: Request, user: User, sop: str, values: dict[str, Any],
               error: ApiError | None = None) -> Response:
    fields = start_fields(sop)
    errors, general = field_messages(error.detail, {f.name for f in fields}) if error else ({}, [])
    intake = INTAKES[sop]
    return render(request, "apply.html", status=error.status if error else 200, sop=sop, definition=SOPS[sop],
                  fields=fields, values=values, errors=errors, general=general,
                  allowed=user.role in intake.roles, roles=intake.roles)


@router.get("/layanan/{sop}/ajukan")
def apply_form(request: Request, sop: str, user: PageUser) -> Response:
    names = {f.name for f in start_fields(sop)}
    prefill = {field: getattr(user, attr) for field, attr in ACCOUNT_PREFILL.items()
               if field in names and getattr(user, attr)}
    return apply_page(request, user, sop, prefill)


@router.post("/layanan/{sop}/ajukan")
async def apply(request: Request, sop: str, user: PageUser, form: CheckedForm) -> Response:
    values = read_values(start_fields(sop), form)
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings_of(request), request.app.state.engine, user, sop,
                                       submitted(values))
    except ApiError as error:
        if error.status == 404:
            raise
        return apply_page(request, user, sop, values, error)
    return redirect(f"/kasus/{case.id}?pesan=diajukan")

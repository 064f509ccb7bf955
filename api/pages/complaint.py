"""The public complaint page of every agency (service-complaint): anyone, without an account, complains
about a Dinas's service, suggests or gives input; the page lists the chosen Dinas's complaint channels."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api import service
from api.deps import get_temporal
from api.intake import HONEYPOT, Visitor, client_address
from api.pages.fields import field_messages, read_values, start_fields, submitted
from api.pages.intake import files_of
from api.pages.web import CheckedForm, OptionalUser, page_router, redirect, render, settings_of
from api.errors import ApiError
from core.models import User
from core.roles import AGENCIES, complaint_channels, is_staff
from workflows.service_complaint import DEFINITION, OFFICER

router = page_router()
PAGE = "/pengaduan"
STAFF_HERE = "Petugas mendaftarkan pengaduan yang diterima secara luring melalui halaman Daftarkan pengaduan."
PREFILL = {"name": "name", "email": "email", "phone": "phone"}  # form field -> account attribute


def complaint_page(request: Request, user: User | None, values: dict[str, Any],
                   error: ApiError | None = None) -> Response:
    fields = start_fields(DEFINITION.id)
    names = {f.name for f in fields} | {k.id for k in DEFINITION.documents}
    errors, general = field_messages(error.detail, names) if error else ({}, [])
    agency = str(values.get("agency") or "")
    channels = complaint_channels(agency, settings_of(request).complaint_channels) if agency in AGENCIES else ()
    return render(request, "complaint.html", status=error.status if error else 200, definition=DEFINITION,
                  fields=fields, kinds=DEFINITION.documents, values=values, errors=errors, general=general,
                  agencies=AGENCIES, agency=agency, channels=channels, honeypot=HONEYPOT,
                  staff=bool(user and is_staff(user.role)), officer=bool(user and user.role == OFFICER))


@router.get(PAGE)
def complaint_form(request: Request, user: OptionalUser, dinas: str = "") -> Response:
    values: dict[str, Any] = {"agency": dinas} if dinas in AGENCIES else {}
    if user is not None and not is_staff(user.role):
        values.update({field: getattr(user, attr) for field, attr in PREFILL.items() if getattr(user, attr)})
    return complaint_page(request, user, values)


@router.post(PAGE)
async def complain(request: Request, user: OptionalUser, form: CheckedForm) -> Response:
    if user is not None and is_staff(user.role):
        raise ApiError(403, STAFF_HERE)
    values = read_values(start_fields(DEFINITION.id), form)
    body = submitted(values)
    trap = str(form.get(HONEYPOT) or "")
    if trap:
        body[HONEYPOT] = trap
    visitor = None if user else Visitor(client_address(request), request.app.state.public_starts)
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings_of(request), request.app.state.engine, user, DEFINITION.id,
                                       body, await files_of(request, form), visitor=visitor)
    except ApiError as error:
        if error.status == 404:
            raise
        response = complaint_page(request, user, values, error)
        response.headers.update(error.headers or {})
        return response
    if user is None:
        return redirect(f"/lacak/{case.tracking_code}?pesan=diterima")
    return redirect(f"/kasus/{case.id}?pesan=diajukan")

"""consultation pages: the start form of an account (online) and the officer's registration for someone who
came in person or wrote (offline), each with the respondent's own fields (the form's nested `respondent`,
drawn as `respondent.<field>`) and the two required documents. They take the generic pages' addresses
(an SOP's own page wins) and go through the same service function as the JSON API, so the checks and the
Indonesian messages are the same. The steps are the case page's forms.
"""

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api import service
from api.deps import get_temporal
from api.errors import ApiError
from api.intake import PERSON_FIELDS
from api.pages.fields import FormField, field_messages, fields_of, read_values, submitted
from api.pages.intake import CHANNEL, ON_BEHALF, PERSON, files_of, flat_detail, registering
from api.pages.web import CheckedForm, PageUser, StaffPage, page_router, redirect, render, settings_of
from core.models import User
from workflows.consultation import DEFINITION, SOP, ConsultationForm, Respondent

router = page_router()
APPLY = f"/layanan/{DEFINITION.id}/ajukan"
REGISTER = f"/layanan/{DEFINITION.id}/daftarkan"
RESPONDENT = "respondent"
RESPONDENT_FIELDS = tuple(replace(f, name=f"{RESPONDENT}.{f.name}") for f in fields_of(Respondent))
OWN = tuple(f for f in fields_of(ConsultationForm) if f.name != RESPONDENT)
# Offline: the person's fields come from on_behalf (api.intake), so the form's own are left out.
OFFLINE_OWN = tuple(f for f in OWN if f.name not in PERSON_FIELDS)


def body_of(fields: tuple[FormField, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The start form's body: its own fields, and the respondent as one record unless left empty."""
    body = submitted({f.name: values[f.name] for f in fields})
    respondent = submitted({f.name.split(".", 1)[1]: values[f.name] for f in RESPONDENT_FIELDS})
    if respondent:
        body[RESPONDENT] = respondent
    return body


def page_detail(detail: Any) -> Any:
    """Errors under body.respondent.<field> named as the page's fields; one about the whole respondent
    (required for a dispute) shown at its first field."""
    if not isinstance(detail, list):
        return detail
    flat = []
    for item in flat_detail(detail):
        loc = [str(p) for p in item.get("loc", [])] if isinstance(item, dict) else []
        if loc[:2] == ["body", RESPONDENT]:
            item = {**item, "loc": ["body", f"{RESPONDENT}.{loc[2] if len(loc) > 2 else 'name'}"]}
        flat.append(item)
    return flat


def messages(error: ApiError | None, fields: tuple[FormField, ...]) -> tuple[dict[str, str], list[str]]:
    if error is None:
        return {}, []
    names = {f.name for f in fields} | {k.id for k in DEFINITION.documents}
    return field_messages(page_detail(error.detail), names)


# ---- online: an account applies ----------------------------------------------------------------


def apply_page(request: Request, user: User, values: dict[str, Any], error: ApiError | None = None) -> Response:
    errors, general = messages(error, (*OWN, *RESPONDENT_FIELDS))
    intake = SOP.intake
    assert intake is not None
    respondent = {"title": "Termohon", "fields": RESPONDENT_FIELDS,
                  "note": "Hanya untuk pengaduan: pihak yang diadukan, yang akan diundang ke pertemuan fasilitasi."}
    return render(request, "apply.html", status=error.status if error else 200, definition=DEFINITION,
                  fields=OWN, sections=[respondent], kinds=DEFINITION.documents, values=values, errors=errors,
                  general=general, allowed=user.role in intake.roles, roles=intake.roles, action=APPLY)


@router.get(APPLY)
def apply_form(request: Request, user: PageUser) -> Response:
    return apply_page(request, user, {})


@router.post(APPLY)
async def apply(request: Request, user: PageUser, form: CheckedForm) -> Response:
    """Fields and files together: one page of messages when anything is wrong, nothing stored."""
    values = read_values((*OWN, *RESPONDENT_FIELDS), form)
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings_of(request), request.app.state.engine, user, DEFINITION.id,
                                       body_of(OWN, values), await files_of(request, form))
    except ApiError as error:
        if error.status == 404:
            raise
        return apply_page(request, user, values, error)
    return redirect(f"/kasus/{case.id}?pesan=diajukan")


# ---- offline: an officer registers someone without an account ------------------------------------


def register_page(request: Request, values: dict[str, Any], error: ApiError | None = None) -> Response:
    fields = (*OFFLINE_OWN, *RESPONDENT_FIELDS)
    errors, general = messages(error, (*PERSON, *CHANNEL, *fields))
    return render(request, "register_offline.html", status=error.status if error else 200, sop=DEFINITION.id,
                  definition=DEFINITION, person=PERSON, channel=CHANNEL, fields=fields, kinds=DEFINITION.documents,
                  values=values, errors=errors, general=general)


@router.get(REGISTER)
def register_form(request: Request, user: StaffPage) -> Response:
    registering(DEFINITION.id, user)
    return register_page(request, {})


@router.post(REGISTER)
async def register(request: Request, user: StaffPage, form: CheckedForm) -> Response:
    registering(DEFINITION.id, user)
    values = read_values((*PERSON, *CHANNEL, *OFFLINE_OWN, *RESPONDENT_FIELDS), form)
    body = {**submitted({f.name: values[f.name] for f in CHANNEL}), **body_of(OFFLINE_OWN, values)}
    body[ON_BEHALF] = submitted({f.name.split(".", 1)[1]: values[f.name] for f in PERSON})
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings_of(request), request.app.state.engine, user, DEFINITION.id,
                                       body, await files_of(request, form))
    except ApiError as error:
        if error.status == 404:
            raise
        return register_page(request, values, error)
    return redirect(f"/kasus/{case.id}/tanda-terima")

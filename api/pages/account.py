"""Logging in and out, registration, e-mail verification."""

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api import accounts
from api.pages.fields import FormField, field_messages, read_values, submitted
from api.pages.web import (
    SESSION_COOKIE, CheckedForm, OptionalUser, clear_cookie, page_router, redirect, render, safe_next, set_cookie,
    settings_of,
)
from api.errors import ApiError
from core.roles import ROLE_TITLES
from core.users import find_user

router = page_router()

REGISTRATION_FIELDS = (
    FormField("name", "Nama lengkap"),
    FormField("email", "E-mail", "email", hint="Tautan aktivasi akun dikirim ke alamat ini"),
    FormField("phone", "Nomor HP", "tel", hint="Contoh 081234567890"),
    FormField("password", "Kata sandi", "password", hint="Minimal 8 karakter"),
    FormField("role", "Peran", "select", default="umkm",
              choices=tuple((r, ROLE_TITLES[r]) for r in ("umkm", "pembeli"))),
)


def login_page(request: Request, next_url: str, email: str = "", error: ApiError | None = None) -> Response:
    return render(request, "login.html", status=error.status if error else 200, next=safe_next(next_url),
                  email=email, error=error.detail if error else None, unverified=bool(error and error.status == 403))


@router.get("/masuk")
def login_form(request: Request, next: str = "/") -> Response:
    return login_page(request, next)


@router.post("/masuk")
async def login(request: Request, form: CheckedForm) -> Response:
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_url = str(form.get("next", "/"))
    settings = settings_of(request)
    try:  # argon2 is deliberately slow: keep it off the event loop
        address = request.client.host if request.client else ""
        token = await run_in_threadpool(accounts.authenticate, settings, request.app.state.engine, email, password,
                                        address)
    except ApiError as error:
        return login_page(request, next_url, email, error)
    response = redirect(safe_next(next_url))
    set_cookie(response, settings, SESSION_COOKIE, token, settings.token_hours * 3600)
    return response


@router.post("/keluar")
def logout(request: Request, form: CheckedForm, user: OptionalUser) -> Response:
    if user is not None:  # the session ends everywhere, not just in this browser
        accounts.end_sessions(request.app.state.engine, user.id or 0)
    response = redirect("/")
    clear_cookie(response, settings_of(request), SESSION_COOKIE)
    return response


def registration_page(request: Request, values: dict, error: ApiError | None = None) -> Response:
    errors, general = field_messages(error.detail, {f.name for f in REGISTRATION_FIELDS}) if error else ({}, [])
    return render(request, "register.html", status=error.status if error else 200, fields=REGISTRATION_FIELDS,
                  values=values, errors=errors, general=general)


@router.get("/daftar")
def registration_form(request: Request, peran: str = "") -> Response:
    """`?peran=pembeli` chooses the role beforehand (the JATHIL MART order page links so)."""
    roles = {value for value, _ in REGISTRATION_FIELDS[-1].choices}
    return registration_page(request, {"role": peran} if peran in roles else {})


@router.post("/daftar")
async def register(request: Request, form: CheckedForm) -> Response:
    values = read_values(REGISTRATION_FIELDS, form)
    try:
        registration = accounts.parse_registration(submitted(values))
        user = await accounts.register(settings_of(request), request.app.state.engine, registration)
    except ApiError as error:
        return registration_page(request, values, error)
    return render(request, "register_sent.html", email=user.email)


@router.get("/verifikasi")
def verify(request: Request, token: str = "") -> Response:
    try:
        user = accounts.verify(settings_of(request), request.app.state.engine, token)
    except ApiError as error:
        return render(request, "verify.html", status=error.status, ok=False, message=error.detail)
    return render(request, "verify.html", ok=True, name=user.name)


@router.post("/verifikasi/kirim-ulang")
async def resend_verification(request: Request, form: CheckedForm) -> Response:
    """Always the same answer, so the page does not reveal which e-mails have accounts."""
    email = str(form.get("email", "")).strip()
    user = await run_in_threadpool(find_user, request.app.state.engine, email) if email else None
    if user is not None and not user.verified:
        await accounts.send_verification(settings_of(request), request.app.state.engine, user)
    return render(request, "register_sent.html", email=email, resent=True)

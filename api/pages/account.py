"""Logging in and out, registration, e-mail verification, a forgotten password."""

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api import accounts
from api.pages.fields import FormField, field_messages, read_values, submitted
from api.pages.web import (
    SESSION_COOKIE, CheckedForm, OptionalUser, clear_cookie, page_router, redirect, render, safe_next, set_cookie,
    settings_of,
)
from api.errors import ApiError
from core.config import Settings
from core.roles import ROLE_TITLES

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


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/daftar")
async def register(request: Request, form: CheckedForm) -> Response:
    """The same page whether or not the e-mail has an account (api.accounts.register)."""
    values = read_values(REGISTRATION_FIELDS, form)
    try:
        registration = accounts.parse_registration({**submitted(values), "password": str(form.get("password", ""))})
        await accounts.register(settings_of(request), request.app.state.engine, registration, client_of(request))
    except ApiError as error:
        return registration_page(request, values, error)
    return render(request, "register_sent.html", email=registration.email)


@router.get("/verifikasi")
def verify_form(request: Request, token: str = "") -> Response:
    """The link in the e-mail: shows whose account it activates and a button; only the POST activates
    (a mail scanner that follows links activates nothing)."""
    try:
        user = accounts.verification_of(settings_of(request), request.app.state.engine, token)
    except ApiError as error:
        return render(request, "verify.html", status=error.status, state="failed", message=error.detail)
    return render(request, "verify.html", state="confirm", token=token, email=user.email, name=user.name)


@router.post("/verifikasi")
def verify(request: Request, form: CheckedForm) -> Response:
    try:
        user = accounts.verify(settings_of(request), request.app.state.engine, str(form.get("token", "")))
    except ApiError as error:
        return render(request, "verify.html", status=error.status, state="failed", message=error.detail)
    return render(request, "verify.html", state="done", name=user.name)


EmailRequest = Callable[[Settings, Engine, str, str], Awaitable[None]]  # (settings, engine, e-mail, client)
EMAIL_FIELD = (FormField("email", "E-mail", "email"),)
NEW_PASSWORD_FIELD = (FormField("password", "Kata sandi baru", "password",
                                hint="Minimal 8 karakter; spasi ikut dihitung"),)
EMAIL_REQUESTS = {  # the pages that ask for a link by e-mail: (title, intro, button)
    "/verifikasi/kirim-ulang": ("Kirim ulang tautan aktivasi",
                                "Masukkan e-mail yang Anda pakai saat mendaftar. Bila akunnya belum aktif, kami "
                                "kirim tautan aktivasi yang baru.", "Kirim tautan aktivasi"),
    "/kata-sandi/lupa": ("Lupa kata sandi",
                         "Masukkan e-mail akun Anda. Kami kirim tautan untuk memilih kata sandi baru; tautan "
                         "itu berlaku satu jam dan hanya dapat dipakai sekali.", "Kirim tautan atur ulang"),
}


def email_request_page(request: Request, action: str, email: str = "", error: ApiError | None = None) -> Response:
    title, intro, button = EMAIL_REQUESTS[action]
    errors, general = field_messages(error.detail, {"email"}) if error else ({}, [])
    return render(request, "email_request.html", status=error.status if error else 200, action=action,
                  title=title, intro=intro, button=button, fields=EMAIL_FIELD, values={"email": email},
                  errors=errors, general=general)


async def email_request(request: Request, form: FormData, action: str, send: EmailRequest,
                        **sent: bool) -> Response:
    """Always the same answer, so the page does not reveal which e-mails have accounts."""
    email = str(form.get("email", "")).strip()
    try:
        address = accounts.parse_form(accounts.EmailOnly, {"email": email}).email
    except ApiError as error:
        return email_request_page(request, action, email, error)
    await send(settings_of(request), request.app.state.engine, address, client_of(request))
    return render(request, "register_sent.html", email=address, **sent)


@router.get("/verifikasi/kirim-ulang")
def resend_verification_form(request: Request, email: str = "") -> Response:
    return email_request_page(request, "/verifikasi/kirim-ulang", email)


@router.post("/verifikasi/kirim-ulang")
async def resend_verification(request: Request, form: CheckedForm) -> Response:
    return await email_request(request, form, "/verifikasi/kirim-ulang", accounts.resend_verification, resent=True)


@router.get("/kata-sandi/lupa")
def forgot_password_form(request: Request, email: str = "") -> Response:
    return email_request_page(request, "/kata-sandi/lupa", email)


@router.post("/kata-sandi/lupa")
async def forgot_password(request: Request, form: CheckedForm) -> Response:
    return await email_request(request, form, "/kata-sandi/lupa", accounts.forgot_password, reset=True)


def reset_page(request: Request, token: str, error: ApiError | None = None) -> Response:
    errors, general = field_messages(error.detail, {"password"}) if error else ({}, [])
    return render(request, "password_reset.html", status=error.status if error else 200, state="form",
                  token=token, fields=NEW_PASSWORD_FIELD, values={}, errors=errors, general=general)


@router.get("/kata-sandi/atur-ulang")
def reset_password_form(request: Request, token: str = "") -> Response:
    """The link in the reset e-mail: the form for the new password (nothing changes on GET)."""
    try:
        accounts.reset_target(settings_of(request), request.app.state.engine, token)
    except ApiError as error:
        return render(request, "password_reset.html", status=error.status, state="failed", message=error.detail)
    return reset_page(request, token)


@router.post("/kata-sandi/atur-ulang")
def reset_password(request: Request, form: CheckedForm) -> Response:
    token = str(form.get("token", ""))
    try:
        reset = accounts.parse_form(accounts.PasswordReset, {"token": token,
                                                             "password": str(form.get("password", ""))})
        accounts.reset_password(settings_of(request), request.app.state.engine, reset)
    except ApiError as error:
        if error.status == 422:
            return reset_page(request, token, error)
        return render(request, "password_reset.html", status=error.status, state="failed", message=error.detail)
    response = render(request, "password_reset.html", state="done")
    clear_cookie(response, settings_of(request), SESSION_COOKIE)  # every session ended, this one too
    return response

"""Applicant accounts: registration with e-mail verification, and logging in. Used by the API and the pages."""

import logging
import threading
from functools import partial
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from activities.notify import send_direct
from api.errors import ApiError
from api.throttle import LoginThrottle
from core.config import Settings
from core.forms import Form, field_errors
from core.identifiers import Email, MobilePhone
from core.models import User
from core.security import ACCESS, VERIFY, hash_password, make_token, read_token, verify_password
from core.users import UserExists, create_user, find_user

log = logging.getLogger(__name__)
LOGINS = LoginThrottle()
HASHING = threading.BoundedSemaphore(4)
FormT = TypeVar("FormT", bound=Form)
WRONG_CREDENTIALS = "E-mail atau kata sandi salah"
DUMMY_HASH = hash_password("tidak-ada-akun-ini")  # compared against when the e-mail is unknown
# The most used passwords (and Indonesian favourites): refused as new passwords.
COMMON_PASSWORDS = frozenset("""
12345678 123456789 1234567890 password password1 password123 qwertyui qwerty123 11111111 00000000 12341234
87654321 88888888 iloveyou sayangku bismillah indonesia jakarta123 admin123 rahasia123 rahasia1 katasandi
passw0rd abcd1234 1q2w3e4r asdfghjk zxcvbnm1 superman sunshine football welcome1 letmein1 password12
""".split())


def _not_common(password: str) -> str:
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise PydanticCustomError("common_password", "Kata sandi terlalu umum; pilih yang lebih sulit ditebak")
    return password


# Typed exactly as given (no whitespace stripped: a space may be part of it), and not a common one.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=8, max_length=200),
                     AfterValidator(_not_common)]


class Registration(Form):
    name: str = Field(min_length=2, max_length=200)
    email: Email
    phone: MobilePhone
    password: Password
    role: Literal["umkm", "pembeli"] = "umkm"


class PasswordChange(Form):
    current_password: Annotated[str, StringConstraints(strip_whitespace=False, max_length=200)]
    new_password: Password


def parse_form(form: type[FormT], body: object) -> FormT:
    try:
        return form.model_validate(body)
    except ValidationError as exc:
        raise ApiError(422, field_errors(exc)) from None


def parse_registration(body: object) -> Registration:
    return parse_form(Registration, body)


async def register(settings: Settings, engine: Engine, form: Registration) -> User:
    try:  # hashing the password is deliberately slow: off the event loop, like the insert
        user = await run_in_threadpool(partial(create_user, engine, email=form.email, name=form.name, role=form.role,
                                               password=form.password, phone=form.phone, verified=False))
    except UserExists:
        raise ApiError(409, "E-mail sudah terdaftar; silakan masuk atau gunakan e-mail lain") from None
    await send_verification(settings, engine, user)
    return user


async def send_verification(settings: Settings, engine: Engine, user: User) -> None:
    token = make_token(settings.secret_key, VERIFY, user.id or 0)
    url = f"{settings.base_url}/verifikasi?token={token}"
    try:
        await send_direct(settings, engine, f"verify/{user.id}/{token[-12:]}", user.email, "verify_account",
                          {"name": user.name, "verify_url": url, "base_url": settings.base_url})
    except Exception:  # the account exists; the applicant can ask for the link again
        log.exception("verification e-mail to %s failed", user.email)


def verify(settings: Settings, engine: Engine, token: str) -> User:
    user_id = read_token(settings.secret_key, VERIFY, token, settings.verify_hours * 3600)
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, user_id) if user_id else None
        if user is None:
            raise ApiError(400, "Tautan verifikasi tidak valid atau sudah kedaluwarsa")
        user.verified = True
        session.add(user)
        session.commit()
        return user


def authenticate(settings: Settings, engine: Engine, email: str, password: str, address: str = "") -> str:
    """A signed access token, or ApiError: 401 wrong credentials (an unknown e-mail, a deactivated account:
    the same answer after the same work), 403 not yet verified, 429 too many failures in a row (per
    account and per address, waiting longer each time)."""
    keys = (f"account:{email.strip().lower()}", f"address:{address}")
    wait = LOGINS.wait(*keys)
    if wait:
        raise ApiError(429, f"Terlalu banyak percobaan masuk yang gagal; coba lagi dalam {wait} detik",
                       headers={"Retry-After": str(wait)})
    user = find_user(engine, email)
    with HASHING:  # each check holds 64 MiB: a burst of logins must not exhaust the memory
        matches = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not matches or not user.active:
        run = LOGINS.failed(*keys)
        log.warning("login failed for %s from %s (%d in a row)", email, address or "?", run)  # the audit trail
        raise ApiError(401, WRONG_CREDENTIALS)
    LOGINS.succeeded(keys[0])
    if not user.verified:
        raise ApiError(403, "Akun belum diaktifkan: buka tautan verifikasi di e-mail Anda")
    return make_token(settings.secret_key, ACCESS, user.id or 0, user.session_version)


def end_sessions(engine: Engine, user_id: int) -> User:
    """Every token and page session issued to this account so far stops working."""
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, user_id)
        if user is None:
            raise ApiError(404, "Akun tidak ditemukan")
        user.session_version += 1
        session.add(user)
        session.commit()
        return user


def change_password(settings: Settings, engine: Engine, user: User, form: PasswordChange) -> str:
    """A new password ends every other session; returns a fresh token for this one."""
    if not verify_password(user.password_hash, form.current_password):
        raise ApiError(422, [{"loc": ["body", "current_password"], "msg": "Kata sandi saat ini salah",
                              "type": "password"}])
    with Session(engine, expire_on_commit=False) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        stored.password_hash = hash_password(form.new_password)
        stored.session_version += 1
        session.add(stored)
        session.commit()
        return make_token(settings.secret_key, ACCESS, stored.id or 0, stored.session_version)


def deactivate(engine: Engine, email: str) -> User:
    user = find_user(engine, email)
    if user is None:
        raise ApiError(404, "Akun tidak ditemukan")
    with Session(engine, expire_on_commit=False) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        stored.active = False
        stored.session_version += 1
        session.add(stored)
        session.commit()
        return stored

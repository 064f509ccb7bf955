"""Applicant accounts: registration with e-mail verification, and logging in. Used by the API and the pages."""

import logging
from functools import partial
from typing import Literal

from pydantic import Field, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from activities.notify import send_direct
from api.errors import ApiError
from core.config import Settings
from core.forms import Form, field_errors
from core.identifiers import Email, MobilePhone
from core.models import User
from core.security import ACCESS, VERIFY, make_token, read_token, verify_password
from core.users import UserExists, create_user, find_user

log = logging.getLogger(__name__)


class Registration(Form):
    name: str = Field(min_length=2, max_length=200)
    email: Email
    phone: MobilePhone
    password: str = Field(min_length=8, max_length=200)
    role: Literal["umkm", "pembeli"] = "umkm"


def parse_registration(body: object) -> Registration:
    try:
        return Registration.model_validate(body)
    except ValidationError as exc:
        raise ApiError(422, field_errors(exc)) from None


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


def authenticate(settings: Settings, engine: Engine, email: str, password: str) -> str:
    """A signed access token, or ApiError: 401 wrong credentials, 403 not yet verified."""
    user = find_user(engine, email)
    if user is None or not verify_password(user.password_hash, password):
        raise ApiError(401, "E-mail atau kata sandi salah")
    if not user.verified:
        raise ApiError(403, "Akun belum diaktifkan: buka tautan verifikasi di e-mail Anda")
    return make_token(settings.secret_key, ACCESS, user.id or 0)

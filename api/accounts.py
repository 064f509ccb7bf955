"""Applicant accounts: registration with e-mail verification, logging in, and a forgotten password. Used by
the API and the pages.

Nothing here tells whether an e-mail has an account: registration, a new verification link and a
password-reset request answer alike and do the same work; only the e-mail that follows differs, and it
goes to the address's owner. Those e-mails are throttled per e-mail and per client address; a throttled
request gets the same answer and sends nothing."""

import hmac
import logging
import secrets
import threading
from functools import cache, partial
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, update
from starlette.concurrency import run_in_threadpool

from activities.notify import send_direct
from api.errors import ApiError
from api.ratelimit import RateLimiter
from api.throttle import LoginThrottle
from core.config import Settings
from core.forms import Form, field_errors
from core.identifiers import Email, MobilePhone
from core.models import User
from core.security import (
    ACCESS, RESET, VERIFY, hash_password, make_token, password_fingerprint, read_bound, read_claims,
    verify_password,
)
from core.users import find_user, register_unverified

log = logging.getLogger(__name__)
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
# Account e-mails (registration, verification link, password reset): per hour, at most this many of one
# kind to one e-mail address, and this many in all asked from one client address. Counted in the database,
# like failed logins: every API process counts the same (api.ratelimit, api.throttle).
MAIL_WINDOW = 3600.0
MAILS_PER_EMAIL = 3
MAILS_PER_CLIENT = 20
RESET_SECONDS = 3600  # a password-reset link lasts an hour
REGISTERED = ("Pendaftaran diterima. Kami mengirim e-mail ke alamat tersebut: buka tautan di dalamnya untuk "
              "melanjutkan. Bila tidak datang dalam beberapa menit, periksa folder spam atau minta tautan baru.")
LINK_SENT = ("Jika alamat tersebut terdaftar, kami sudah mengirim tautannya ke e-mail itu. Bila tidak datang "
             "dalam beberapa menit, periksa folder spam.")
PASSWORD_RESET = "Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."
BAD_VERIFY_LINK = "Tautan verifikasi tidak valid atau sudah kedaluwarsa"
BAD_RESET_LINK = "Tautan atur ulang kata sandi tidak valid, sudah dipakai, atau sudah kedaluwarsa"


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


class EmailOnly(Form):
    """A new verification link, a password-reset link: asked for by e-mail address."""
    email: Email


class PasswordReset(Form):
    token: str = Field(min_length=1, max_length=500)
    password: Password


def parse_form(form: type[FormT], body: object) -> FormT:
    try:
        return form.model_validate(body)
    except ValidationError as exc:
        raise ApiError(422, field_errors(exc)) from None


def parse_registration(body: object) -> Registration:
    return parse_form(Registration, body)


@cache
def logins(engine: Engine) -> LoginThrottle:
    return LoginThrottle(engine)


@cache
def account_mails(engine: Engine) -> tuple[RateLimiter, RateLimiter]:
    """The limits of account e-mails: per client address, per kind and e-mail."""
    return (RateLimiter(engine, "mail_client", MAILS_PER_CLIENT, MAIL_WINDOW),
            RateLimiter(engine, "mail_email", MAILS_PER_EMAIL, MAIL_WINDOW))


def may_mail(engine: Engine, kind: str, email: str, client: str) -> bool:
    """Whether one more account e-mail of this kind may go to `email` at the request of `client` now
    (blocking: call it in a thread)."""
    by_client, by_email = account_mails(engine)
    if by_client.hit(f"client:{client}") or by_email.hit(f"{kind}:{email.strip().lower()}"):
        log.warning("account e-mail %s to %s asked from %s: throttled, not sent", kind, email, client or "?")
        return False
    return True


def _hashed(password: str) -> str:
    with HASHING:  # each hash holds 64 MiB
        return hash_password(password)


async def register(settings: Settings, engine: Engine, form: Registration, client: str = "") -> None:
    """The same answer, after the same work, whether or not the e-mail has an account: a new or unverified
    account gets a verification link (core.users.register_unverified: the newest registration wins); the
    owner of a verified one is told that someone tried to register with it."""
    password_hash = await run_in_threadpool(_hashed, form.password)  # slow on purpose, on every path
    if not await run_in_threadpool(may_mail, engine, "register", form.email, client):
        return
    outcome, user = await run_in_threadpool(partial(
        register_unverified, engine, email=form.email, name=form.name, role=form.role, phone=form.phone,
        password_hash=password_hash))
    if not user.active:  # a deactivated account hears nothing
        return
    if outcome == "verified":
        await _send_account_mail(settings, engine, user, "register_attempt",
                                 {"login_url": f"{settings.base_url}/masuk",
                                  "forgot_url": f"{settings.base_url}/kata-sandi/lupa"})
    else:
        await send_verification(settings, engine, user)


async def _send_account_mail(settings: Settings, engine: Engine, user: User, template: str, context: dict) -> None:
    key = f"{template}/{user.id}/{secrets.token_hex(8)}"  # each request its own message
    try:
        await send_direct(settings, engine, key, user.email, template,
                          {"name": user.name, "base_url": settings.base_url, **context})
    except Exception:  # the answer stays the same; the person can ask again
        log.exception("%s e-mail to %s failed", template, user.email)


async def send_verification(settings: Settings, engine: Engine, user: User) -> None:
    """The link dies when the account is registered again (its session version changes) or after
    ALUR_VERIFY_HOURS. It opens a page whose button confirms: a mail scanner following it verifies nothing."""
    token = make_token(settings.secret_key, VERIFY, user.id or 0, user.session_version)
    await _send_account_mail(settings, engine, user, "verify_account",
                             {"verify_url": f"{settings.base_url}/verifikasi?token={token}"})


async def resend_verification(settings: Settings, engine: Engine, email: str, client: str = "") -> None:
    """A new link for an unverified account; the same answer for any other e-mail."""
    if not await run_in_threadpool(may_mail, engine, "verify", email, client):
        return
    user = await run_in_threadpool(find_user, engine, email)
    if user is not None and not user.verified and user.active:
        await send_verification(settings, engine, user)


def _verifiable(session: Session, settings: Settings, token: str) -> User:
    claims = read_claims(settings.secret_key, VERIFY, token, settings.verify_hours * 3600)
    user = session.get(User, claims[0]) if claims else None
    if user is None or claims is None or user.session_version != claims[1] or not user.active:
        raise ApiError(400, BAD_VERIFY_LINK)
    return user


def verification_of(settings: Settings, engine: Engine, token: str) -> User:
    """The account a verification link is for, without verifying it (the page's GET)."""
    with Session(engine, expire_on_commit=False) as session:
        return _verifiable(session, settings, token)


def verify(settings: Settings, engine: Engine, token: str) -> User:
    with Session(engine, expire_on_commit=False) as session:
        user = _verifiable(session, settings, token)
        user.verified = True
        session.add(user)
        session.commit()
        return user


async def forgot_password(settings: Settings, engine: Engine, email: str, client: str = "") -> None:
    """A password-reset link to an active account's address; the same answer for any other e-mail."""
    if not await run_in_threadpool(may_mail, engine, "reset", email, client):
        return
    user = await run_in_threadpool(find_user, engine, email)
    if user is None or not user.active:
        return
    token = make_token(settings.secret_key, RESET, user.id or 0,
                       bound_to=password_fingerprint(settings.secret_key, user.password_hash))
    await _send_account_mail(settings, engine, user, "password_reset",
                             {"reset_url": f"{settings.base_url}/kata-sandi/atur-ulang?token={token}",
                              "hours": RESET_SECONDS // 3600})


def reset_target(settings: Settings, engine: Engine, token: str) -> User:
    """The account a valid, unused, unexpired reset link is for; ApiError 400 otherwise."""
    bound = read_bound(settings.secret_key, RESET, token, RESET_SECONDS)
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, bound[0]) if bound else None
    if user is None or bound is None or not user.active or not hmac.compare_digest(
            password_fingerprint(settings.secret_key, user.password_hash), bound[1]):
        raise ApiError(400, BAD_RESET_LINK)
    return user


def reset_password(settings: Settings, engine: Engine, form: PasswordReset) -> User:
    """Sets the new password once per link: the link is bound to the password it replaces, so it dies when
    used or when the password changes otherwise. Every session ends; the address is proven, so an
    unverified account becomes verified."""
    user = reset_target(settings, engine, form.token)
    new_hash = _hashed(form.password)
    with Session(engine, expire_on_commit=False) as session:
        changed = session.exec(  # only if nobody used the link meanwhile
            update(User).where(col(User.id) == user.id, col(User.password_hash) == user.password_hash)
            .values(password_hash=new_hash, session_version=col(User.session_version) + 1, verified=True))
        session.commit()
    if changed.rowcount != 1:  # type: ignore[union-attr]
        raise ApiError(400, BAD_RESET_LINK)
    log.info("password reset by e-mail link for %s", user.email)
    return user


def authenticate(settings: Settings, engine: Engine, email: str, password: str, address: str = "") -> str:
    """A signed access token, or ApiError: 401 wrong credentials (an unknown e-mail, a deactivated account:
    the same answer after the same work), 403 not yet verified, 429 too many failures in a row (per
    account and per address, waiting longer each time)."""
    keys = (f"account:{email.strip().lower()}", f"address:{address}")
    wait = logins(engine).wait(*keys)
    if wait:
        raise ApiError(429, f"Terlalu banyak percobaan masuk yang gagal; coba lagi dalam {wait} detik",
                       headers={"Retry-After": str(wait)})
    user = find_user(engine, email)
    with HASHING:  # each check holds 64 MiB: a burst of logins must not exhaust the memory
        matches = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not matches or not user.active:
        run = logins(engine).failed(*keys)
        log.warning("login failed for %s from %s (%d in a row)", email, address or "?", run)  # the audit trail
        raise ApiError(401, WRONG_CREDENTIALS)
    logins(engine).succeeded(keys[0])
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

"""A forgotten password through the API: a one-hour, single-use link by e-mail, the same answer for every
e-mail, every session ended after the reset."""

import re
import time
import uuid

from activities.mailsink import MailSink
from api.accounts import LINK_SENT, MAILS_PER_EMAIL, RESET_SECONDS, deactivate
from core.security import RESET, make_token, password_fingerprint
from core.users import create_user, find_user
from tests.api.conftest import Api
from tests.utils.factories import PASSWORD

NEW_PASSWORD = "  teh poci 1945  "  # spaces are part of it


def reset_token(mail: dict) -> str:
    return re.search(r"/kata-sandi/atur-ulang\?token=([\w.\-]+)", mail["text"]).group(1)


def mails_to(sink: MailSink, address: str) -> list[dict]:
    return [m for m in sink.messages() if m["to"] == address]


async def forgot(api: Api, email: str):  # type: ignore[no-untyped-def]
    return await api.http.post("/api/v1/auth/password/forgot", json={"email": email})


async def reset(api: Api, token: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return await api.http.post("/api/v1/auth/password/reset", json={"token": token, "password": password})


async def log_in(api: Api, email: str, password: str):  # type: ignore[no-untyped-def]
    return await api.http.post("/api/v1/auth/token", data={"username": email, "password": password})


async def test_the_link_works_once_and_ends_every_session(api: Api, mail_sink: MailSink) -> None:
    user, headers = await api.user("umkm")
    other_device = await api.login(user)
    gone = create_user(api.engine, email=f"pergi.{uuid.uuid4().hex[:8]}@contoh.id", name="Pergi", role="umkm",
                       password=PASSWORD)
    deactivate(api.engine, gone.email)
    answers = [await forgot(api, email) for email in (user.email, f"{uuid.uuid4().hex[:8]}@contoh.id", gone.email)]
    assert {(a.status_code, a.text) for a in answers} == {(202, f'{{"message":"{LINK_SENT}"}}')}
    assert mails_to(mail_sink, gone.email) == []  # a deactivated account gets no link
    [mail] = mails_to(mail_sink, user.email)
    assert mail["subject"] == "Atur ulang kata sandi akun Alur Anda" and "berlaku 1 jam" in mail["text"]
    token = reset_token(mail)

    weak = await reset(api, token, "password123")
    assert weak.status_code == 422 and weak.json()["detail"][0]["loc"] == ["body", "password"]
    assert (await log_in(api, user.email, PASSWORD)).status_code == 200  # nothing changed
    headers, other_device = await api.login(user), await api.login(user)

    done = await reset(api, token)
    assert done.status_code == 200, done.text
    for old in (headers, other_device):
        assert (await api.http.get("/api/v1/auth/me", headers=old)).status_code == 401
    assert (await log_in(api, user.email, PASSWORD)).status_code == 401
    assert (await log_in(api, user.email, NEW_PASSWORD)).status_code == 200
    again = await reset(api, token, "yang-lain-lagi-9")
    assert again.status_code == 400 and "sudah dipakai" in again.json()["detail"]
    assert (await log_in(api, user.email, NEW_PASSWORD)).status_code == 200


async def test_the_link_dies_when_the_password_changes_otherwise(api: Api, mail_sink: MailSink) -> None:
    user, headers = await api.user("umkm")
    await forgot(api, user.email)
    token = reset_token(mails_to(mail_sink, user.email)[0])
    changed = await api.http.post("/api/v1/auth/password", headers=headers,
                                  json={"current_password": PASSWORD, "new_password": "kebun-teh-77"})
    assert changed.status_code == 200
    assert (await reset(api, token)).status_code == 400
    assert (await log_in(api, user.email, "kebun-teh-77")).status_code == 200


async def test_the_link_expires_after_an_hour(api: Api) -> None:
    user, _ = await api.user("umkm")
    secret = api.settings.secret_key
    stored = find_user(api.engine, user.email)

    def issued(seconds_ago: int) -> str:
        return make_token(secret, RESET, user.id, bound_to=password_fingerprint(secret, stored.password_hash),
                          issued_at=int(time.time()) - seconds_ago)

    assert (await reset(api, issued(RESET_SECONDS + 5))).status_code == 400
    assert (await log_in(api, user.email, PASSWORD)).status_code == 200
    assert (await reset(api, issued(RESET_SECONDS - 60))).status_code == 200
    # A link for another purpose, or with no password bound to it, is no reset link.
    assert (await reset(api, make_token(secret, RESET, user.id))).status_code == 400


async def test_a_reset_proves_the_address_of_an_unverified_account(api: Api, mail_sink: MailSink) -> None:
    email = f"baru.{uuid.uuid4().hex[:8]}@contoh.id"
    create_user(api.engine, email=email, name="Baru", role="umkm", password=PASSWORD, verified=False)
    await forgot(api, email)
    assert (await reset(api, reset_token(mails_to(mail_sink, email)[0]))).status_code == 200
    assert find_user(api.engine, email).verified
    assert (await log_in(api, email, NEW_PASSWORD)).status_code == 200


async def test_requests_are_throttled_per_email(api: Api, mail_sink: MailSink) -> None:
    user, _ = await api.user("umkm")
    for _ in range(MAILS_PER_EMAIL + 2):
        answer = await forgot(api, user.email)
        assert answer.status_code == 202 and answer.json() == {"message": LINK_SENT}
    assert len(mails_to(mail_sink, user.email)) == MAILS_PER_EMAIL
    bad = await forgot(api, "bukan e-mail")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "email"]

"""Accounts through the API: registration, e-mail verification (signed, expiring), bearer tokens."""

import re
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from activities.mailsink import MailSink
from core.security import ACCESS, VERIFY, make_token
from api.accounts import deactivate
from tests.api.conftest import Api
from tests.utils.factories import PASSWORD
from tests.utils.waiting import eventually

REGISTRATION = {"name": "Sri Wahyuni", "email": "Sri.Wahyuni@Contoh.id", "phone": "0812 3456 7890",
                "password": "rahasia-123"}


def token_from(mail: dict) -> str:
    return re.search(r"token=([\w.\-]+)", mail["text"]).group(1)


def issued_days_ago(secret: str, purpose: str, user_id: int, days: int) -> str:
    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - days * 86400

    return URLSafeTimedSerializer(secret, salt=purpose, signer=Backdated).dumps({"uid": user_id})


async def login(api: Api, email: str, password: str = "rahasia-123"):  # type: ignore[no-untyped-def]
    return await api.http.post("/api/v1/auth/token", data={"username": email, "password": password})


async def test_register_verify_then_log_in(api: Api, mail_sink: MailSink) -> None:
    created = await api.http.post("/api/v1/auth/register", json=REGISTRATION)
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["email"] == "sri.wahyuni@contoh.id" and account["role"] == "umkm" and not account["verified"]

    refused = await login(api, "sri.wahyuni@contoh.id")
    assert refused.status_code == 403 and "belum diaktifkan" in refused.json()["detail"]

    mail = await eventually(lambda: [m for m in mail_sink.messages() if "sri.wahyuni@contoh.id" in m["to"]])
    link_token = token_from(mail[0])
    assert (await api.http.post("/api/v1/auth/verify", json={"token": link_token[:-2] + "xx"})).status_code == 400
    assert (await api.http.post("/api/v1/auth/verify", json={"token": link_token})).json()["verified"] is True

    logged_in = await login(api, "SRI.wahyuni@contoh.id")
    assert logged_in.status_code == 200 and logged_in.json()["token_type"] == "bearer"
    me = await api.http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {logged_in.json()['access_token']}"})
    assert me.json()["name"] == "Sri Wahyuni"
    assert (await login(api, "sri.wahyuni@contoh.id", "salah-sandi")).status_code == 401


async def test_bad_registrations_change_nothing(api: Api) -> None:
    bad = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "phone": "021-555-1234", "password": "x"})
    assert bad.status_code == 422
    assert {e["loc"][-1]: e["msg"] for e in bad.json()["detail"]} == {
        "phone": "Nomor HP harus nomor seluler Indonesia, contoh 081234567890", "password": "Minimal 8 karakter"}
    staff = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "role": "kepala_dinas"})
    assert staff.status_code == 422  # staff accounts come from `alur users add` only
    assert (await api.http.post("/api/v1/auth/register", json=REGISTRATION)).status_code == 201
    again = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": "sri.wahyuni@contoh.id"})
    assert again.status_code == 409 and "sudah terdaftar" in again.json()["detail"]


async def test_expired_and_misused_tokens_are_refused(api: Api) -> None:
    user, _ = await api.user("umkm")
    secret = api.settings.secret_key
    old_link = issued_days_ago(secret, VERIFY, user.id, days=3)  # verification links last 48 hours
    assert (await api.http.post("/api/v1/auth/verify", json={"token": old_link})).status_code == 400
    # A verification link is not a login, nor a login token a verification link.
    as_bearer = {"Authorization": f"Bearer {make_token(secret, VERIFY, user.id)}"}
    assert (await api.http.get("/api/v1/auth/me", headers=as_bearer)).status_code == 401
    expired = {"Authorization": f"Bearer {issued_days_ago(secret, ACCESS, user.id, days=1)}"}
    assert (await api.http.get("/api/v1/auth/me", headers=expired)).status_code == 401
    assert (await api.http.post("/api/v1/auth/verify", json={"token": make_token(secret, ACCESS, user.id)})).status_code == 400


async def test_sessions_end_on_logout_new_password_and_deactivation(api: Api) -> None:
    user, headers = await api.user("umkm")
    other_device = await api.login(user)
    assert (await api.http.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    for token in (headers, other_device):  # every session of the account, not just this one
        assert (await api.http.get("/api/v1/auth/me", headers=token)).status_code == 401

    headers = await api.login(user)
    weak = await api.http.post("/api/v1/auth/password", headers=headers,
                               json={"current_password": PASSWORD, "new_password": "password123"})
    assert weak.status_code == 422 and weak.json()["detail"][0]["loc"] == ["body", "new_password"]
    wrong = await api.http.post("/api/v1/auth/password", headers=headers,
                                json={"current_password": "salah-sekali", "new_password": "  kebun teh 7  "})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "current_password"]
    changed = await api.http.post("/api/v1/auth/password", headers=headers,
                                  json={"current_password": PASSWORD, "new_password": "  kebun teh 7  "})
    assert changed.status_code == 200, changed.text
    assert (await api.http.get("/api/v1/auth/me", headers=headers)).status_code == 401  # the old session ended
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert (await api.http.get("/api/v1/auth/me", headers=fresh)).status_code == 200
    stripped = await api.http.post("/api/v1/auth/token", data={"username": user.email, "password": "kebun teh 7"})
    assert stripped.status_code == 401  # the password is what was typed, spaces included

    deactivate(api.engine, user.email)
    assert (await api.http.get("/api/v1/auth/me", headers=fresh)).status_code == 401
    login = await api.http.post("/api/v1/auth/token", data={"username": user.email, "password": "  kebun teh 7  "})
    unknown = await api.http.post("/api/v1/auth/token", data={"username": "tidak.ada@contoh.id", "password": "x"})
    assert login.status_code == unknown.status_code == 401 and login.json() == unknown.json()  # tells nothing

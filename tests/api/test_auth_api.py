"""Accounts through the API: registration that tells nothing about which e-mails have accounts, e-mail
verification (signed, expiring, confirmed by POST), unverified accounts that expire, bearer tokens."""

import re
import time
import uuid
from datetime import timedelta

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import Session

from activities.mailsink import MailSink
from core.models import Case, User, utcnow
from core.security import ACCESS, VERIFY, make_token, verify_password
from core.users import create_user, find_user, purge_unverified
from api.accounts import MAILS_PER_EMAIL, REGISTERED, deactivate
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


def mails_to(sink: MailSink, address: str) -> list[dict]:
    return [m for m in sink.messages() if m["to"] == address]


def fresh_email() -> str:
    return f"warga.{uuid.uuid4().hex[:10]}@contoh.id"


def backdate(api: Api, email: str, days: int) -> None:
    with Session(api.engine) as session:
        user = session.get(User, find_user(api.engine, email).id)
        user.created_at = utcnow() - timedelta(days=days)
        session.add(user)
        session.commit()


async def test_register_verify_then_log_in(api: Api, mail_sink: MailSink) -> None:
    created = await api.http.post("/api/v1/auth/register", json=REGISTRATION)
    assert created.status_code == 201, created.text
    assert created.json() == {"email": "sri.wahyuni@contoh.id", "message": REGISTERED}

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
    assert find_user(api.engine, REGISTRATION["email"]) is None


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


async def test_registration_answers_alike_whether_the_email_is_taken(api: Api, mail_sink: MailSink) -> None:
    verified, _ = await api.user("umkm")
    unverified = create_user(api.engine, email=fresh_email(), name="Belum Aktif", role="umkm", password=PASSWORD,
                             verified=False)
    new = fresh_email()
    answers = []
    for email in (verified.email, unverified.email, new):
        response = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": email,
                                                                        "password": "kebun-teh-7"})
        answers.append((response.status_code, response.json() | {"email": "-"}, sorted(response.headers)))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 201

    # The verified account's owner hears that someone tried; nothing about the account changed.
    [attempt] = mails_to(mail_sink, verified.email)
    assert "mencoba mendaftar" in attempt["text"] and "/kata-sandi/lupa" in attempt["text"]
    assert "token=" not in attempt["text"]
    assert find_user(api.engine, verified.email).name == verified.name
    assert (await login(api, verified.email, PASSWORD)).status_code == 200
    # The unverified account gets a new link; the newest registration's password is the account's.
    [link] = mails_to(mail_sink, unverified.email)
    assert (await api.http.post("/api/v1/auth/verify", json={"token": token_from(link)})).status_code == 200
    assert (await login(api, unverified.email, "kebun-teh-7")).status_code == 200
    assert (await login(api, unverified.email, PASSWORD)).status_code == 401
    # The new e-mail gets its first link.
    [first] = mails_to(mail_sink, new)
    assert "/verifikasi?token=" in first["text"]


async def test_a_new_registration_kills_the_earlier_link(api: Api, mail_sink: MailSink) -> None:
    email = fresh_email()
    await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": email, "name": "Penyusup"})
    await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": email, "password": "kebun-teh-7"})
    newest, earlier = mails_to(mail_sink, email)
    assert (await api.http.post("/api/v1/auth/verify", json={"token": token_from(earlier)})).status_code == 400
    verified = await api.http.post("/api/v1/auth/verify", json={"token": token_from(newest)})
    assert verified.status_code == 200 and verified.json()["name"] == REGISTRATION["name"]
    assert (await login(api, email, "kebun-teh-7")).status_code == 200


async def test_unverified_accounts_expire_and_are_purged(api: Api, mail_sink: MailSink) -> None:
    ttl = api.settings.unverified_ttl_days
    stale = create_user(api.engine, email=fresh_email(), name="Lama", role="umkm", password=PASSWORD, verified=False)
    with_case = create_user(api.engine, email=fresh_email(), name="Punya Kasus", role="umkm", password=PASSWORD,
                            verified=False)
    recent = create_user(api.engine, email=fresh_email(), name="Baru", role="umkm", password=PASSWORD,
                         verified=False)
    old_verified, _ = await api.user("umkm")
    for user in (stale, with_case, old_verified):
        backdate(api, user.email, ttl + 1)
    with Session(api.engine) as session:
        session.add(Case(id=f"c-{uuid.uuid4().hex[:8]}", sop="jathil-vendor", agency="ponorogo",
                         tracking_code=uuid.uuid4().hex[:12], applicant_id=with_case.id, applicant_name="Punya Kasus",
                         status="open", stage="Verifikasi"))
        session.commit()

    # An expired account can be registered again: the same row, new details, a fresh week.
    again = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": stale.email,
                                                                "name": "Pemilik Asli"})
    assert again.status_code == 201
    renewed = find_user(api.engine, stale.email)
    assert renewed.id == stale.id and renewed.name == "Pemilik Asli" and not renewed.verified
    assert renewed.created_at > utcnow() - timedelta(minutes=1)
    assert verify_password(renewed.password_hash, REGISTRATION["password"])
    backdate(api, stale.email, ttl + 1)

    removed = purge_unverified(api.engine, ttl)
    assert stale.email in removed and with_case.email not in removed and recent.email not in removed
    assert find_user(api.engine, stale.email) is None
    assert find_user(api.engine, with_case.email) is not None  # it has a case: kept
    assert find_user(api.engine, recent.email) is not None  # still within its week
    assert find_user(api.engine, old_verified.email) is not None
    assert stale.email not in purge_unverified(api.engine, ttl)  # idempotent


async def test_an_account_with_a_case_is_not_handed_to_a_new_registration(api: Api, mail_sink: MailSink) -> None:
    user = create_user(api.engine, email=fresh_email(), name="Punya Kasus", role="umkm", password=PASSWORD,
                       verified=False)
    with Session(api.engine) as session:
        session.add(Case(id=f"c-{uuid.uuid4().hex[:8]}", sop="jathil-vendor", agency="ponorogo",
                         tracking_code=uuid.uuid4().hex[:12], applicant_id=user.id, applicant_name=user.name,
                         status="open", stage="Verifikasi"))
        session.commit()
    answer = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": user.email})
    assert answer.status_code == 201 and answer.json()["message"] == REGISTERED
    kept = find_user(api.engine, user.email)
    assert kept.name == "Punya Kasus" and verify_password(kept.password_hash, PASSWORD)
    [link] = mails_to(mail_sink, user.email)  # its own link again
    assert (await api.http.post("/api/v1/auth/verify", json={"token": token_from(link)})).status_code == 200


async def test_resend_is_throttled_and_tells_nothing(api: Api, mail_sink: MailSink) -> None:
    unverified = create_user(api.engine, email=fresh_email(), name="Belum Aktif", role="umkm", password=PASSWORD,
                             verified=False)
    verified, _ = await api.user("umkm")
    answers = []
    for email in (verified.email, fresh_email(), *[unverified.email] * (MAILS_PER_EMAIL + 2)):
        response = await api.http.post("/api/v1/auth/verify/resend", json={"email": email})
        answers.append((response.status_code, response.json()))
    assert len(set(map(str, answers))) == 1 and answers[0][0] == 202
    assert len(mails_to(mail_sink, unverified.email)) == MAILS_PER_EMAIL  # the rest sent nothing
    assert mails_to(mail_sink, verified.email) == []
    bad = await api.http.post("/api/v1/auth/verify/resend", json={"email": "bukan-email"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "email"]


async def test_registration_mails_are_throttled_per_email(api: Api, mail_sink: MailSink) -> None:
    verified, _ = await api.user("umkm")
    for _ in range(MAILS_PER_EMAIL + 2):
        response = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": verified.email})
        assert response.status_code == 201 and response.json()["message"] == REGISTERED
    assert len(mails_to(mail_sink, verified.email)) == MAILS_PER_EMAIL


async def test_login_compares_a_dummy_hash_for_unknown_emails(api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api import accounts

    checked: list[str] = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    unknown = await login(api, fresh_email(), "apa-saja-123")
    assert unknown.status_code == 401 and checked == [accounts.DUMMY_HASH]


async def test_a_deactivated_account_hears_nothing(api: Api, mail_sink: MailSink) -> None:
    verified, _ = await api.user("umkm")
    unverified = create_user(api.engine, email=fresh_email(), name="Belum Aktif", role="umkm", password=PASSWORD,
                             verified=False)
    for user in (verified, unverified):
        deactivate(api.engine, user.email)
        answer = await api.http.post("/api/v1/auth/register", json={**REGISTRATION, "email": user.email})
        assert answer.status_code == 201 and answer.json()["message"] == REGISTERED
        resent = await api.http.post("/api/v1/auth/verify/resend", json={"email": user.email})
        assert resent.status_code == 202
        assert mails_to(mail_sink, user.email) == []
    assert (await login(api, unverified.email)).status_code == 401  # not handed to the new registration

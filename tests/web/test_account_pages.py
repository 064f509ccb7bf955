"""The account pages without a browser: the verification link confirms only by its button, registration and
the e-mail requests answer alike, the forgotten-password pages."""

import html
import re
import uuid
from urllib.parse import quote

from activities.mailsink import MailSink
from core.users import create_user, find_user
from tests.utils.factories import PASSWORD
from tests.web.conftest import Site, csrf_of

FORM = {"name": "Tini", "phone": "081234567891", "password": " rahasia 456 ", "role": "umkm"}


def mails_to(sink: MailSink, address: str) -> list[dict]:
    return [m for m in sink.messages() if m["to"] == address]


def link_in(mail: dict, path: str) -> str:
    return re.search(rf"{re.escape(path)}\?token=[\w.\-]+", mail["text"]).group(0)


def fresh_email() -> str:
    return f"tini.{uuid.uuid4().hex[:8]}@contoh.id"


def main_text(page: str) -> str:
    """The page without its CSRF token and pre-session (which differ per visitor)."""
    return re.sub(r'name="csrf" value="[^"]+"', "", page)


async def test_the_link_opens_a_page_and_only_its_button_verifies(site: Site, mail_sink: MailSink) -> None:
    email = fresh_email()
    async with site.browser() as client:
        registered = await site.post_form(client, "/daftar", "/daftar", {**FORM, "email": email})
        assert registered.status_code == 200 and "Cek e-mail Anda" in registered.text
    link = link_in(mails_to(mail_sink, email)[0], "/verifikasi")
    async with site.browser() as scanner:  # a mail scanner following the link, twice
        for _ in range(2):
            opened = await scanner.get(link)
            assert opened.status_code == 200 and "Aktifkan akun" in opened.text and email in opened.text
    assert not find_user(site.engine, email).verified
    async with site.browser() as client:
        page = await client.get(link)
        token = html.unescape(re.search(r'name="token" value="([^"]+)"', page.text).group(1))
        forged = await client.post("/verifikasi", data={"token": token})  # no CSRF token
        assert forged.status_code == 403 and not find_user(site.engine, email).verified
        done = await client.post("/verifikasi", data={"token": token, "csrf": csrf_of(page.text)})
        assert done.status_code == 200 and "Akun Anda sudah aktif" in done.text
    assert find_user(site.engine, email).verified
    async with site.browser() as client:  # the password as typed, spaces included
        login = await site.post_form(client, "/masuk", "/masuk", {"email": email, "password": FORM["password"]})
        assert login.status_code == 303
    async with site.browser() as client:
        bad = await client.get("/verifikasi?token=rusak")
        assert bad.status_code == 400 and "Aktivasi gagal" in bad.text and "/verifikasi/kirim-ulang" in bad.text


async def test_registration_and_requests_answer_alike(site: Site, mail_sink: MailSink) -> None:
    taken = site.user("umkm")
    pending = create_user(site.engine, email=fresh_email(), name="Tunda", role="umkm", password=PASSWORD,
                          verified=False)
    for action, page in (("/daftar", "/daftar"), ("/verifikasi/kirim-ulang", "/verifikasi/kirim-ulang"),
                         ("/kata-sandi/lupa", "/kata-sandi/lupa")):
        answers = set()
        for email in (taken.email, pending.email, "tidak.ada@contoh.id"):
            async with site.browser() as client:
                response = await site.post_form(client, page, action, {**FORM, "email": email})
                text = main_text(response.text).replace(email, "<email>").replace(quote(email, safe=""), "<email>")
                answers.add((response.status_code, text))
        assert len(answers) == 1 and next(iter(answers))[0] == 200, action
    assert [m["subject"] for m in mails_to(mail_sink, taken.email)] == [
        "Atur ulang kata sandi akun Alur Anda", "Ada yang mencoba mendaftar dengan e-mail Anda di Alur"]
    assert len(mails_to(mail_sink, pending.email)) == 3  # registration, resend, reset
    async with site.browser() as client:
        bad = await site.post_form(client, "/kata-sandi/lupa", "/kata-sandi/lupa", {"email": "bukan e-mail"})
        assert bad.status_code == 422 and 'id="e-email"' in bad.text


async def test_forgotten_password_pages(site: Site, mail_sink: MailSink) -> None:
    user = site.user("umkm")
    async with site.browser() as client:
        login = await client.get("/masuk")
        assert 'href="/kata-sandi/lupa">Lupa kata sandi?</a>' in login.text
    async with site.logged_in(user) as old_session:
        async with site.browser() as client:
            await site.post_form(client, "/kata-sandi/lupa", "/kata-sandi/lupa", {"email": user.email})
        link = link_in(mails_to(mail_sink, user.email)[0], "/kata-sandi/atur-ulang")
        async with site.browser() as client:
            form = await client.get(link)
            assert form.status_code == 200 and "Kata sandi baru" in form.text
            token = html.unescape(re.search(r'name="token" value="([^"]+)"', form.text).group(1))
            weak = await client.post("/kata-sandi/atur-ulang",
                                     data={"csrf": csrf_of(form.text), "token": token, "password": "12345678"})
            assert weak.status_code == 422 and "Kata sandi terlalu umum" in weak.text and 'id="e-password"' in weak.text
            done = await client.post("/kata-sandi/atur-ulang",
                                     data={"csrf": csrf_of(weak.text), "token": token, "password": "kebun-teh-77"})
            assert done.status_code == 200 and "Kata sandi sudah diganti" in done.text
            used = await client.get(link)
            assert used.status_code == 400 and "Tautan tidak berlaku" in used.text
        gate = await old_session.get("/kasus")  # the session from before the reset ended
        assert gate.status_code == 303 and gate.headers["location"].startswith("/masuk")
    async with site.browser() as client:
        login = await site.post_form(client, "/masuk", "/masuk", {"email": user.email, "password": "kebun-teh-77"})
        assert login.status_code == 303

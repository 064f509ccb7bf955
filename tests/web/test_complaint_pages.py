"""The complaint pages without a browser: the public form with the chosen Dinas's channels, an anonymous
complaint rated on the tracking page, and an officer's offline registration with its printable receipt."""

import re

from tests.api.conftest import Api
from tests.utils.factories import PASSWORD
from tests.web.conftest import Site, csrf_of

PAGE = "/pengaduan"
REGISTER = "/layanan/service-complaint/daftarkan"


def complaint_form(**overrides: str) -> dict:
    form = {"agency": "jombang", "type": "pengaduan", "name": "Bu Warsini", "email": "warsini@contoh.id",
            "matter": "Antrean layanan konsultasi tidak tertib, tidak ada nomor antrean."}
    form.update(overrides)
    return form


async def test_an_anonymous_complaint_is_tracked_and_rated_on_the_tracking_page(site: Site, api: Api) -> None:
    officer = site.user("pengelola_pengaduan", "jombang")
    async with site.browser() as visitor:
        page = await visitor.get(f"{PAGE}?dinas=jombang")
        assert page.status_code == 200 and "WhatsApp: 082139751135" in page.text
        assert 'name="website"' in page.text  # the honeypot, hidden from people
        trapped = await site.post_form(visitor, PAGE, PAGE, {**complaint_form(), "website": "http://spam.example"})
        assert trapped.status_code == 422
        bad = await site.post_form(visitor, PAGE, PAGE, complaint_form(email="", matter="pendek"))
        assert bad.status_code == 422 and 'id="e-phone"' in bad.text and 'id="e-matter"' in bad.text
        sent = await site.post_form(visitor, PAGE, PAGE, complaint_form())
        assert sent.status_code == 303, sent.text
        tracking = sent.headers["location"]
        code = re.match(r"/lacak/([A-Z0-9]+)\?pesan=diterima", tracking).group(1)  # type: ignore[union-attr]
        shown = await visitor.get(tracking)
        assert "kiriman Anda sudah kami terima" in shown.text and "Cek administrasi" in shown.text

        officer_h = {"Authorization": "Bearer " + (await api.http.post(
            "/api/v1/auth/token", data={"username": officer.email, "password": PASSWORD})).json()["access_token"]}
        case_id = (await api.http.get("/api/v1/cases?sop=service-complaint", headers=officer_h)).json()["items"][0]["id"]
        for step, action, data in (("admin_check", "valid", None), ("coordinate", "done", None),
                                   ("respond", "respond", {"response": "Mulai besok nomor antrean tersedia."})):
            assert (await api.decide(officer_h, case_id, step, action, data=data)).status_code == 200

        page = await visitor.get(f"/lacak/{code}")
        assert "Mulai besok nomor antrean tersedia." in page.text and "Kirim penilaian" in page.text
        assert "Bu Warsini" not in page.text
        decide = f"/lacak/{code}/keputusan"
        missing = await site.post_form(visitor, f"/lacak/{code}", decide, {"step": "rate", "action": "rate"})
        assert missing.status_code == 422 and 'id="e-rating"' in missing.text
        rated = await site.post_form(visitor, f"/lacak/{code}", decide,
                                     {"step": "rate", "action": "rate", "rating": "5", "comment": "Terima kasih"})
        assert rated.status_code == 303 and rated.headers["location"] == f"/lacak/{code}?pesan=keputusan"
        assert f"/lacak/{code}/keputusan" not in (await visitor.get(f"/lacak/{code}")).text  # no form now


async def test_an_officer_registers_a_walk_in_complaint_and_prints_the_receipt(site: Site) -> None:
    async with site.logged_in(site.user("pengelola_pengaduan", "sijunjung")) as officer:
        home = await officer.get("/")
        assert f'href="{REGISTER}"' in home.text
        person = {"on_behalf.name": "Pak Yusuf", "on_behalf.phone": "0812-5555-0001",
                  "on_behalf.address": "Jl. Imam Bonjol 9, Muaro Sijunjung", "channel": "langsung",
                  "type": "pengaduan", "matter": "Formulir permohonan tidak tersedia di loket depan."}
        bad = await site.post_form(officer, REGISTER, REGISTER, {**person, "on_behalf.phone": "12"})
        assert bad.status_code == 422 and 'id="e-on_behalf.phone"' in bad.text
        assert 'value="Pak Yusuf"' in bad.text  # kept
        saved = await site.post_form(officer, REGISTER, REGISTER, person)
        assert saved.status_code == 303, saved.text
        receipt = await officer.get(saved.headers["location"])
        assert receipt.status_code == 200 and "Tanda Terima" in receipt.text
        assert "Pak Yusuf" in receipt.text and "Datang langsung" in receipt.text
        assert re.search(r'class="code">[A-Z0-9]{10}<', receipt.text)
        case_page = await officer.get(saved.headers["location"].removesuffix("/tanda-terima"))
        assert case_page.status_code == 200
        for text in ("Atas nama", "Pak Yusuf", "Diterima melalui", "Datang langsung", "Didaftarkan oleh",
                     "Cek administrasi pengaduan"):
            assert text in case_page.text, text
    async with site.logged_in(site.user("petugas", "sijunjung")) as clerk:
        assert (await clerk.get(REGISTER)).status_code == 403
    async with site.browser() as visitor:
        token = csrf_of((await visitor.get(PAGE)).text)
        assert token
        assert (await visitor.get(REGISTER)).status_code in (303, 307)  # to the login page

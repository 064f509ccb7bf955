"""The pages without a browser: CSRF, visibility, the dev mailbox, login messages, form errors."""

import httpx

from core.config import Settings
from api.main import create_app
from tests.utils.factories import PASSWORD, jathil_vendor_form
from tests.web.conftest import Site, csrf_of

APPLY = "/layanan/jathil-vendor/ajukan"


def as_form(data: dict) -> dict:
    """A browser's form body: checked boxes send a value, unchecked ones send nothing."""
    return {k: ("ya" if v is True else v) for k, v in data.items() if v not in (False, None)}


async def apply(site: Site, client: httpx.AsyncClient, **overrides) -> httpx.Response:
    return await site.post_form(client, APPLY, APPLY, as_form(jathil_vendor_form(**overrides)))


async def test_post_without_csrf_is_refused(site: Site) -> None:
    user = site.user("umkm")
    async with site.browser() as client:
        await client.get("/masuk")  # has its pre-session cookie, but posts no token
        refused = await client.post("/masuk", data={"email": user.email, "password": PASSWORD})
        assert refused.status_code == 403 and "Formulir tidak sah" in refused.text
        forged = await client.post("/masuk", data={"email": user.email, "password": PASSWORD, "csrf": "0" * 64})
        assert forged.status_code == 403 and "alur_session" not in client.cookies
    async with site.logged_in(user) as client:
        assert (await client.post(APPLY, data=as_form(jathil_vendor_form()))).status_code == 403
        assert (await client.post("/keluar", data={})).status_code == 403
        assert (await client.get("/kasus")).status_code == 200  # still logged in


async def test_applicant_sees_only_own_case(site: Site) -> None:
    async with site.logged_in(site.user("umkm")) as owner:
        started = await apply(site, owner)
        assert started.status_code == 303, started.text
        case_url = started.headers["location"].split("?")[0]
        page = await owner.get(case_url)
        assert page.status_code == 200 and "Diajukan" in page.text and "Verifikasi" in page.text
    async with site.logged_in(site.user("umkm")) as stranger:
        assert (await stranger.get(case_url)).status_code == 404
    async with site.logged_in(site.user("admin_bidang", "jatim")) as other_agency:
        assert (await other_agency.get(case_url)).status_code == 404


async def test_bad_start_form_keeps_input_and_shows_field_messages(site: Site) -> None:
    async with site.logged_in(site.user("umkm")) as client:
        response = await apply(site, client, nik="123", regency="Kabupaten Madiun", business_name="Sambal <b>Bu Tin</b>")
        assert response.status_code == 422
        assert 'id="e-nik">NIK harus 16 digit angka sesuai KTP' in response.text
        assert "Hanya IKM/UMKM Kabupaten Ponorogo yang dapat mendaftar" in response.text
        assert 'value="Sambal &lt;b&gt;Bu Tin&lt;/b&gt;"' in response.text  # kept, and escaped
        assert (await client.get("/kasus")).text.count("/kasus/jathil-vendor-") == 0


async def test_return_needs_a_reason_and_revision_keeps_input(site: Site) -> None:
    applicant = site.user("umkm")
    async with site.logged_in(applicant) as owner:
        case_url = (await apply(site, owner)).headers["location"].split("?")[0]
    decisions = f"{case_url}/keputusan"
    async with site.logged_in(site.user("admin_bidang", "ponorogo")) as officer:
        refused = await site.post_form(officer, case_url, decisions, {"step": "verify", "action": "return"})
        assert refused.status_code == 422 and "Alasan wajib diisi untuk aksi ini" in refused.text
        returned = await site.post_form(officer, case_url, decisions,
                                        {"step": "verify", "action": "return", "reason": "Foto KTP buram"})
        assert returned.status_code == 303
        assert "Dikembalikan" in (await officer.get(case_url)).text
    async with site.logged_in(applicant) as owner:
        revise = {"step": "revise", "action": "resubmit"}
        page = await owner.get(case_url)
        assert 'value="Keripik Tempe Bu Sri"' in page.text  # the revision form starts from the case data
        bad = await site.post_form(owner, case_url, decisions, {**revise, **as_form(jathil_vendor_form(nib="12"))})
        assert bad.status_code == 422
        assert 'id="e-nib">NIB harus 13 digit angka' in bad.text and 'value="12"' in bad.text
        fixed = await site.post_form(owner, case_url, decisions,
                                     {**revise, **as_form(jathil_vendor_form(business_name="Keripik Sri Rejeki"))})
        assert fixed.status_code == 303
        page = (await owner.get(case_url)).text
        assert "Dikirim ulang" in page and "Keripik Sri Rejeki" in page and 'id="stage">Verifikasi' in page


async def test_dev_mail_only_in_development(site: Site, settings: Settings) -> None:
    async with site.browser() as client:
        assert (await client.get("/dev/mail")).status_code == 404
    dev_app = create_app(settings.model_copy(update={"env": "development"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=dev_app), base_url="http://alur.test") as client:
        assert (await client.get("/dev/mail")).status_code == 200


async def test_unverified_account_cannot_log_in(site: Site) -> None:
    async with site.browser() as client:
        form = {"name": "Tini", "email": "tini@contoh.id", "phone": "081234567891", "password": "rahasia-456",
                "role": "umkm"}
        registered = await site.post_form(client, "/daftar", "/daftar", form)
        assert registered.status_code == 200 and "Cek e-mail Anda" in registered.text
        login = await site.post_form(client, "/masuk", "/masuk", {"email": "tini@contoh.id", "password": "rahasia-456"})
        assert login.status_code == 403
        assert "Akun belum diaktifkan: buka tautan verifikasi di e-mail Anda" in login.text
        assert "alur_session" not in client.cookies


async def test_login_redirects_back_only_within_the_site(site: Site) -> None:
    user = site.user("umkm")
    async with site.browser() as client:
        gate = await client.get("/kasus?status=open")
        assert gate.status_code == 303 and gate.headers["location"] == "/masuk?next=%2Fkasus%3Fstatus%3Dopen"
        token = csrf_of((await client.get(gate.headers["location"])).text)
        back = await client.post("/masuk", data={"csrf": token, "email": user.email, "password": PASSWORD,
                                                 "next": "/kasus?status=open"})
        assert back.headers["location"] == "/kasus?status=open"
        assert "HttpOnly" in back.headers["set-cookie"] and "samesite=lax" in back.headers["set-cookie"].lower()
        for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
            token = csrf_of((await client.get("/masuk")).text)
            away = await client.post("/masuk", data={"csrf": token, "email": user.email, "password": PASSWORD,
                                                     "next": evil})
            assert away.headers["location"] == "/"


async def test_api_ignores_the_session_cookie(site: Site) -> None:
    async with site.logged_in(site.user("umkm")) as client:
        assert (await client.get("/api/v1/auth/me")).status_code == 401

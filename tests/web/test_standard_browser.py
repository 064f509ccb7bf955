"""The published service standard in a real browser: from the home page's catalogue, and from a case page."""

from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.utils.factories import PASSWORD, jathil_vendor_form, make_user
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in

HEADINGS = ("Persyaratan", "Prosedur", "Waktu Pelayanan", "Biaya/Tarif", "Produk Pelayanan", "Pengaduan")
TITLE = "Pendaftaran Penjual JATHIL MART"


async def check_jathil_vendor_standard(page: Page, site: LiveSite) -> None:
    await expect(page).to_have_url(f"{site.url}/layanan/jathil-vendor/standar")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Standar Pelayanan")
    for heading in HEADINGS:
        await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    await expect(page.get_by_text("Contact center JATHIL MART: 0823-1162-1100")).to_be_visible()
    await expect(page.get_by_role("cell", name="Administrator Bidang")).to_be_visible()  # the derived procedure


async def start_case(site: LiveSite, email: str) -> str:
    """A jathil-vendor case through the JSON API of the same server."""
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        token = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        started = await http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=headers)
        assert started.status_code == 201, started.text
        return started.json()["id"]


async def test_the_service_standard_from_home_and_from_a_case(live_site: LiveSite, chromium: Any) -> None:
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    # Public: no login needed.
    await page.goto(f"{live_site.url}/")
    await page.get_by_role("link", name=f"Standar Pelayanan: {TITLE}").click()
    await check_jathil_vendor_standard(page, live_site)
    await expect(page.get_by_role("link", name="Ajukan permohonan")).to_be_visible()

    # Every case page links to its SOP's standard.
    applicant = make_user(live_site.engine, "umkm")
    case_id = await start_case(live_site, applicant.email)
    await log_in(page, live_site, applicant.email, PASSWORD)
    await page.goto(f"{live_site.url}/kasus/{case_id}")
    await page.get_by_role("link", name="Standar Pelayanan").click()
    await check_jathil_vendor_standard(page, live_site)
    await context.close()

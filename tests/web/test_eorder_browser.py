"""E-order in a real browser: the Satpel assigns a PJLP from the Non-PKT list, the PJLP corrects a field
inline and confirms. The registration itself is set up through the JSON API of the same server."""

from typing import Any

import httpx
from playwright.async_api import expect

from tests.api.conftest import Api
from tests.utils.eorder import ok, start_vendor
from tests.utils.factories import PASSWORD, eorder_profile, make_user
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in, log_out


async def test_satpel_assigns_a_pjlp_who_checks_and_confirms(live_site: LiveSite, chromium: Any) -> None:
    satpel = make_user(live_site.engine, "satpel", "dki", name="Bu Satpel")
    pjlp = make_user(live_site.engine, "pjlp", "dki", name="Pak Pendamping")
    make_user(live_site.engine, "pjlp", "dki", name="Pak Lain")
    async with httpx.AsyncClient(base_url=live_site.url) as http:
        api = Api(http, live_site.engine, live_site.settings, None)  # type: ignore[arg-type]
        _, applicant = await api.user("umkm")
        case = await start_vendor(api, applicant)
        await ok(await api.decide(applicant, case["id"], "fill_profile", "confirm", data=eorder_profile()))

    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()
    await log_in(page, live_site, satpel.email, PASSWORD)
    await page.goto(f"{live_site.url}/eorder")
    await page.get_by_role("link", name="Registrasi penyedia Non-PKT").click()
    await page.get_by_role("link", name="Tunjuk PJLP: Ayam Geprek Bu Indah").click()
    await page.get_by_label("Admin/PJLP pendamping").select_option(label=f"Pak Pendamping ({pjlp.email})")
    await page.get_by_role("button", name="Tunjuk PJLP").click()
    await expect(page.get_by_text("PJLP pendamping sudah ditunjuk.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Ayam Geprek Bu Indah")
    await expect(row).to_contain_text("Pengecekan PJLP")
    await expect(row).to_contain_text("Pak Pendamping")
    await log_out(page)

    await log_in(page, live_site, pjlp.email, PASSWORD)
    await page.goto(f"{live_site.url}/eorder/registrasi?antrian=Non-PKT")
    await page.get_by_role("link", name="Periksa: Ayam Geprek Bu Indah").click()
    await page.get_by_label("Nama bank").fill("Bank DKI Syariah")
    await page.get_by_role("button", name="Simpan koreksi").click()
    await expect(page.get_by_text("Koreksi data sudah disimpan.")).to_be_visible()
    corrected = page.locator("#koreksi-tercatat").get_by_role("row").filter(has_text="Nama bank")
    await expect(corrected).to_contain_text("Bank DKI")
    await expect(corrected).to_contain_text("Bank DKI Syariah")
    await expect(corrected).to_contain_text("Pak Pendamping")
    await page.get_by_role("button", name="Konfirmasi").click()
    await expect(page.locator("#stage")).to_have_text("Pengecekan Satpel")
    await context.close()

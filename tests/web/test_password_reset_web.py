"""A forgotten password in a real browser: from the login page's link to logging in with the new one."""

from typing import Any

from playwright.async_api import expect

from tests.utils.factories import PASSWORD, make_user
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in, log_out

NEW_PASSWORD = "teh poci 1945"


async def test_a_forgotten_password_in_the_browser(live_site: LiveSite, chromium: Any) -> None:
    user = make_user(live_site.engine, "umkm")
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    await page.goto(f"{live_site.url}/masuk")
    await page.get_by_role("link", name="Lupa kata sandi?").click()
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_role("button", name="Kirim tautan atur ulang").click()
    await expect(page.get_by_role("heading", name="Cek e-mail Anda")).to_be_visible()

    await page.goto(f"{live_site.url}/dev/mail")
    mail = page.locator("article").filter(has_text=f"Kepada: {user.email}").first
    await mail.locator("a[href*='/kata-sandi/atur-ulang?token=']").first.click()
    link = page.url
    await page.get_by_label("Kata sandi baru").fill("12345678")
    await page.get_by_role("button", name="Simpan kata sandi baru").click()
    await expect(page.locator("#e-password")).to_have_text("Kata sandi terlalu umum; pilih yang lebih sulit ditebak")
    await page.get_by_label("Kata sandi baru").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Simpan kata sandi baru").click()
    await expect(page.get_by_role("heading", name="Kata sandi sudah diganti")).to_be_visible()

    await page.goto(link)  # used once: no more
    await expect(page.get_by_role("heading", name="Tautan tidak berlaku")).to_be_visible()
    await page.goto(f"{live_site.url}/masuk")
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await expect(page.get_by_text("E-mail atau kata sandi salah")).to_be_visible()
    await log_in(page, live_site, user.email, NEW_PASSWORD)
    await log_out(page)
    await context.close()

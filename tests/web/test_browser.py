"""jathil-vendor end to end in a real browser: register, verify by e-mail, apply, forward, approve."""

from typing import Any

from playwright.async_api import Page, expect

from tests.utils.factories import PASSWORD, make_user
from tests.web.conftest import LiveSite

APPLICANT = {"name": "Sri Wahyuni", "email": "sri.browser@contoh.id", "phone": "081234567890",
             "password": "rahasia-sri-1"}


async def log_in(page: Page, site: LiveSite, email: str, password: str) -> None:
    await page.goto(f"{site.url}/masuk")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Kata sandi").fill(password)
    await page.get_by_role("button", name="Masuk").click()
    await expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def nav(page: Page) -> Any:
    return page.get_by_role("navigation", name="Navigasi utama")


async def log_out(page: Page) -> None:
    await page.get_by_role("button", name="Keluar").click()
    await expect(nav(page).get_by_role("link", name="Masuk")).to_be_visible()


async def register_and_verify(page: Page, site: LiveSite) -> None:
    await page.goto(f"{site.url}/daftar")
    await page.get_by_label("Nama lengkap").fill(APPLICANT["name"])
    await page.get_by_label("E-mail").fill(APPLICANT["email"])
    await page.get_by_label("Nomor HP").fill(APPLICANT["phone"])
    await page.get_by_label("Kata sandi").fill(APPLICANT["password"])
    await page.get_by_label("Peran").select_option("umkm")
    await page.get_by_role("button", name="Daftar").click()
    await expect(page.get_by_role("heading", name="Cek e-mail Anda")).to_be_visible()
    await page.goto(f"{site.url}/dev/mail")
    mail = page.locator("article").filter(has_text=f"Kepada: {APPLICANT['email']}").first
    await mail.locator("a[href*='/verifikasi?token=']").first.click()
    await page.get_by_role("button", name="Aktifkan akun").click()  # the link alone activates nothing
    await expect(page.get_by_role("heading", name="Akun Anda sudah aktif")).to_be_visible()


async def fill_vendor_form(page: Page, nik: str) -> None:
    await page.get_by_label("Nama usaha").fill("Keripik Tempe Bu Sri")
    await page.get_by_label("NIK", exact=True).fill(nik)
    await page.get_by_label("Alamat").fill("Jl. Soekarno Hatta 12, Ponorogo")
    await page.get_by_label("Kategori").select_option("makanan_minuman")
    await page.get_by_label("NIB", exact=True).fill("1234567890123")
    await page.get_by_label("P-IRT").fill("2063502010123-25")
    await page.get_by_label("Bukan re-packer produk pihak lain").check()
    await page.get_by_label("Bukan reseller").check()


async def apply_for_jathil_mart(page: Page) -> str:
    await page.get_by_role("link", name="Ajukan: Pendaftaran Penjual JATHIL MART").click()
    await fill_vendor_form(page, nik="3502014107")
    await page.get_by_role("button", name="Ajukan").click()
    await expect(page.locator("#e-nik")).to_have_text("NIK harus 16 digit angka sesuai KTP")
    await expect(page.get_by_label("Nama usaha")).to_have_value("Keripik Tempe Bu Sri")  # nothing lost
    await expect(page.get_by_label("Bukan reseller")).to_be_checked()
    await page.get_by_label("NIK", exact=True).fill("3502014107850001")
    await page.get_by_role("button", name="Ajukan").click()
    await expect(page.get_by_text("Permohonan Anda sudah diterima.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text("Verifikasi")
    return page.url.split("?")[0]


async def test_vendor_registration_in_the_browser(live_site: LiveSite, chromium: Any) -> None:
    field_admin = make_user(live_site.engine, "admin_bidang", "ponorogo")
    main_admin = make_user(live_site.engine, "admin_utama", "ponorogo")
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    await register_and_verify(page, live_site)
    await log_in(page, live_site, APPLICANT["email"], APPLICANT["password"])
    await expect(page.get_by_text(f"{APPLICANT['name']} · Pelaku UMKM")).to_be_visible()
    case_url = await apply_for_jathil_mart(page)
    await log_out(page)

    await log_in(page, live_site, field_admin.email, PASSWORD)
    await nav(page).get_by_role("link", name="Tugas").click()
    await page.get_by_role("link", name="Keripik Tempe Bu Sri").click()
    await page.get_by_role("button", name="Teruskan").click()
    await expect(page.locator("#stage")).to_have_text("Persetujuan")
    await log_out(page)

    await log_in(page, live_site, main_admin.email, PASSWORD)
    await page.goto(case_url)
    await page.get_by_role("button", name="Tolak").click()  # no reason given: refused, in Indonesian
    await expect(page.get_by_text("Alasan wajib diisi untuk aksi ini")).to_be_visible()
    await page.get_by_role("button", name="Setujui").click()
    await expect(page.locator("#stage")).to_have_text("Disetujui")
    await log_out(page)

    await log_in(page, live_site, APPLICANT["email"], APPLICANT["password"])
    await page.goto(case_url)
    await expect(page.locator("#status")).to_have_text("Selesai")
    await expect(page.locator("#stage")).to_have_text("Disetujui")
    await expect(page.locator("ol.timeline")).to_contain_text("Diteruskan")
    await context.close()

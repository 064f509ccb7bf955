"""service-complaint in a real browser on a phone-sized screen: someone without an account complains about a
Dinas's service on the public form, choosing the Dinas, and keeps the tracking code; that Dinas's complaints
officer checks it, closes the coordination and writes the response; the complainant opens the tracking page,
reads the response and rates it."""

from textwrap import shorten
from typing import Any

from playwright.async_api import Page, expect

from tests.utils.factories import PASSWORD, make_user
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in, log_out, nav

DINAS = "Dinas Dagperinkop UKM Kabupaten Sijunjung"
MATTER = "Loket pelayanan tutup pukul 11.00 pada hari Selasa, padahal jadwalnya sampai pukul 15.00."
TITLE = f"Pengaduan: {shorten(MATTER, 80, placeholder='…')}"  # the case title, as lists show it
RESPONSE = "Mohon maaf atas ketidaknyamanan ini. Mulai pekan depan loket dibuka sesuai jadwal sampai pukul 15.00."


async def complain(page: Page, site: LiveSite) -> str:
    """Files the complaint from the home page without an account; returns the tracking code shown."""
    await page.goto(site.url)
    await page.get_by_role("link", name="Ajukan: Pengaduan Layanan").click()
    await expect(page).to_have_url(f"{site.url}/pengaduan")
    await page.get_by_label("Kanal pengaduan Dinas").select_option(label=DINAS)
    await page.get_by_role("button", name="Tampilkan").click()
    await expect(page.get_by_role("heading", name=f"Kanal pengaduan {DINAS}")).to_be_visible()
    await expect(page.get_by_text("SP4N-LAPOR! melalui SMS 1708")).to_be_visible()
    await expect(page.get_by_label("Dinas yang diadukan")).to_have_value("sijunjung")  # chosen above

    await page.get_by_label("Jenis").select_option(label="Pengaduan")
    await page.get_by_label("Nama", exact=True).fill("Pak Yusuf")
    await page.get_by_label("Isi pengaduan, saran atau masukan").fill(MATTER)
    await page.get_by_role("button", name="Kirim").click()
    await expect(page.locator("#e-phone")).to_have_text("Isi nomor HP atau e-mail agar tanggapan dapat kami sampaikan")
    await expect(page.get_by_label("Isi pengaduan, saran atau masukan")).to_have_value(MATTER)  # nothing lost
    await page.get_by_label("Nomor HP").fill("0812-6600-7788")
    await page.get_by_role("button", name="Kirim").click()

    await expect(page.get_by_text("Terima kasih, kiriman Anda sudah kami terima.")).to_be_visible()
    data = page.locator("dl.data")
    await expect(data).to_contain_text("Pengaduan Layanan")
    await expect(data).to_contain_text("Cek administrasi")
    code = (await data.locator("dt:text-is('Nomor lacak') + dd").inner_text()).strip()
    assert code.isalnum() and code.isupper(), code
    await expect(page).to_have_url(f"{site.url}/lacak/{code}?pesan=diterima")
    return code


async def decide(page: Page, button: str, stage: str) -> None:
    await page.get_by_role("button", name=button).click()
    await expect(page.get_by_text("Keputusan Anda sudah tersimpan.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text(stage)


async def test_an_anonymous_complaint_is_answered_and_rated_in_the_browser(live_site: LiveSite,
                                                                           chromium: Any) -> None:
    officer = make_user(live_site.engine, "pengelola_pengaduan", "sijunjung", name="Bu Pengelola")
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    code = await complain(page, live_site)

    await log_in(page, live_site, officer.email, PASSWORD)
    await nav(page).get_by_role("link", name="Tugas").click()
    await page.get_by_role("link", name=TITLE).click()
    await expect(page.locator("#stage")).to_have_text("Cek administrasi")
    await expect(page.get_by_role("link", name=code)).to_be_visible()
    await expect(page.locator("dt:text-is('Instansi') + dd")).to_have_text(DINAS)  # the Dinas chosen
    await decide(page, "Pengaduan layanan: lanjutkan", "Koordinasi")
    await decide(page, "Koordinasi selesai: susun tanggapan", "Tanggapan")
    respond = page.get_by_role("region", name="Tanggapan tertulis kepada pelapor")  # the step, titled as its field
    await respond.get_by_label("Tanggapan tertulis kepada pelapor").fill(RESPONSE)
    await decide(page, "Kirim tanggapan", "Penyelesaian")
    await log_out(page)

    await page.get_by_role("link", name="Lacak permohonan tanpa masuk").click()
    await page.get_by_label("Nomor lacak").fill(code.lower())
    await page.get_by_role("button", name="Lacak").click()
    await expect(page).to_have_url(f"{live_site.url}/lacak/{code}")
    await expect(page.locator("dl.data")).to_contain_text(RESPONSE)
    await expect(page.get_by_text("Pak Yusuf")).to_have_count(0)  # no personal data on the public page
    rating = page.locator(".card").filter(has=page.get_by_role("heading", name="Penilaian tanggapan oleh pelapor"))
    await rating.get_by_label("Penilaian atas tanggapan").select_option(label="4 — Puas")
    await rating.get_by_label("Komentar (bila ada)").fill("Terima kasih, semoga konsisten.")
    await rating.get_by_role("button", name="Kirim penilaian").click()
    await expect(page.get_by_text("Terima kasih, isian Anda sudah tersimpan.")).to_be_visible()
    await expect(page.get_by_role("button", name="Kirim penilaian")).to_have_count(0)  # rated once
    await expect(page.locator("dl.data")).to_contain_text(RESPONSE)
    await context.close()

"""coaching (Sijunjung) in a real browser on a phone-sized screen: the front office registers a letter it
received and puts it on the agenda; the secretary advises; the head of agency disposes to a head of division;
the back office forwards the file; the head of division disposes to a section head, who issues the Surat
Tugas to two officers; one records the coaching, the other the report. The case is then completed with the
disposition sheet and the Surat Tugas among its documents."""

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from core.models import User
from tests.utils.factories import PASSWORD, make_user
from tests.utils.gallery import PDF
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in, log_out, nav

AGENCY = "sijunjung"
ORGANIZATION = "Keripik Sanjai Uni Ros"
TITLE = re.compile(rf"^\d+\/\d{{4}} · UMKM {ORGANIZATION}$")  # the case title once on the agenda ("\/": for Playwright)


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()


def choice(user: User) -> str:
    """How the disposition pages list a person."""
    return f"{user.name} ({user.email})"


async def register_the_letter(page: Page, site: LiveSite, folder: Path) -> None:
    """The front office enters the letter it received, with its scan, and opens the case from the receipt."""
    await page.get_by_role("link", name="Daftarkan Pembinaan UMKM dan Koperasi").click()
    await expect(page).to_have_url(f"{site.url}/layanan/coaching/daftarkan")
    await page.get_by_label("Nama", exact=True).fill("Uni Ros")
    await page.get_by_label("Nomor HP").fill("0812-6600-1234")
    await page.get_by_label("Alamat", exact=True).fill("Jl. Lintas Sumatera Km 3, Muaro Sijunjung")
    await page.get_by_label("Diterima melalui").select_option(label="Surat")
    await page.get_by_label("Pemohon", exact=True).select_option(label="UMKM")
    await page.get_by_label("Nama UMKM atau koperasi").fill(ORGANIZATION)
    await page.get_by_label("Nomor surat permohonan").fill("07/KSR/VIII/2026")
    await page.get_by_label("Tanggal surat permohonan").fill("2026-08-03")
    await page.get_by_label("Hal yang dimohonkan pembinaan").fill(
        "Pembinaan pengemasan dan perizinan P-IRT keripik sanjai")
    (folder / "surat.pdf").write_bytes(PDF)
    await page.get_by_label("Surat permohonan (pindaian)").set_input_files(folder / "surat.pdf")
    await page.get_by_role("button", name="Simpan dan cetak tanda terima").click()
    await expect(page.get_by_role("heading", name="Tanda Terima Pembinaan UMKM dan Koperasi")).to_be_visible()
    await expect(page.locator(".receipt")).to_contain_text("Uni Ros")
    await page.get_by_role("link", name="Buka kasus").click()


async def decide(page: Page, button: str, stage: str) -> None:
    await page.get_by_role("button", name=button).click()
    await expect(page.get_by_text("Keputusan Anda sudah tersimpan.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text(stage)


async def open_task(page: Page, site: LiveSite, user: User) -> None:
    await log_in(page, site, user.email, PASSWORD)
    await nav(page).get_by_role("link", name="Tugas").click()
    await page.get_by_role("link", name=TITLE).click()


async def dispose(page: Page, link: str, person_label: str, person: User, instruction: str, button: str,
                  stage: str) -> None:
    """A desk that names the next person: on the step's own page, with the sheet so far."""
    await page.get_by_role("link", name=link).click()
    await expect(page.get_by_role("heading", name="Lembar disposisi")).to_be_visible()
    await page.get_by_label(person_label).select_option(label=choice(person))
    await page.get_by_label("Isi disposisi").fill(instruction)
    await decide(page, button, stage)


async def test_a_letter_down_the_disposition_chain_to_the_coaching_report(live_site: LiveSite, chromium: Any,
                                                                          tmp_path: Path) -> None:
    def staff(role: str, name: str) -> User:
        return make_user(live_site.engine, role, AGENCY, name=name)

    front = staff("front_office", "Fitri Yanti")
    secretary = staff("sekretaris", "Drs. Syafrizal")
    head = staff("kepala_dinas", "Ir. Hendri Gunawan")
    back = staff("back_office", "Rahmat Hidayat")
    division = staff("kepala_bidang", "Nurhayati, S.E.")
    section = staff("kasi", "Yulia Fitri, S.T.")
    first = staff("petugas", "Andi Saputra")
    second = staff("petugas", "Dewi Kartika Sari")
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    await log_in(page, live_site, front.email, PASSWORD)
    await register_the_letter(page, live_site, tmp_path)
    await expect(page.locator("#stage")).to_have_text("Pengagendaan")
    await expect(page.get_by_role("link", name="Surat permohonan (pindaian): surat.pdf")).to_be_visible()
    case_url = page.url
    register = page.get_by_role("region", name="Menerima, mengagendakan dan memberikan lembar disposisi")
    await register.get_by_label("Sifat surat").select_option(label="Segera")
    await decide(page, "Agendakan dan teruskan ke Sekretaris", "Saran Sekretaris")
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    await log_out(page)

    await open_task(page, live_site, secretary)
    await expect(page).to_have_url(case_url)
    await page.get_by_label("Analisa dan saran kepada Kepala Dinas").fill("Layak dibina oleh Bidang Koperasi dan UKM")
    await decide(page, "Teruskan saran ke Kepala Dinas", "Disposisi Kepala Dinas")
    await log_out(page)

    await open_task(page, live_site, head)
    await dispose(page, "Buka halaman disposisi", "Kepala Bidang", division, "Segera bina, laporkan",
                  "Disposisikan ke Kepala Bidang", "Diteruskan ke Bidang")
    await log_out(page)

    await open_task(page, live_site, back)
    await decide(page, "Teruskan berkas ke Bidang", "Disposisi Kepala Bidang")
    await log_out(page)

    await open_task(page, live_site, division)
    await dispose(page, "Buka halaman disposisi", "Kepala Seksi", section, "Siapkan Surat Tugas dua petugas",
                  "Disposisikan ke Kepala Seksi", "Surat Tugas")
    await log_out(page)

    await open_task(page, live_site, section)
    await page.get_by_role("link", name="Buka halaman Surat Tugas").click()
    officers = page.get_by_role("group", name="Petugas yang ditugaskan")
    for officer in (first, second):
        await officers.get_by_label(choice(officer)).check()
    await page.get_by_label("Tanggal pembinaan").fill(today())
    await page.get_by_label("Tempat pembinaan").fill("Rumah produksi Keripik Sanjai Uni Ros, Muaro Sijunjung")
    await decide(page, "Terbitkan Surat Tugas", "Pembinaan")
    await expect(page.locator("table.list")).to_contain_text("Andi Saputra, Dewi Kartika Sari")  # either may act
    await log_out(page)

    await open_task(page, live_site, second)
    coach = page.get_by_role("region", name="Melakukan pembinaan")
    await coach.get_by_label("Tanggal pelaksanaan pembinaan").fill(today())
    await coach.get_by_label("Tempat pelaksanaan").fill("Rumah produksi, Muaro Sijunjung")
    await coach.get_by_label("Peserta pembinaan").fill("Pemilik dan 4 karyawan")
    await coach.get_by_label("Materi dan uraian pembinaan").fill("Pengemasan, label dan P-IRT")
    await decide(page, "Pembinaan sudah dilaksanakan", "Laporan")
    await log_out(page)

    await open_task(page, live_site, first)
    report = page.get_by_role("region", name="Membuat laporan hasil pembinaan dan rencana tindak lanjut")
    await report.get_by_label("Laporan hasil pembinaan").fill("Kemasan sudah diperbaiki; P-IRT sedang diurus.")
    await report.get_by_label("Rencana tindak lanjut").fill("Pendampingan pengurusan P-IRT\nKunjungan ulang bulan depan")
    await decide(page, "Kirim laporan hasil pembinaan", "Selesai")
    await expect(page.locator("#status")).to_have_text("Selesai")
    await expect(page.get_by_role("link", name="Lembar Disposisi:")).to_have_count(5)  # after each of five desks
    await expect(page.get_by_role("link", name="Surat Tugas:")).to_have_count(1)
    await expect(page.get_by_role("link", name="Laporan Hasil:")).to_have_count(1)
    await context.close()

"""consultation (Jombang) in a real browser on a phone-sized screen, offline: a petugas registers a walk-in
konsultasi with the two required documents and prints the receipt with its tracking code, finds the file
complete, records the consultation and issues the report; the case is then completed with the Laporan Hasil
among its documents."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from tests.utils.factories import PASSWORD, make_user
from tests.utils.gallery import JPEG, PDF
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in

TITLE = "Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro"
BUSINESS = "Keripik Singkong Bu Lastri"
WIB = timezone(timedelta(hours=7))


def documents(folder: Path) -> dict[str, Path]:
    """The required documents as files to pick: their labels on the registration form -> path."""
    files = {"Surat permohonan kepada Kepala Dinas (wajib)": ("surat.pdf", PDF), "Fotokopi KTP (wajib)": ("ktp.jpg", JPEG)}
    picked = {}
    for label, (name, content) in files.items():
        (folder / name).write_bytes(content)
        picked[label] = folder / name
    return picked


async def register_walk_in(page: Page, site: LiveSite, folder: Path) -> str:
    """Registers Bu Lastri's consultation from the officer's home page; returns the tracking code."""
    await page.get_by_role("link", name=f"Daftarkan {TITLE}").click()
    await expect(page).to_have_url(f"{site.url}/layanan/consultation/daftarkan")
    await page.get_by_label("Nama", exact=True).fill("Bu Lastri")
    await page.get_by_label("Nomor HP").fill("0812-3456-1122")
    await page.get_by_label("Alamat", exact=True).fill("Dusun Cukir RT 02 RW 01, Diwek")
    await page.get_by_label("Diterima melalui").select_option(label="Datang langsung")
    await page.get_by_label("Jenis permohonan").select_option(label="Konsultasi")
    await page.get_by_label("Nama usaha").fill(BUSINESS)
    await page.get_by_label("Kecamatan lokasi usaha").select_option(label="Diwek")
    await page.get_by_label("Alamat usaha").fill("Jl. Raya Cukir No. 12, Diwek")
    await page.get_by_label("Usaha saya termasuk usaha mikro").check()
    await page.get_by_label("Uraian masalah atau hal yang dikonsultasikan").fill(
        "Ingin berkonsultasi tentang cara mengurus izin edar P-IRT dan pemasaran daring.")
    files = documents(folder)
    letter = "Surat permohonan kepada Kepala Dinas (wajib)"
    await page.get_by_label(letter).set_input_files(files[letter])  # the KTP forgotten
    await page.get_by_role("button", name="Simpan dan cetak tanda terima").click()
    await expect(page.locator("#e-ktp")).to_be_visible()
    await expect(page.get_by_text("Pilih ulang berkas yang akan diunggah.")).to_be_visible()
    await expect(page.get_by_label("Nama usaha")).to_have_value(BUSINESS)  # the fields are kept
    await expect(page.get_by_label("Usaha saya termasuk usaha mikro")).to_be_checked()
    for label, path in files.items():
        await page.get_by_label(label).set_input_files(path)
    await page.get_by_role("button", name="Simpan dan cetak tanda terima").click()

    await expect(page.get_by_role("heading", name=f"Tanda Terima {TITLE}")).to_be_visible()
    code = (await page.locator(".receipt .code").inner_text()).strip()
    assert code.isalnum() and code.isupper(), code
    receipt = page.locator(".receipt")
    await expect(receipt).to_contain_text(f"{site.url}/lacak/{code}")
    await expect(receipt).to_contain_text("Bu Lastri")
    await expect(receipt).to_contain_text("Datang langsung")
    await expect(receipt).to_contain_text("5 hari kerja")
    await page.emulate_media(media="print")  # as printed: the receipt alone
    await expect(page.get_by_role("link", name="Buka kasus")).to_be_hidden()
    await expect(receipt.get_by_text(code, exact=True)).to_be_visible()
    await page.emulate_media(media="screen")
    await page.get_by_role("link", name="Buka kasus").click()
    return code


async def decide(page: Page, button: str, stage: str) -> None:
    await page.get_by_role("button", name=button).click()
    await expect(page.get_by_text("Keputusan Anda sudah tersimpan.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text(stage)


async def test_a_walk_in_consultation_from_the_receipt_to_the_report(live_site: LiveSite, chromium: Any,
                                                                      tmp_path: Path) -> None:
    officer = make_user(live_site.engine, "petugas", "jombang", name="Pak Petugas")
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    await log_in(page, live_site, officer.email, PASSWORD)
    code = await register_walk_in(page, live_site, tmp_path)
    await expect(page.get_by_role("link", name=code)).to_be_visible()
    await expect(page.locator("#stage")).to_have_text("Pemeriksaan Berkas")
    for document in ("Surat permohonan kepada Kepala Dinas: surat.pdf", "Fotokopi KTP: ktp.jpg"):
        await expect(page.get_by_role("link", name=document)).to_be_visible()
    await decide(page, "Berkas lengkap", "Konsultasi")

    consult = page.get_by_role("region", name="Pemberian konsultasi")
    await consult.get_by_label("Tanggal konsultasi").fill(datetime.now(WIB).date().isoformat())
    await consult.get_by_label("Materi konsultasi").fill("Perizinan P-IRT; pemasaran melalui lokapasar")
    await consult.get_by_label("Saran dan arahan kepada pemohon").fill(
        "Ikuti penyuluhan keamanan pangan Dinas Kesehatan, lalu daftarkan P-IRT melalui OSS.")
    await decide(page, "Catat konsultasi", "Laporan Hasil")

    report = page.get_by_role("region", name="Laporan hasil")
    await report.get_by_label("Kesimpulan laporan").fill("Pemohon memahami alur pengurusan P-IRT.")
    await report.get_by_label("Tindak lanjut (bila ada)").fill("Pendampingan pendaftaran P-IRT bulan depan")
    await decide(page, "Terbitkan dan kirim laporan hasil", "Selesai")
    await expect(page.locator("#status")).to_have_text("Selesai")
    result = page.get_by_role("link", name="Laporan Hasil:")
    await expect(result).to_be_visible()
    pdf = await page.request.get(f"{live_site.url}{await result.get_attribute('href')}")
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF")
    await context.close()

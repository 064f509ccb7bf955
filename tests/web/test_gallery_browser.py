"""gallery-curation (seed 001, East Java) in a real browser on the pass path: a UMKM applies with its three
required documents, the gallery staff accepts them and records the sample, the staff and the curator each
send the curation form, the staff puts the product on display; it is then in the public catalogue with a
printable price tag."""

from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from tests.utils.factories import PASSWORD, make_user
from tests.utils.gallery import JPEG, PDF, PNG, gallery_form
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in, log_out, nav

FORM = gallery_form()
TITLE = f"{FORM['product_name']} — {FORM['business_name']}"  # the case title, as lists show it
SCORES = {"Kemasan": "4", "Kelengkapan label": "4", "Rasa/kualitas": "5", "Daya saing harga": "4", "Legalitas": "5"}


def documents(folder: Path) -> dict[str, Path]:
    """The required documents as files to pick: their labels on the start form -> path."""
    files = {"KTP (wajib)": ("ktp.pdf", PDF), "NIB (wajib)": ("nib.png", PNG),
             "Sertifikat P-IRT (wajib)": ("pirt.jpg", JPEG)}
    picked = {}
    for label, (name, content) in files.items():
        (folder / name).write_bytes(content)
        picked[label] = folder / name
    return picked


async def apply_for_the_gallery(page: Page, site: LiveSite, folder: Path) -> str:
    await page.get_by_role("link", name="Ajukan: Fasilitasi Pemasaran Produk melalui Galeri").click()
    await expect(page).to_have_url(f"{site.url}/layanan/gallery-curation/ajukan")
    await page.get_by_label("Nama usaha").fill(FORM["business_name"])
    await page.get_by_label("Nama produk").fill(FORM["product_name"])
    await page.get_by_label("Kategori").select_option(FORM["category"])
    await page.get_by_label("Harga jual (Rp)").fill(str(FORM["price"]))
    await page.get_by_label("Tanggal kedaluwarsa").fill(FORM["expiry_date"])
    await page.get_by_label("Spesifikasi produk").fill(FORM["specification"])
    for label, path in documents(folder).items():
        await page.get_by_label(label, exact=True).set_input_files(path)
    await page.get_by_role("button", name="Ajukan").click()
    await expect(page.get_by_text("Permohonan Anda sudah diterima.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text("Pemeriksaan Berkas")
    for document in ("KTP: ktp.pdf", "NIB: nib.png", "Sertifikat P-IRT: pirt.jpg"):
        await expect(page.get_by_role("link", name=document)).to_be_visible()
    return page.url.split("?")[0]


async def open_task(page: Page) -> None:
    await nav(page).get_by_role("link", name="Tugas").click()
    await page.get_by_role("link", name=TITLE).click()


async def send_curation(page: Page, step_title: str) -> None:
    form = page.get_by_role("region", name=step_title)
    for label, score in SCORES.items():
        await form.get_by_label(label, exact=True).select_option(score)
    await form.get_by_label("Rekomendasi").select_option(label="Lolos")
    await form.get_by_role("button", name="Kirim form kurasi").click()
    await expect(page.get_by_text("Keputusan Anda sudah tersimpan.")).to_be_visible()
    await expect(page.get_by_role("region", name=step_title)).to_have_count(0)


async def test_a_product_is_curated_and_displayed_in_the_browser(live_site: LiveSite, chromium: Any,
                                                                 tmp_path: Path) -> None:
    applicant = make_user(live_site.engine, "umkm", name="Sri Wahyuni")
    staff = make_user(live_site.engine, "staf_galeri", "jatim", name="Bu Galeri")
    curator = make_user(live_site.engine, "kurator", "jatim", name="Pak Kurator")
    context = await chromium.new_context(viewport={"width": 375, "height": 740}, locale="id-ID")
    page = await context.new_page()

    await log_in(page, live_site, applicant.email, PASSWORD)
    case_url = await apply_for_the_gallery(page, live_site, tmp_path)
    await log_out(page)

    await log_in(page, live_site, staff.email, PASSWORD)
    await open_task(page)
    await expect(page).to_have_url(case_url)
    await page.get_by_role("button", name="Berkas lengkap").click()
    await expect(page.locator("#stage")).to_have_text("Menunggu Sampel")
    await page.get_by_label("Keterangan sampel").fill("2 bungkus, kemasan utuh")
    await page.get_by_label("Jumlah sampel").fill("2")
    await page.get_by_role("button", name="Sampel diterima").click()
    await expect(page.locator("#stage")).to_have_text("Kurasi")
    await send_curation(page, "Kurasi oleh staf galeri")
    await log_out(page)

    await log_in(page, live_site, curator.email, PASSWORD)
    await open_task(page)
    await send_curation(page, "Kurasi oleh tenaga ahli kurasi")
    await expect(page.locator("#stage")).to_have_text("Display Produk")
    await log_out(page)

    await log_in(page, live_site, staff.email, PASSWORD)
    await page.goto(case_url)
    await page.get_by_label("SKU").fill("ktbs-200")
    await page.get_by_label("Jumlah stok").fill("12")
    await page.get_by_label("Harga jual (Rp)").fill("15000")
    await page.get_by_role("button", name="Simpan stok dan display").click()
    await expect(page.locator("#stage")).to_have_text("Terdisplay di Galeri")
    await expect(page.locator("#status")).to_have_text("Selesai")
    await log_out(page)

    await page.get_by_role("link", name="Katalog Galeri UMKM Jawa Timur").click()
    await expect(page).to_have_url(f"{live_site.url}/galeri")
    product = page.get_by_role("article").filter(has=page.get_by_role("heading", name=FORM["product_name"]))
    await expect(product).to_contain_text("Rp 15.000")
    await expect(product).to_contain_text("SKU KTBS-200")
    barcode = product.get_by_role("img", name="Barcode KTBS-200")
    await expect(barcode).to_be_visible()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=await barcode.element_handle())
    await product.get_by_role("link", name="Cetak label harga").click()
    await expect(page).to_have_title(f"Label harga — {FORM['product_name']}")
    await expect(page.get_by_text("Rp 15.000", exact=True)).to_be_visible()
    await expect(page.get_by_text(FORM["product_name"], exact=True)).to_be_visible()
    barcode_svg = page.locator("svg")  # the barcode, drawn inline with its code under the bars
    await expect(barcode_svg).to_be_visible()
    await expect(barcode_svg).to_contain_text("KTBS-200")
    await expect(page.get_by_role("button", name="Cetak")).to_be_visible()
    await context.close()

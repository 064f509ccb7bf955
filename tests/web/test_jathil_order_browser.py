"""jathil-order (JATHIL MART, Kabupaten Ponorogo) in a real browser on a phone-sized screen, cash on
delivery: the buyer orders from the catalogue, the field administrator verifies the transaction, the seller
ships it (courier and tracking number), the buyer confirms receipt, the seller confirms the cash; the case
is then completed."""

from typing import Any

from playwright.async_api import Page, expect

from tests.utils.factories import PASSWORD, make_user
from tests.utils.jathil import add_product, approve_seller, stock_of
from tests.web.conftest import LiveSite
from tests.web.test_browser import log_in, log_out, nav

TITLE = "Keripik Tempe · Keripik Tempe Bu Sri"  # the case title: the product and the seller


async def order_from_the_catalogue(page: Page, site: LiveSite) -> str:
    await page.get_by_role("link", name="JATHIL MART: produk UMKM Kabupaten Ponorogo").click()
    await expect(page).to_have_url(f"{site.url}/jathil")
    product = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Keripik Tempe"))
    await expect(product).to_contain_text("Rp 15.000")
    await product.get_by_role("link", name="Pesan Keripik Tempe").click()
    await expect(page.get_by_role("heading", name="Pesan produk")).to_be_visible()
    await expect(page.locator("#price")).to_have_text("Rp 15.000")

    await page.get_by_label("Jumlah").fill("2")
    await expect(page.get_by_label("Nama penerima")).to_have_value("Budi Santoso")  # from the account
    await page.get_by_label("Nomor HP penerima").fill("0812-3456-7890")
    await page.get_by_label("Alamat pengiriman").fill("Jl. Batoro Katong 5, Ponorogo")
    await page.get_by_label("Kabupaten/Kota").fill("Kabupaten Ponorogo")
    await page.get_by_label("Kode pos").fill("6341")
    await page.get_by_label("Pembayaran").select_option(label="Bayar di tempat (COD)")
    await page.get_by_role("button", name="Pesan sekarang").click()
    await expect(page.locator("#e-postal_code")).to_have_text("Format tidak sesuai")  # one page of messages
    await expect(page.get_by_label("Alamat pengiriman")).to_have_value("Jl. Batoro Katong 5, Ponorogo")  # kept
    await expect(page.get_by_label("Pembayaran")).to_have_value("cod")
    await page.get_by_label("Kode pos").fill("63411")
    await page.get_by_role("button", name="Pesan sekarang").click()

    await expect(page.get_by_text("Pesanan Anda sudah diterima.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text("Verifikasi")
    data = page.locator("dl.data").last
    await expect(data).to_contain_text("Keripik Tempe · Harga: Rp 15.000 · Jumlah: 2 · Jumlah harga: Rp 30.000")
    await expect(data).to_contain_text("Rp 10.000")
    await expect(data).to_contain_text("Rp 40.000")
    return page.url.split("?")[0]


async def decide(page: Page, button: str, stage: str) -> None:
    await page.get_by_role("button", name=button).click()
    await expect(page.get_by_text("Keputusan Anda sudah tersimpan.")).to_be_visible()
    await expect(page.locator("#stage")).to_have_text(stage)


async def test_a_cod_order_from_the_catalogue_to_the_cash(live_site: LiveSite, chromium: Any) -> None:
    seller = make_user(live_site.engine, "umkm", name="Sri Wahyuni")
    approve_seller(live_site.engine, seller, "Keripik Tempe Bu Sri")
    product = add_product(live_site.engine, seller, price=15000, stock=5, name="Keripik Tempe")
    buyer = make_user(live_site.engine, "pembeli", name="Budi Santoso")
    verifier = make_user(live_site.engine, "admin_bidang", "ponorogo", name="Bu Verifikator")
    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()

    await log_in(page, live_site, buyer.email, PASSWORD)
    case_url = await order_from_the_catalogue(page, live_site)
    assert stock_of(live_site.engine, product) == 3
    await log_out(page)

    await log_in(page, live_site, verifier.email, PASSWORD)
    await nav(page).get_by_role("link", name="Tugas").click()
    await page.get_by_role("link", name=TITLE).click()
    await expect(page).to_have_url(case_url)
    await decide(page, "Transaksi valid", "Pengiriman")
    await log_out(page)

    await log_in(page, live_site, seller.email, PASSWORD)
    await page.get_by_role("link", name=TITLE).first.click()  # "Perlu tindakan Anda" on the home page
    await expect(page).to_have_url(case_url)
    await page.get_by_label("Kurir").fill("JNE")
    await page.get_by_label("Nomor resi").fill("JNE123456789")
    await decide(page, "Kirim pesanan", "Dikirim")
    await log_out(page)

    await log_in(page, live_site, buyer.email, PASSWORD)
    await nav(page).get_by_role("link", name="Kasus saya").click()
    await page.get_by_role("link", name=TITLE).click()
    data = page.locator("dl.data").last
    await expect(data).to_contain_text("JNE123456789")
    await decide(page, "Barang sudah diterima", "Menunggu Pembayaran COD")
    await log_out(page)

    await log_in(page, live_site, seller.email, PASSWORD)
    await page.goto(case_url)
    await decide(page, "Uang COD sudah diterima", "Selesai")
    await expect(page.locator("#status")).to_have_text("Selesai")
    await context.close()

"""jathil-order pages without a browser: who may order and the order form's refusals (one page of
messages, nothing typed lost, "Stok tidak cukup"), an order as the case page shows it, a transfer paid on
its own page, the seller's list and inbox, and the ledger page (main administrator of Ponorogo only)."""

import re

import httpx
from sqlmodel import Session

from core.ledger import totals
from core.models import User
from tests.utils.jathil import add_product, approve_seller, png, stock_of
from tests.web.conftest import Site, csrf_of


def order(**overrides: str) -> dict[str, str]:
    values = {"qty": "2", "recipient": "Budi Santoso", "phone": "0812-3456-7890", "address": "Jl. Batoro Katong 5",
              "regency": "Kabupaten Ponorogo", "postal_code": "63411", "payment": "cod"}
    return {**values, **overrides}


async def post(client: httpx.AsyncClient, page: str, data: dict, files: list | None = None,
               action: str | None = None) -> httpx.Response:
    """Opens `page`, posts `data` (and `files`) to `action` (the page itself by default) with its CSRF token."""
    token = csrf_of((await client.get(page)).text)
    return await client.post(action or page, data={"csrf": token, **data}, files=files)


async def decide(client: httpx.AsyncClient, case_url: str, step: str, action: str, **data: str) -> None:
    decided = await post(client, case_url, {"step": step, "action": action, **data}, action=f"{case_url}/keputusan")
    assert decided.status_code == 303, decided.text


def shop(site: Site, stock: int = 5) -> tuple[User, int]:
    seller = site.user("umkm", name="Sri Wahyuni")
    approve_seller(site.engine, seller, "Keripik Tempe Bu Sri")
    return seller, add_product(site.engine, seller, price=15000, stock=stock)


async def test_who_may_order_and_the_refusals_keep_what_was_typed(site: Site) -> None:
    seller, product = shop(site)
    page = f"/jathil/pesan/{product}"
    async with site.browser() as visitor:
        catalogue = (await visitor.get("/jathil")).text
        assert f'href="{page}"' in catalogue and ">Pesan</a>" in catalogue
        anonymous = await visitor.get(page)
        assert anonymous.status_code == 200 and "Rp 15.000" in anonymous.text
        assert "masuk dengan akun pembeli" in anonymous.text and 'name="qty"' not in anonymous.text
        assert f'href="/masuk?next={page}"' in anonymous.text and 'href="/daftar?peran=pembeli"' in anonymous.text
        assert '<option value="pembeli" selected>' in (await visitor.get("/daftar?peran=pembeli")).text
        assert (await visitor.get("/jathil/pesan/999999")).status_code == 404
    async with site.logged_in(seller) as as_seller:
        refused = await as_seller.get(page)
        assert refused.status_code == 403 and "Pemesanan hanya untuk akun pembeli" in refused.text
        assert 'name="qty"' not in refused.text

    buyer = site.user("pembeli", name="Budi Santoso")
    async with site.logged_in(buyer) as client:
        blank = (await client.get(page)).text
        for label in ("Jumlah", "Nama penerima", "Nomor HP penerima", "Alamat pengiriman", "Kabupaten/Kota",
                      "Kode pos", "Pembayaran", "Bayar di tempat (COD)", "Transfer ke rekening JATHIL MART"):
            assert label in blank
        assert 'value="Budi Santoso"' in blank  # the account's name as the recipient

        bad = await post(client, page, order(qty="dua", phone="12345", postal_code="6341", address="", payment=""))
        assert bad.status_code == 422
        assert "Periksa kembali isian yang ditandai." in bad.text
        for field in ("qty", "phone", "postal_code", "address", "payment"):
            assert f'id="e-{field}"' in bad.text, field
        assert 'id="e-address">Wajib diisi' in bad.text and 'id="e-postal_code">Format tidak sesuai' in bad.text
        assert 'value="dua"' in bad.text and 'value="12345"' in bad.text and 'value="Jl. Batoro' not in bad.text
        assert 'value="Kabupaten Ponorogo"' in bad.text and 'value="Budi Santoso"' in bad.text

        too_many = await post(client, page, order(qty="6", payment="transfer"))
        assert too_many.status_code == 409 and "Stok tidak cukup" in too_many.text
        assert 'value="6"' in too_many.text and '<option value="transfer" selected>' in too_many.text
        assert "Jl. Batoro Katong 5</textarea>" in too_many.text
        assert stock_of(site.engine, product) == 5

        placed = await post(client, page, order())
        assert placed.status_code == 303, placed.text
        case_url = placed.headers["location"].split("?")[0]
        assert stock_of(site.engine, product) == 3
        case = (await client.get(placed.headers["location"])).text
        assert "Pesanan Anda sudah diterima." in case
        for row in ("Keripik Tempe · Harga: Rp 15.000 · Jumlah: 2 · Jumlah harga: Rp 30.000",
                    "<dt>Subtotal</dt><dd>Rp 30.000</dd>", "<dt>Ongkos kirim</dt><dd>Rp 10.000</dd>",
                    "<dt>Total</dt><dd>Rp 40.000</dd>", "<dt>Pengiriman – Nomor HP penerima</dt><dd>0812-3456-7890</dd>",
                    "<dt>Penjual</dt><dd>Keripik Tempe Bu Sri</dd>", "<dt>Tujuan</dt><dd>Kabupaten Ponorogo</dd>"):
            assert row in case, row
        assert "reservation" not in case.lower() and "Delivery days" not in case

    async with site.logged_in(seller) as as_seller:
        listed = (await as_seller.get("/kasus")).text
        assert case_url in listed  # the seller is the order's participant
        assert (await as_seller.get(case_url)).status_code == 200


async def test_a_transfer_is_paid_on_its_own_page_and_shipped(site: Site) -> None:
    seller, product = shop(site)
    buyer = site.user("pembeli")
    field_admin = site.user("admin_bidang", "ponorogo")
    async with site.logged_in(buyer) as client:
        placed = await post(client, f"/jathil/pesan/{product}", order(qty="1", payment="transfer"))
        case_url = placed.headers["location"].split("?")[0]
        case = (await client.get(case_url)).text
        pay = f"{case_url.replace('/kasus/', '/jathil/pesanan/')}/bayar"
        assert f'href="{pay}"' in case and "Unggah bukti transfer dan konfirmasi pembayaran" in case
        page = (await client.get(pay)).text
        assert "Rp 25.000" in page and "Saya sudah membayar" in page and 'enctype="multipart/form-data"' in page

        no_proof = await post(client, pay, {})
        assert no_proof.status_code == 422 and 'id="e-file">Unggah bukti transfer terlebih dahulu' in no_proof.text
        wrong = await post(client, pay, {}, files=[("file", ("bukti.exe", b"MZ\x90\x00", "application/octet-stream"))])
        assert wrong.status_code == 422 and 'id="e-file"' in wrong.text
        paid = await post(client, pay, {}, files=[("file", ("bukti.png", png(), "image/png"))])
        assert paid.status_code == 303 and paid.headers["location"] == f"{case_url}?pesan=keputusan"
        after = (await client.get(case_url)).text
        assert 'id="stage">Verifikasi' in after and "Bukti transfer: bukti.png" in after
        assert (await client.get(pay)).status_code == 303  # nothing left to pay

    async with site.logged_in(field_admin) as client:
        await decide(client, case_url, "verify", "valid")
    async with site.logged_in(seller) as client:
        home = (await client.get("/")).text
        assert "Perlu tindakan Anda" in home and case_url in home  # the seller's inbox
        page = (await client.get(case_url)).text
        assert "Kurir" in page and "Nomor resi" in page
        await decide(client, case_url, "ship", "ship", courier="JNE", tracking_number="JNE123456")
        page = (await client.get(case_url)).text
        assert "<dt>Pengiriman – Kurir</dt><dd>JNE</dd>" in page
        assert "<dt>Pengiriman – Nomor resi</dt><dd>JNE123456</dd>" in page


async def test_the_ledger_page_is_for_the_main_administrator_of_ponorogo(site: Site) -> None:
    seller, product = shop(site)
    buyer = site.user("pembeli")
    main = site.user("admin_utama", "ponorogo")
    async with site.logged_in(buyer) as client:
        placed = await post(client, f"/jathil/pesan/{product}", order(qty="1", payment="transfer"))
        case_id = placed.headers["location"].split("?")[0].rsplit("/", 1)[1]
        pay = f"/jathil/pesanan/{case_id}/bayar"
        assert (await post(client, pay, {}, files=[("file", ("b.png", png(), "image/png"))])).status_code == 303
    async with site.logged_in(site.user("admin_bidang", "ponorogo")) as client:
        await decide(client, f"/kasus/{case_id}", "verify", "valid")
    with Session(site.engine) as session:
        assert totals(session, case_id) == {"bank": -25000, "escrow": 25000}

    for role, agency in (("admin_bidang", "ponorogo"), ("admin_utama", "jatim"), ("pembeli", None), ("umkm", None)):
        async with site.logged_in(site.user(role, agency)) as client:
            for address in ("/jathil/buku-besar", "/jathil/buku-besar.csv"):
                refused = await client.get(address)
                assert refused.status_code == 403, (role, address)
                assert "Buku besar hanya untuk Administrator Utama JATHIL MART" in refused.text
    async with site.browser() as anonymous:
        assert (await anonymous.get("/jathil/buku-besar")).headers["location"].startswith("/masuk")

    async with site.logged_in(main) as client:
        page = await client.get(f"/jathil/buku-besar?kasus={case_id}")
        assert page.status_code == 200
        assert re.search(r"Rekening JATHIL MART \(transfer masuk\)</td><td[^>]*>-Rp 25\.000<", page.text)
        assert re.search(r"Dana ditahan \(escrow\)</td><td[^>]*>Rp 25\.000<", page.text)
        assert f"{case_id}/received:dr" in page.text and f'href="/jathil/buku-besar.csv?kasus={case_id}"' in page.text
        assert 'href="/jathil/buku-besar"' in (await client.get("/jathil")).text
        exported = await client.get(f"/jathil/buku-besar.csv?kasus={case_id}")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        lines = exported.text.strip().splitlines()
        assert lines[0] == "case_id,account,debit,credit,key,at" and len(lines) == 3
        assert f"{case_id},escrow,25000,0,{case_id}/received:dr" in exported.text

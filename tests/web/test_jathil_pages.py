"""JATHIL MART pages without a browser: a seller adds and edits products (one page of messages on bad
input, nothing typed lost), the stock an order took meanwhile is kept, the public catalogue and the home
page link. Sellers are approved by writing their completed jathil-vendor case row."""

import re

import httpx
from sqlmodel import Session, select

from core.models_jathil import JathilProduct, reserve_stock
from tests.utils.jathil import approve_seller, png
from tests.web.conftest import Site, csrf_of

MINE = "/jathil/produk-saya"
NEW = f"{MINE}/baru"


def form(**overrides: str) -> dict[str, str]:
    values = {"name": "Keripik Tempe Original 200 g", "description": "Tempe, minyak kelapa; pouch 200 g",
              "category": "makanan_minuman", "price": "15.000", "stock": "24", "weight_grams": "250", "active": "ya"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


async def post(client: httpx.AsyncClient, page: str, action: str, data: dict, photo: tuple[str, bytes] | None):
    token = csrf_of((await client.get(page)).text)
    files = [("photo", (photo[0], photo[1], "application/octet-stream"))] if photo else None
    return await client.post(action, data={"csrf": token, **data}, files=files)


def products(site: Site) -> list[JathilProduct]:
    with Session(site.engine) as session:
        return list(session.exec(select(JathilProduct).order_by(JathilProduct.id)))


async def test_a_seller_adds_and_edits_products_and_the_public_sees_them(site: Site) -> None:
    seller = site.user("umkm")
    approve_seller(site.engine, seller, "Keripik Tempe Bu Sri")
    async with site.logged_in(seller) as client:
        empty = await client.get(MINE)
        assert empty.status_code == 200 and "Belum ada produk" in empty.text
        blank = await client.get(NEW)
        assert 'enctype="multipart/form-data"' in blank.text and 'name="photo"' in blank.text
        for label in ("Nama produk", "Deskripsi", "Kategori", "Harga (Rp)", "Stok", "Berat (gram)",
                      "Tampilkan di katalog JATHIL MART", "Foto produk (wajib)"):
            assert label in blank.text
        assert 'name="active" value="ya" checked' in blank.text

        refused = await post(client, NEW, NEW, form(price="lima belas ribu", stock="-1", weight_grams=""),
                             ("ktp.pdf", b"%PDF-1.7"))
        assert refused.status_code == 422
        assert 'id="e-price">Harus bilangan bulat' in refused.text and 'id="e-stock">Minimal 0' in refused.text
        assert 'id="e-weight_grams">Wajib diisi' in refused.text
        assert 'id="e-photo">Foto produk harus berupa JPEG atau PNG' in refused.text
        assert "Pilih ulang foto produk" in refused.text
        assert 'value="Keripik Tempe Original 200 g"' in refused.text and "Tempe, minyak kelapa; pouch 200 g</textarea>" in refused.text
        assert 'value="lima belas ribu"' in refused.text and '<option value="makanan_minuman" selected>' in refused.text
        assert products(site) == []
        assert (await post(client, NEW, NEW, form(), None)).status_code == 422  # the photo is required

        added = await post(client, NEW, NEW, form(), ("keripik.png", png(b"GPS rumah")))
        assert added.status_code == 303 and added.headers["location"] == f"{MINE}?pesan=ditambah"
        [product] = products(site)
        assert (product.price, product.stock, product.active) == (15000, 24, True)  # "15.000" read as rupiah
        listing = (await client.get(added.headers["location"])).text
        assert "Produk sudah ditambahkan." in listing and "Rp 15.000" in listing and "Tampil di katalog" in listing
        photo_link = re.search(rf'src="({MINE}/{product.id}/foto\?v=\d+)"', listing).group(1)
        own_photo = await client.get(photo_link)
        assert own_photo.status_code == 200 and own_photo.content == png()
        assert own_photo.headers["x-content-type-options"] == "nosniff"

        edit = f"{MINE}/{product.id}"
        page = (await client.get(edit)).text
        assert 'value="15000"' in page and 'name="stok_awal" value="24"' in page and "Simpan perubahan" in page
        with Session(site.engine) as session:  # an order reserves 2 while the form is open
            assert reserve_stock(session, product.id, 2)
            session.commit()
        token = csrf_of(page)
        saved = await client.post(edit, data={"csrf": token, "stok_awal": "24", **form(price="Rp 17.500", stock="24")})
        assert saved.status_code == 303 and saved.headers["location"] == f"{MINE}?pesan=disimpan"
        [product] = products(site)
        assert (product.price, product.stock) == (17500, 22)  # the unchanged stock field did not undo the order

        cleared = await client.post(edit, data={"csrf": token, "stok_awal": "22", **form(name="", active=None)})
        assert cleared.status_code == 422 and 'id="e-name">Wajib diisi' in cleared.text
        assert 'name="active" value="ya" checked' not in cleared.text  # unticked as sent
        hidden = await client.post(edit, data={"csrf": token, "stok_awal": "22", **form(stock="5", active=None)})
        assert hidden.status_code == 303
        [product] = products(site)
        assert (product.name, product.stock, product.active) == ("Keripik Tempe Original 200 g", 5, False)
        assert "Disembunyikan" in (await client.get(MINE)).text
        shown = await client.post(edit, data={"csrf": token, "stok_awal": "5", **form()})
        assert shown.status_code == 303

    async with site.browser() as visitor:
        catalogue = await visitor.get("/jathil")
        assert catalogue.status_code == 200 and 'name="viewport"' in catalogue.text
        assert "Keripik Tempe Original 200 g" in catalogue.text and "Rp 15.000" in catalogue.text
        assert "Keripik Tempe Bu Sri" in catalogue.text
        public_photo = re.search(r'<img class="photo" src="([^"]+)"', catalogue.text).group(1)
        assert public_photo.startswith(f"/api/v1/jathil/products/{product.id}/photo")
        assert (await visitor.get(public_photo)).content == png()
        assert "Belum ada produk yang sesuai" in (await visitor.get("/jathil?kategori=fesyen")).text
        assert "Keripik Tempe Original" in (await visitor.get("/jathil?q=TEMPE&kategori=bukan")).text
        far = await visitor.get("/jathil?halaman=999999999999")
        assert far.status_code == 200 and "Belum ada produk yang sesuai" in far.text
        assert 'href="/jathil"' in (await visitor.get("/")).text
        login = await visitor.get(MINE)
        assert login.status_code == 303 and login.headers["location"].startswith("/masuk?next=")


async def test_others_are_refused_on_the_seller_pages(site: Site) -> None:
    owner, other, newcomer, buyer = site.user("umkm"), site.user("umkm"), site.user("umkm"), site.user("pembeli")
    approve_seller(site.engine, owner)
    approve_seller(site.engine, other, "Batik Mas Yanto")
    async with site.logged_in(owner) as client:
        assert (await post(client, NEW, NEW, form(), ("a.png", png()))).status_code == 303
    [product] = products(site)
    for user in (newcomer, buyer):
        async with site.logged_in(user) as client:
            mine = await client.get(MINE)
            assert mine.status_code == 403 and "sudah disetujui" in mine.text
            assert 'href="/layanan/jathil-vendor/ajukan"' in mine.text
            assert (await client.get(NEW)).status_code == 403
    async with site.logged_in(other) as client:
        for path in (f"{MINE}/{product.id}", f"{MINE}/{product.id}/foto"):
            refused = await client.get(path)
            assert refused.status_code == 404 and "Produk tidak ditemukan" in refused.text
        token = csrf_of((await client.get(MINE)).text)
        assert (await client.post(f"{MINE}/{product.id}", data={"csrf": token, **form()})).status_code == 404
        assert (await client.get(f"{MINE}/{2**40}")).status_code == 422
    assert products(site)[0].seller_id == owner.id

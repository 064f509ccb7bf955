"""JATHIL MART products over the HTTP API: an approved seller's products with their photo, who is refused,
bad input with field paths, the public catalogue. SQLite, and PostgreSQL when ALUR_TEST_DATABASE_URL is set.

Sellers: the first test approves one through the jathil-vendor SOP itself (start, forward, approve); the
others write the completed case row the SOP leaves (tests.utils.jathil.approve_seller), which is faster.
"""

from core.models import User
from tests.api.conftest import Api
from tests.utils.factories import jathil_vendor_form
from tests.utils.jathil import approve_seller, jpeg, multipart, png, product_form, set_case_status

PRODUCTS = "/api/v1/jathil/products"
CATALOGUE = "/api/v1/catalogue/jathil"
SECRET = b"GPS -7.8651,111.4696"


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def locs(response) -> set[tuple]:
    assert response.status_code == 422, response.text
    return {tuple(e["loc"]) for e in response.json()["detail"]}


def messages(response) -> dict[tuple, str]:
    return {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}


def stored_files(api: Api) -> list[str]:
    folder = api.settings.upload_dir
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def seller(api: Api, business_name: str = "Keripik Tempe Bu Sri") -> tuple[User, dict, str]:
    user, headers = await api.user("umkm")
    return user, headers, approve_seller(api.engine, user, business_name)


async def create(api: Api, headers: dict, photo: tuple[str, bytes] = ("foto.png", png()), **fields) -> dict:
    return ok(await api.http.post(PRODUCTS, headers=headers, **multipart(product_form(**fields), photo)), 201)


async def test_a_seller_approved_through_the_vendor_sop_creates_lists_and_edits(api: Api) -> None:
    user, headers = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    refused = await api.http.post(PRODUCTS, headers=headers, **multipart())
    assert refused.status_code == 403 and "penjual JATHIL MART" in refused.json()["detail"]
    case = ok(await api.http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=headers), 201)
    assert (await api.http.post(PRODUCTS, headers=headers, **multipart())).status_code == 403  # still open
    ok(await api.decide(field_h, case["id"], "verify", "forward"))
    assert ok(await api.decide(main_h, case["id"], "approve", "approve"))["data"]["may_sell"] is True

    photo = jpeg(orientation=6, secret=SECRET, trailer=b"MotionPhoto")
    product = await create(api, headers, photo=("IMG_2041.jpg", photo))
    assert product["name"] == "Keripik Tempe Original 200 g" and product["category_label"] == "Makanan dan minuman"
    assert (product["price"], product["price_text"], product["stock"], product["weight_grams"]) == (
        15000, "Rp 15.000", 24, 250)
    assert product["active"] is True and product["listed"] is True
    assert product["photo_url"].startswith(f"/api/v1/jathil/products/{product['id']}/photo?v=")

    # The photo is public, as an image only: our type, never sniffed, no script, without its metadata.
    image = await api.http.get(product["photo_url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert image.headers["content-disposition"] == f'inline; filename="jathil-produk-{product["id"]}.jpg"'
    assert image.headers["cache-control"].startswith("public")
    assert SECRET not in image.content and b"MotionPhoto" not in image.content and b"Exif" in image.content
    assert "IMG_2041" not in str(stored_files(api))

    mine = ok(await api.http.get(PRODUCTS, headers=headers, params={"mine": "true"}))
    assert mine["total"] == 1 and [p["id"] for p in mine["items"]] == [product["id"]]
    assert locs(await api.http.get(PRODUCTS, headers=headers)) == {("query", "mine")}
    assert ok(await api.http.get(f"{PRODUCTS}/{product['id']}", headers=headers))["name"] == product["name"]

    edited = ok(await api.http.patch(f"{PRODUCTS}/{product['id']}", headers=headers,
                                     json={"price": "Rp 17.500", "stock": 0}))
    assert (edited["price"], edited["price_text"], edited["stock"]) == (17500, "Rp 17.500", 0)
    assert edited["listed"] is False and edited["name"] == product["name"] and edited["weight_grams"] == 250
    [old_file] = stored_files(api)
    replaced = ok(await api.http.patch(f"{PRODUCTS}/{product['id']}", headers=headers,
                                       **multipart({"active": False, "stock": 3}, ("baru.png", png(b"Lokasi rumah")))))
    assert replaced["active"] is False and replaced["stock"] == 3 and replaced["price"] == 17500
    [new_file] = stored_files(api)
    assert new_file != old_file and new_file.endswith(".png")  # the replaced photo's file is gone
    # Hidden: not public any more; its seller still sees it, privately.
    assert (await api.http.get(replaced["photo_url"])).status_code == 404
    own = await api.http.get(replaced["photo_url"], headers=headers)
    assert own.status_code == 200 and own.content == png() and own.headers["cache-control"] == "private, no-store"


async def test_only_approved_sellers_and_only_their_own_products(api: Api) -> None:
    _, owner_h, _ = await seller(api)
    _, other_h, _ = await seller(api, "Batik Ponorogo Mas Yanto")
    product = await create(api, owner_h)
    buyer, buyer_h = await api.user("pembeli")
    _, newcomer_h = await api.user("umkm")
    waiting, waiting_h = await api.user("umkm")
    approve_seller(api.engine, waiting, status="open")  # applied, not yet approved
    _, staff_h = await api.user("admin_utama", "ponorogo")
    for headers in (buyer_h, newcomer_h, waiting_h, staff_h):
        for response in (await api.http.post(PRODUCTS, headers=headers, **multipart()),
                         await api.http.get(PRODUCTS, headers=headers, params={"mine": "true"}),
                         await api.http.patch(f"{PRODUCTS}/{product['id']}", headers=headers, json={"price": 1})):
            assert response.status_code == 403, response.text
            assert response.json()["detail"].startswith("Hanya penjual JATHIL MART yang pendaftarannya sudah disetujui")
    assert (await api.http.post(PRODUCTS, **multipart())).status_code == 401

    for response in (await api.http.patch(f"{PRODUCTS}/{product['id']}", headers=other_h, json={"price": 1}),
                     await api.http.get(f"{PRODUCTS}/{product['id']}", headers=other_h),
                     await api.http.patch(f"{PRODUCTS}/999999", headers=owner_h, json={"price": 1})):
        assert response.status_code == 404 and response.json()["detail"] == "Produk tidak ditemukan"
    assert ok(await api.http.get(PRODUCTS, headers=other_h, params={"mine": "true"}))["items"] == []
    for path in ("0", "-1", str(2**31), "9" * 40, "abc"):
        assert (await api.http.patch(f"{PRODUCTS}/{path}", headers=owner_h, json={})).status_code == 422
        assert (await api.http.get(f"{PRODUCTS}/{path}/photo")).status_code == 422
    assert ok(await api.http.get(f"{PRODUCTS}/{product['id']}", headers=owner_h))["price"] == 15000


async def test_bad_fields_and_photos_are_422_with_field_paths(api: Api) -> None:
    _, headers, _ = await seller(api)
    bad = await api.http.post(PRODUCTS, headers=headers, **multipart(
        product_form(price=-5, stock=1.5, weight_grams="berat", category="mobil", name=""),
        ("ktp.pdf", b"%PDF-1.7 bukan foto")))
    assert locs(bad) == {("body", "price"), ("body", "stock"), ("body", "weight_grams"), ("body", "category"),
                         ("body", "name"), ("body", "photo")}
    assert messages(bad)[("body", "price")] == "Harus lebih besar dari 0"
    assert messages(bad)[("body", "stock")] == "Harus bilangan bulat"
    assert messages(bad)[("body", "name")] == "Wajib diisi"
    assert messages(bad)[("body", "photo")] == "Foto produk harus berupa JPEG atau PNG"

    cases = [
        (multipart(product_form(price=10**12, stock=10**7, weight_grams=0)),
         {("body", "price"): "Maksimal 1000000000", ("body", "stock"): "Maksimal 1000000",
          ("body", "weight_grams"): "Harus lebih besar dari 0"}),
        (multipart(product_form(price=True, stock=-1)),
         {("body", "price"): "Harus bilangan bulat", ("body", "stock"): "Minimal 0"}),
        ({"json": product_form()}, {("body", "photo"): "Wajib diunggah: foto produk"}),
        (multipart(photo=("besar.png", png() + b"\x00" * (2 * 1024 * 1024))),
         {("body", "photo"): "Berkas terlalu besar (maksimal 2 MB)"}),
        (multipart(photo=("rusak.png", png()[:-5])),
         {("body", "photo"): "Foto tidak dapat dibaca: unggah berkas JPEG atau PNG yang utuh"}),
        (multipart(photo=("shell.png", b"<?php system($_GET['c']); ?>")),
         {("body", "photo"): "Foto produk harus berupa JPEG atau PNG"}),
        (multipart(photo=("../../foto.png", png())),
         {("body", "photo"): "Nama berkas tidak valid: gunakan nama tanpa folder atau karakter khusus"}),
        (multipart(product_form(warna="merah")), {("body", "warna"): "Kolom tidak dikenal"}),
        ({"content": b"{bukan json", "headers": {"content-type": "application/json"}},
         {("body",): "JSON tidak valid"}),
    ]
    for request, expected in cases:
        response = await api.http.post(PRODUCTS, **{**request, "headers": {**headers, **request.get("headers", {})}})
        assert locs(response) == set(expected), response.text
        for loc, message in expected.items():
            assert messages(response)[loc] == message
    assert stored_files(api) == []  # nothing refused was kept

    product = await create(api, headers)
    for change, loc in (({"price": 0}, ("body", "price")), ({"stock": None}, ("body", "stock")),
                        ({"category": "mobil"}, ("body", "category")), ({"seller_id": 9}, ("body", "seller_id"))):
        assert locs(await api.http.patch(f"{PRODUCTS}/{product['id']}", headers=headers, json=change)) == {loc}
    assert locs(await api.http.patch(f"{PRODUCTS}/{product['id']}", headers=headers, json=[1])) == {("body",)}
    assert ok(await api.http.get(f"{PRODUCTS}/{product['id']}", headers=headers))["price"] == 15000
    for params in ({"page": 0}, {"page": 100_001}, {"per_page": 101}, {"page": "9" * 30}):
        assert (await api.http.get(PRODUCTS, headers=headers, params={"mine": "true", **params})).status_code == 422


async def test_the_catalogue_lists_active_in_stock_products_of_approved_sellers(api: Api) -> None:
    _, sri, _ = await seller(api, "Keripik Tempe Bu Sri")
    _, yanto, _ = await seller(api, "Batik Ponorogo Mas Yanto")
    _, jenang, jenang_case = await seller(api, "Jenang Mirah")
    keripik = await create(api, sri, name="Keripik Tempe 200 g")
    await create(api, sri, name="Keripik Singkong Balado", stock=0)  # sold out
    await create(api, sri, name="Keripik Pisang", active=False)  # hidden by its seller
    batik = await create(api, yanto, name="Batik Cap Reog 100% Katun", category="fesyen", price=185000, stock=3)
    dodol = await create(api, jenang, name="Jenang Ketan Mirah", stock=2)

    everything = ok(await api.http.get(CATALOGUE))
    assert [i["id"] for i in everything["items"]] == [dodol["id"], batik["id"], keripik["id"]]  # newest first
    assert everything["total"] == 3 and everything["page"] == 1 and everything["per_page"] == 24
    item = everything["items"][1]
    assert item["business_name"] == "Batik Ponorogo Mas Yanto" and item["price_text"] == "Rp 185.000"
    assert item["category_label"] == "Fesyen dan tekstil" and item["photo_url"] == batik["photo_url"]
    assert "seller_id" not in item and "email" not in str(everything)

    # A seller whose approval is no longer completed disappears, with the photos.
    set_case_status(api.engine, jenang_case, "cancelled")
    assert [i["id"] for i in ok(await api.http.get(CATALOGUE))["items"]] == [batik["id"], keripik["id"]]
    assert (await api.http.get(dodol["photo_url"])).status_code == 404
    assert (await api.http.get(f"{CATALOGUE}/{dodol['id']}")).status_code == 404
    assert ok(await api.http.get(f"{CATALOGUE}/{batik['id']}"))["business_name"] == "Batik Ponorogo Mas Yanto"

    def ids(page: dict) -> list[int]:
        return [i["id"] for i in page["items"]]

    assert ids(ok(await api.http.get(CATALOGUE, params={"category": "fesyen"}))) == [batik["id"]]
    assert ids(ok(await api.http.get(CATALOGUE, params={"q": "  KERIPIK "}))) == [keripik["id"]]
    assert ids(ok(await api.http.get(CATALOGUE, params={"q": "100%"}))) == [batik["id"]]
    assert ids(ok(await api.http.get(CATALOGUE, params={"q": "%"}))) == [batik["id"]]  # a literal %, not "any"
    assert ids(ok(await api.http.get(CATALOGUE, params={"q": "keripik", "category": "fesyen"}))) == []
    second = ok(await api.http.get(CATALOGUE, params={"per_page": 1, "page": 2}))
    assert ids(second) == [keripik["id"]] and second["total"] == 2
    assert ok(await api.http.get(CATALOGUE, params={"page": 100_000}))["items"] == []
    for params in ({"category": "mobil"}, {"page": 0}, {"page": 100_001}, {"per_page": 0}, {"per_page": 101},
                   {"page": "9" * 30}, {"q": "x" * 101}):
        response = await api.http.get(CATALOGUE, params=params)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "query", params
    assert (await api.http.get(f"{CATALOGUE}/{2**31}")).status_code == 422

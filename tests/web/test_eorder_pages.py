"""The e-order pages without a browser: profile form, Satpel queues and assign form, the PJLP's check
page, the public catalogue. Set-up goes through the JSON API of the same app."""

from tests.api.conftest import Api
from tests.utils.eorder import Staff, dki_staff, ok, register_vendor, start_product, start_vendor, to_pjlp_check
from tests.utils.factories import eorder_product, eorder_profile
from tests.web.conftest import Site


def as_form(data: dict) -> dict:
    return {k: ("ya" if v is True else v) for k, v in data.items() if v not in (False, None)}


async def test_hub_registration_then_profile_form_on_the_case_page(site: Site) -> None:
    applicant = site.user("umkm")
    async with site.logged_in(applicant) as client:
        hub = await client.get("/eorder")
        assert "141732 - Badan Pelayanan Pengadaan Barang/Jasa" in hub.text
        started = await site.post_form(client, "/eorder", "/layanan/eorder-vendor/ajukan", {"skpd": "141732"})
        assert started.status_code == 303, started.text
        case_url = started.headers["location"].split("?")[0]
        assert 'aria-current="step"><strong>Pengisian Data' in (await client.get("/eorder")).text

        decisions = f"{case_url}/keputusan"
        profile = {"step": "fill_profile"}
        saved = await site.post_form(client, case_url, decisions,
                                     {**profile, "action": "save", "business_name": "Ayam Geprek Bu Indah"})
        assert saved.status_code == 303
        page = (await client.get(case_url)).text
        assert 'value="Ayam Geprek Bu Indah"' in page and 'id="stage">Pengisian Data' in page
        refused = await site.post_form(client, case_url, decisions, {**profile, "action": "confirm", "nik": "12"})
        assert refused.status_code == 422
        assert 'id="e-nik">NIK harus 16 digit angka sesuai KTP' in refused.text
        assert 'id="e-bank_name">Wajib diisi' in refused.text, refused.text
        confirmed = await site.post_form(client, case_url, decisions,
                                         {**profile, "action": "confirm", **as_form(eorder_profile())})
        assert confirmed.status_code == 303
        assert 'id="stage">Penunjukan Pembina' in (await client.get(case_url)).text


async def test_satpel_queues_and_assign_form(site: Site, api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    satpel = site.user("satpel", "dki")
    case = await start_vendor(api, applicant_h, pkt=True)
    await ok(await api.decide(applicant_h, case["id"], "fill_profile", "confirm", data=eorder_profile()))
    assign_url = f"/eorder/registrasi/{case['id']}/pjlp"

    async with site.logged_in(staff.pjlp_user) as pjlp:
        assert (await pjlp.get(assign_url)).status_code == 403
    async with site.logged_in(satpel) as client:
        assert "Ayam Geprek Bu Indah" in (await client.get("/eorder/registrasi?antrian=PKT")).text
        assert "Ayam Geprek Bu Indah" not in (await client.get("/eorder/registrasi?antrian=Non-PKT")).text
        form = await client.get(assign_url)
        assert f'<option value="{staff.pjlp_user.id}">{staff.pjlp_user.name}' in form.text
        empty = await site.post_form(client, assign_url, assign_url, {"pjlp": ""})
        assert empty.status_code == 422 and 'id="e-pjlp">Isi dengan id atau e-mail seorang Admin/PJLP' in empty.text
        assigned = await site.post_form(client, assign_url, assign_url, {"pjlp": str(staff.pjlp_user.id)})
        assert assigned.headers["location"] == "/eorder/registrasi?antrian=PKT&pesan=pjlp"
        listed = (await client.get(assigned.headers["location"])).text
        assert "PJLP pendamping sudah ditunjuk." in listed and staff.pjlp_user.name in listed
        assert (await client.get(assign_url)).status_code == 409


async def check_ready(api: Api) -> tuple[Staff, dict]:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    return staff, await to_pjlp_check(api, applicant_h, staff)


async def test_check_page_inline_edit_shows_what_changed(site: Site, api: Api) -> None:
    staff, case = await check_ready(api)
    check_url = f"/eorder/periksa/{case['id']}"
    fields = {k: v for k, v in as_form(eorder_profile()).items()}

    async with site.logged_in(site.user("pjlp", "dki")) as other:
        page = (await other.get(check_url)).text
        assert "Simpan koreksi" not in page and "Ayam Geprek Bu Indah" in page
        refused = await site.post_form(other, check_url, check_url, {"action": "confirm"})
        assert refused.status_code == 403
    async with site.logged_in(staff.pjlp_user) as client:
        bad = await site.post_form(client, check_url, check_url, {**fields, "action": "edit", "nik": "31710"})
        assert bad.status_code == 422 and 'id="e-nik">NIK harus 16 digit' in bad.text and 'value="31710"' in bad.text
        edited = await site.post_form(client, check_url, check_url,
                                      {**fields, "action": "edit", "business_name": "Ayam Geprek Indah"})
        assert edited.headers["location"] == f"{check_url}?pesan=koreksi"
        page = (await client.get(edited.headers["location"])).text
        assert "Koreksi data sudah disimpan." in page
        row = page[page.index('id="koreksi-tercatat"'):]
        assert "Nama usaha" in row and "Ayam Geprek Bu Indah" in row and "Ayam Geprek Indah" in row
        assert staff.pjlp_user.name in row
        confirmed = await site.post_form(client, check_url, check_url, {"action": "confirm"})
        assert confirmed.headers["location"] == f"/kasus/{case['id']}?pesan=keputusan"
        assert 'id="stage">Pengecekan Satpel' in (await client.get(f"/kasus/{case['id']}")).text
    async with site.logged_in(site.user("pjlp", "jatim")) as far:
        assert (await far.get(check_url)).status_code == 404


async def test_catalogue_page_shows_published_products_only(site: Site, api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    await register_vendor(api, applicant_h, staff)
    published = await start_product(api, applicant_h)
    await ok(await api.decide(applicant_h, published["id"], "draft", "confirm"))
    await ok(await api.decide(staff.pjlp, published["id"], "pjlp_verify", "process"))
    await ok(await api.decide(staff.satpel, published["id"], "satpel_publish", "process"))
    await start_product(api, applicant_h, name="Nasi kotak rendang")  # a draft: not shown

    async with site.browser() as visitor:
        page = (await visitor.get("/eorder/katalog")).text
        assert "Nasi kotak ayam geprek" in page and "Rp 25.000" in page and "Nasi kotak rendang" not in page
        assert "1 produk tayang" in page
        assert "0 produk tayang" in (await visitor.get("/eorder/katalog?kategori=alat_tulis_kantor")).text
        assert "1 produk tayang" in (await visitor.get("/eorder/katalog?q=GEPREK")).text
    async with site.logged_in(site.user("umkm")) as stranger:
        assert "Daftar sebagai penyedia" in (await stranger.get("/eorder")).text
        refused = await site.post_form(stranger, "/eorder", "/layanan/eorder-product/ajukan",
                                       as_form(eorder_product()))
        assert refused.status_code == 403 and "Hanya penyedia yang sudah Terdaftar" in refused.text

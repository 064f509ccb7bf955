"""The gallery-curation pages without a browser: the start form with files, the documents page,
the step forms on the case page through to the catalogue page and the printable price tag."""

import re

import httpx

from tests.utils.gallery import JPEG, PDF, PHP, PNG, gallery_form
from tests.web.conftest import Site, csrf_of

APPLY = "/layanan/gallery-curation/ajukan"


async def post_files(site: Site, client: httpx.AsyncClient, page: str, action: str, data: dict,
                     files: list) -> httpx.Response:
    token = csrf_of((await client.get(page)).text)
    return await client.post(action, data={"csrf": token, **data}, files=files)


def start_files(**replace: tuple[str, bytes]) -> list:
    files = {"ktp": ("ktp.pdf", PDF), "nib": ("nib.png", PNG), "pirt": ("pirt.jpg", JPEG), **replace}
    return [(kind, (name, content, "application/octet-stream")) for kind, (name, content) in files.items()]


def form_values() -> dict:
    return {k: str(v) for k, v in gallery_form().items()}


async def decide(site: Site, client: httpx.AsyncClient, case_url: str, step: str, action: str, **data) -> None:
    response = await site.post_form(client, case_url, f"{case_url}/keputusan", {"step": step, "action": action, **data})
    assert response.status_code == 303, response.text


async def test_start_form_with_documents_and_the_documents_page(site: Site) -> None:
    applicant, stranger = site.user("umkm"), site.user("umkm")
    async with site.logged_in(applicant) as client:
        form = await client.get(APPLY)
        assert 'enctype="multipart/form-data"' in form.text and "Sertifikat P-IRT (wajib)" in form.text

        refused = await post_files(site, client, APPLY, APPLY, form_values(), start_files(pirt=("pirt.pdf", PHP)))
        assert refused.status_code == 422
        assert 'id="e-pirt">Jenis berkas tidak diterima: unggah PDF, JPEG atau PNG' in refused.text
        assert 'value="Keripik Tempe Bu Sri"' in refused.text  # what was typed stays
        assert not site.settings.upload_dir.exists() or not any(site.settings.upload_dir.iterdir())

        started = await post_files(site, client, APPLY, APPLY, form_values(), start_files())
        assert started.status_code == 303, started.text
        case_url = started.headers["location"].split("?")[0]
        page = (await client.get(case_url)).text
        assert "KTP: ktp.pdf" in page and 'id="stage">Pemeriksaan Berkas' in page
        link = re.search(r'href="(/kasus/[^"]+/dokumen/\d+)" download>KTP', page).group(1)
        download = await client.get(link)
        assert download.content == PDF and download.headers["content-disposition"].startswith("attachment")

        bad = await post_files(site, client, f"{case_url}/dokumen", f"{case_url}/dokumen", {"kind": "halal"},
                               [("file", ("../halal.pdf", PDF, "application/pdf"))])
        assert bad.status_code == 422 and "Nama berkas tidak valid" in bad.text
        added = await post_files(site, client, f"{case_url}/dokumen", f"{case_url}/dokumen", {"kind": "halal"},
                                 [("file", ("halal.pdf", PDF, "application/pdf"))])
        assert added.status_code == 303
        assert "Sertifikat Halal" in (await client.get(f"{case_url}/dokumen")).text
    async with site.logged_in(stranger) as other:
        assert (await other.get(link)).status_code == 404
        assert (await other.get(f"{case_url}/dokumen")).status_code == 404


async def test_step_forms_to_the_catalogue_and_the_price_tag(site: Site) -> None:
    applicant, staff, expert = site.user("umkm"), site.user("staf_galeri", "jatim"), site.user("kurator", "jatim")
    async with site.logged_in(applicant) as client:
        started = await post_files(site, client, APPLY, APPLY, form_values(), start_files())
        case_url = started.headers["location"].split("?")[0]
    scores = {"packaging": "4", "label": "4", "taste_quality": "5", "price_competitiveness": "4", "legality": "5",
              "recommendation": "pass"}
    async with site.logged_in(staff) as officer, site.logged_in(expert) as curator:
        refused = await site.post_form(officer, case_url, f"{case_url}/keputusan",
                                       {"step": "check_documents", "action": "return", "reason": "NIB buram",
                                        "missing": "nib, skck"})
        assert refused.status_code == 422 and "Pilihan tidak dikenal" in refused.text
        await decide(site, officer, case_url, "check_documents", "accept")
        await decide(site, officer, case_url, "receive_sample", "receive", description="2 bungkus", quantity="2")
        page = (await officer.get(case_url)).text
        assert 'name="packaging"' in page and "Kurasi oleh staf galeri" in page
        await decide(site, officer, case_url, "curate_staff", "submit", **scores)
        await decide(site, curator, case_url, "curate_expert", "submit", **scores)
        await decide(site, officer, case_url, "display", "display", sku="ktbs-200", stock="12", price="15000")
        assert 'id="stage">Terdisplay di Galeri' in (await officer.get(case_url)).text

    async with site.browser() as visitor:
        catalogue = (await visitor.get("/galeri")).text
        assert "Keripik Tempe Original 200 g" in catalogue and "Rp 15.000" in catalogue
        tag_url = re.search(r'href="(/galeri/produk/\d+/label)"', catalogue).group(1)
        tag = await visitor.get(tag_url)
        assert tag.status_code == 200 and "Rp 15.000" in tag.text and "Keripik Tempe Original 200 g" in tag.text
        assert "<svg" in tag.text and "<?xml" not in tag.text and "KTBS-200" in tag.text
        assert (await visitor.get("/galeri/produk/999999/label")).status_code == 404

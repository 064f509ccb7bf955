"""consultation's own start pages: an account applies with the respondent's fields and both documents; an
officer registers a dispute for someone who came in person; mistakes come back as messages by their field."""

import httpx
from sqlmodel import Session

from core.models import Case
from tests.utils.gallery import JPEG, PDF
from tests.web.conftest import Site, csrf_of

APPLY = "/layanan/consultation/ajukan"
REGISTER = "/layanan/consultation/daftarkan"
FILES = [("surat_permohonan", ("surat.pdf", PDF, "application/pdf")), ("ktp", ("ktp.jpg", JPEG, "image/jpeg"))]
OWN = {"kind": "pengaduan", "business_name": "Batik Tulis Bu Ning", "district": "jogoroto",
       "business_address": "Desa Sumbermulyo, Jogoroto", "micro_business": "ya",
       "matter": "Pembeli grosir tidak membayar 40 lembar batik yang sudah dikirim."}
RESPONDENT = {"respondent.name": "Toko Sinar Jaya", "respondent.address": "Pasar Legi, Jombang",
              "respondent.phone": "0812-3333-4444", "respondent.email": ""}


async def post_files(client: httpx.AsyncClient, page: str, data: dict, files: list) -> httpx.Response:
    token = csrf_of((await client.get(page)).text)
    return await client.post(page, data={"csrf": token, **data}, files=files)


def case_data(site: Site, location: str) -> dict:
    case_id = location.split("/")[2].split("?")[0]
    with Session(site.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.data


async def test_an_account_applies_with_the_respondent_and_the_documents(site: Site) -> None:
    applicant = site.user("umkm")
    async with site.logged_in(applicant) as client:
        page = (await client.get(APPLY)).text
        for name in ("kind", "district", "respondent.name", "respondent.phone", "surat_permohonan", "ktp"):
            assert f'name="{name}"' in page, name
        assert 'enctype="multipart/form-data"' in page and "Nama termohon" in page

        refused = await post_files(client, APPLY, OWN, [])
        assert refused.status_code == 422
        assert 'id="e-respondent.name">Wajib diisi untuk pengaduan' in refused.text
        assert 'id="e-ktp">' in refused.text and 'value="Batik Tulis Bu Ning"' in refused.text  # kept as typed

        bad_phone = await post_files(client, APPLY, {**OWN, **RESPONDENT, "respondent.phone": "tidak ada"}, FILES)
        assert bad_phone.status_code == 422 and 'id="e-respondent.phone">Nomor telepon tidak valid' in bad_phone.text

        started = await post_files(client, APPLY, {**OWN, **RESPONDENT}, FILES)
        assert started.status_code == 303, started.text
    data = case_data(site, started.headers["location"])
    assert data["respondent"] == {"name": "Toko Sinar Jaya", "address": "Pasar Legi, Jombang",
                                  "phone": "6281233334444", "email": None}
    assert data["kind"] == "pengaduan" and data["micro_business"] is True


async def test_an_officer_registers_a_dispute_for_someone_who_came_in_person(site: Site) -> None:
    officer = site.user("petugas", "jombang")
    person = {"on_behalf.name": "Bu Ning", "on_behalf.phone": "081255556666", "on_behalf.email": "",
              "on_behalf.address": "Desa Sumbermulyo, Jogoroto", "on_behalf.nik": "", "channel": "langsung",
              "lapor_number": ""}
    async with site.logged_in(officer) as client:
        page = (await client.get(REGISTER)).text
        assert 'name="respondent.address"' in page and 'name="on_behalf.name"' in page and 'name="ktp"' in page
        registered = await post_files(client, REGISTER, {**person, **OWN, **RESPONDENT}, FILES)
        assert registered.status_code == 303, registered.text
        assert registered.headers["location"].endswith("/tanda-terima")
        receipt = await client.get(registered.headers["location"])
        assert receipt.status_code == 200 and "Bu Ning" in receipt.text and "5 hari kerja" in receipt.text
    data = case_data(site, registered.headers["location"])
    assert data["respondent"]["name"] == "Toko Sinar Jaya" and data["on_behalf"]["name"] == "Bu Ning"
    assert data["channel"] == "langsung"
    async with site.logged_in(site.user("umkm")) as applicant:
        assert (await applicant.get(REGISTER)).status_code == 403

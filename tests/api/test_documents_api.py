"""Document uploads and downloads over HTTP: content sniffing, size limit, names that look like
paths, who may download; a refused upload leaves nothing on disk and nothing in the database."""

import hashlib
from pathlib import Path

from sqlmodel import func, select

from core.db import session_scope
from core.models_gallery import Document
from tests.api.conftest import Api
from tests.utils.factories import jathil_vendor_form
from tests.utils.gallery import PDF, PHP, multipart_start

START = "/api/v1/sops/gallery-curation/cases"
MB = 1024 * 1024


def stored_files(upload_dir: Path) -> list[str]:
    return sorted(p.name for p in upload_dir.iterdir()) if upload_dir.exists() else []


def document_rows(api: Api) -> int:
    with session_scope(api.engine) as session:
        return session.exec(select(func.count()).select_from(Document)).one()


async def new_case(api: Api) -> tuple[dict, dict]:
    _, applicant_h = await api.user("umkm")
    response = await api.http.post(START, headers=applicant_h, **multipart_start())
    assert response.status_code == 201, response.text
    return response.json(), applicant_h


async def upload(api: Api, headers: dict, case_id: str, filename: str, content: bytes, kind: str = "other"):
    return await api.http.post(f"/api/v1/cases/{case_id}/documents", headers=headers, data={"kind": kind},
                               files={"file": (filename, content, "application/pdf")})


async def test_refused_uploads_store_nothing(api: Api) -> None:
    case, applicant_h = await new_case(api)
    before_files, before_rows = stored_files(api.settings.upload_dir), document_rows(api)
    assert len(before_files) == 3 == before_rows

    refusals = {
        "php renamed .pdf": (await upload(api, applicant_h, case["id"], "izin.pdf", PHP),
                             "Jenis berkas tidak diterima: unggah PDF, JPEG atau PNG"),
        "over 5 MB": (await upload(api, applicant_h, case["id"], "besar.pdf", PDF + b"0" * (5 * MB)),
                      "Berkas terlalu besar (maksimal 5 MB)"),
        "far over 5 MB": (await upload(api, applicant_h, case["id"], "besar.pdf", PDF + b"0" * (6 * MB)),
                          "Berkas terlalu besar (maksimal 5 MB)"),
        "path traversal": (await upload(api, applicant_h, case["id"], "../../etc/passwd.pdf", PDF),
                           "Nama berkas tidak valid: gunakan nama tanpa folder atau karakter khusus"),
        "windows path": (await upload(api, applicant_h, case["id"], "..\\..\\win.ini.pdf", PDF),
                         "Nama berkas tidak valid: gunakan nama tanpa folder atau karakter khusus"),
        "empty": (await upload(api, applicant_h, case["id"], "kosong.pdf", b""), "Berkas kosong"),
    }
    for name, (response, message) in refusals.items():
        assert response.status_code == 422, name
        assert response.json()["detail"] == [{"loc": ["body", "file"], "msg": message, "type": "document"}], name
    unknown_kind = await upload(api, applicant_h, case["id"], "ok.pdf", PDF, kind="skck")
    assert unknown_kind.status_code == 422 and unknown_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    no_file = await api.http.post(f"/api/v1/cases/{case['id']}/documents", headers=applicant_h, data={"kind": "ktp"})
    assert no_file.json()["detail"] == [{"loc": ["body", "file"], "msg": "Wajib diisi", "type": "missing"}]

    assert stored_files(api.settings.upload_dir) == before_files and document_rows(api) == before_rows


async def test_stored_under_a_random_name_with_its_digest(api: Api) -> None:
    case, applicant_h = await new_case(api)
    content = PDF + b"% surat keterangan"
    response = await upload(api, applicant_h, case["id"], "Surat Keterangan Usaha.pdf", content)
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["filename"] == "Surat Keterangan Usaha.pdf" and document["content_type"] == "application/pdf"
    assert document["sha256"] == hashlib.sha256(content).hexdigest() and document["size"] == len(content)
    with session_scope(api.engine) as session:
        row = session.get(Document, document["id"])
    assert row.stored_name != document["filename"] and len(row.stored_name) == 36 and row.stored_name.endswith(".pdf")
    assert (api.settings.upload_dir / row.stored_name).read_bytes() == content


async def test_download_only_by_participants_as_attachment(api: Api) -> None:
    case, applicant_h = await new_case(api)
    _, stranger_h = await api.user("umkm")
    _, staff_h = await api.user("staf_galeri", "jatim")
    _, other_agency_h = await api.user("staf_galeri", "ponorogo")
    ktp = next(d for d in case["documents"] if d["kind"] == "ktp")

    for headers in (applicant_h, staff_h):
        response = await api.http.get(ktp["url"], headers=headers)
        assert response.status_code == 200 and response.content == PDF
        assert response.headers["content-disposition"] == 'attachment; filename="ktp.pdf"'
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["x-content-type-options"] == "nosniff"
    for headers in (stranger_h, other_agency_h):
        assert (await api.http.get(ktp["url"], headers=headers)).status_code == 404
        assert (await api.http.get(f"/api/v1/cases/{case['id']}/documents", headers=headers)).status_code == 404
        assert (await upload(api, headers, case["id"], "x.pdf", PDF)).status_code == 404
    assert (await api.http.get(ktp["url"])).status_code == 401

    other_case, other_h = await new_case(api)
    foreign = f"/api/v1/cases/{other_case['id']}/documents/{ktp['id']}"  # a document id of another case
    assert (await api.http.get(foreign, headers=other_h)).status_code == 404
    listed = (await api.http.get(f"/api/v1/cases/{case['id']}/documents", headers=staff_h)).json()
    assert [d["kind"] for d in listed] == ["ktp", "nib", "pirt"]


async def test_start_with_a_disguised_file_stores_nothing(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    response = await api.http.post(START, headers=applicant_h, **multipart_start(ktp=("ktp.pdf", PHP)))
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "ktp"], "type": "document",
                                          "msg": "Jenis berkas tidak diterima: unggah PDF, JPEG atau PNG"}]
    assert stored_files(api.settings.upload_dir) == [] and document_rows(api) == 0
    assert (await api.http.get("/api/v1/cases", headers=applicant_h)).json()["total"] == 0


async def test_upload_to_a_closed_case_is_409(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, vendor_staff = await api.user("admin_bidang", "ponorogo")
    _, main_admin = await api.user("admin_utama", "ponorogo")
    case = (await api.http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(),
                                headers=applicant_h)).json()
    # jathil-vendor takes no documents: the kind is unknown for that SOP.
    refused = await upload(api, applicant_h, case["id"], "ktp.pdf", PDF, kind="ktp")
    assert refused.status_code == 422 and refused.json()["detail"][0]["msg"] == "Jenis dokumen tidak dikenal; pilihan: -"
    await api.decide(vendor_staff, case["id"], "verify", "forward")
    await api.decide(main_admin, case["id"], "approve", "reject", reason="Bukan UMKM Ponorogo")
    assert (await upload(api, applicant_h, case["id"], "ktp.pdf", PDF, kind="ktp")).status_code == 409
    assert stored_files(api.settings.upload_dir) == []

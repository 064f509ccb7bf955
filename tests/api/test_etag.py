"""Cheap polling: weak ETags on GET /api/v1/cases/{id} and GET /api/v1/cases, 304 on If-None-Match,
a new tag after every change, and never a 304 for a view the asker may not see."""

from tests.api.conftest import Api
from tests.utils.factories import jathil_vendor_form
from tests.utils.gallery import PDF, multipart_start

START = "/api/v1/sops/jathil-vendor/cases"


async def start(api: Api, headers: dict) -> dict:
    response = await api.http.post(START, json=jathil_vendor_form(), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def get(api: Api, path: str, headers: dict, etag: str | None = None):  # type: ignore[no-untyped-def]
    return await api.http.get(path, headers={**headers, **({"If-None-Match": etag} if etag else {})})


async def test_case_view_answers_304_until_it_changes(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    case = await start(api, applicant_h)
    path = f"/api/v1/cases/{case['id']}"

    first = await get(api, path, applicant_h)
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('W/"') and first.json()["stage"] == "Verifikasi"
    assert "no-cache" in first.headers["cache-control"] and "private" in first.headers["cache-control"]

    again = await get(api, path, applicant_h, etag)
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (await get(api, path, applicant_h, etag.removeprefix("W/"))).status_code == 304  # weak comparison
    assert (await get(api, path, applicant_h, f'W/"other", {etag}')).status_code == 304  # one of a list
    assert (await get(api, path, applicant_h, 'W/"other"')).status_code == 200

    decided = await api.decide(field_h, case["id"], "verify", "forward")
    assert decided.status_code == 200, decided.text
    changed = await get(api, path, applicant_h, etag)
    assert changed.status_code == 200 and changed.json()["stage"] == "Persetujuan"
    assert changed.headers["etag"] != etag
    assert (await get(api, path, applicant_h, changed.headers["etag"])).status_code == 304


async def test_a_tag_never_opens_a_view_the_asker_may_not_see(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, stranger_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, other_agency_h = await api.user("admin_bidang", "jatim")
    case = await start(api, applicant_h)
    path = f"/api/v1/cases/{case['id']}"
    applicant_tag = (await get(api, path, applicant_h)).headers["etag"]
    staff_tag = (await get(api, path, field_h)).headers["etag"]

    assert (await get(api, path, stranger_h, applicant_tag)).status_code == 404
    assert (await get(api, path, other_agency_h, staff_tag)).status_code == 404
    assert (await get(api, path, stranger_h, "*")).status_code == 404
    assert (await api.http.get(path, headers={"If-None-Match": staff_tag})).status_code == 401
    # The staff view is not the applicant's: neither tag answers for the other.
    assert applicant_tag != staff_tag
    assert (await get(api, path, field_h, applicant_tag)).status_code == 200
    assert (await get(api, path, applicant_h, staff_tag)).status_code == 200
    assert (await get(api, "/api/v1/cases/jathil-vendor-1999-000001", applicant_h, "*")).status_code == 404


async def test_case_list_answers_304_until_its_rows_change(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, colleague_h = await api.user("admin_bidang", "ponorogo")
    case = await start(api, applicant_h)

    listed = await get(api, "/api/v1/cases", field_h)
    etag = listed.headers["etag"]
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["items"]] == [case["id"]]
    assert (await get(api, "/api/v1/cases", field_h, etag)).status_code == 304
    # Another filter, page or viewer is another list.
    assert (await get(api, "/api/v1/cases?status=open", field_h, etag)).status_code == 200
    assert (await get(api, "/api/v1/cases?page=2", field_h, etag)).status_code == 200
    assert (await get(api, "/api/v1/cases", colleague_h, etag)).status_code == 200
    assert (await get(api, "/api/v1/cases", applicant_h, etag)).status_code == 200

    assert (await api.decide(field_h, case["id"], "verify", "forward")).status_code == 200
    moved = await get(api, "/api/v1/cases", field_h, etag)
    assert moved.status_code == 200 and moved.json()["items"][0]["stage"] == "Persetujuan"
    second = await start(api, (await api.user("umkm"))[1])
    grown = await get(api, "/api/v1/cases", field_h, moved.headers["etag"])
    assert grown.status_code == 200 and grown.json()["total"] == 2 and grown.json()["items"][0]["id"] == second["id"]


async def test_a_case_with_documents_keeps_its_tag_across_both_ways_of_computing_it(api: Api) -> None:
    """Without If-None-Match the tag comes from the built view, with it from counts: the same tag."""
    _, applicant_h = await api.user("umkm")
    _, staff_h = await api.user("staf_galeri", "jatim")
    started = await api.http.post("/api/v1/sops/gallery-curation/cases", headers=applicant_h, **multipart_start())
    assert started.status_code == 201, started.text
    case = started.json()
    assert case["documents"]
    path = f"/api/v1/cases/{case['id']}"
    tags = {}
    for who, headers in (("applicant", applicant_h), ("staff", staff_h)):
        tags[who] = (await get(api, path, headers)).headers["etag"]
        assert (await get(api, path, headers, tags[who])).status_code == 304
    uploaded = await api.http.post(f"{path}/documents", headers=applicant_h, data={"kind": "other"},
                                   files={"file": ("tambahan.pdf", PDF, "application/pdf")})
    assert uploaded.status_code in (200, 201), uploaded.text
    for who, headers in (("applicant", applicant_h), ("staff", staff_h)):
        assert (await get(api, path, headers, tags[who])).status_code == 200

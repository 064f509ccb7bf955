"""A registration waits for ITS SKPD Pembina: the Satpel and PJLP of another SKPD neither see nor act on
it, nor on its products (404, absent from inboxes, case lists and the PKT / Non-PKT queues)."""

from sqlmodel import Session

from api.pages.eorder import registrations
from core.models import Case, User
from core.models_eorder import add_skpd
from tests.api.conftest import Api
from tests.utils.eorder import dki_staff, ok, register_vendor, start_product, start_vendor
from tests.utils.factories import eorder_profile, make_user

OTHER_SKPD = "270100"


async def inbox(api: Api, headers: dict[str, str], **params: str) -> list[str]:
    response = await api.http.get("/api/v1/tasks", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [t["case_id"] for t in response.json()]


async def listed(api: Api, headers: dict[str, str]) -> list[str]:
    return [c["id"] for c in (await api.http.get("/api/v1/cases", headers=headers)).json()["items"]]


def queue(api: Api, user: User, name: str) -> list[str]:
    with Session(api.engine) as session:
        return [case.id for case, _ in registrations(session, user, name)]


async def test_a_satpel_of_another_skpd_neither_sees_nor_acts(api: Api) -> None:
    add_skpd(api.engine, code=OTHER_SKPD, name="Dinas PPKUKM Provinsi DKI Jakarta", agency="dki")
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)  # SKPD 141732
    far_satpel = make_user(api.engine, "satpel", "dki", unit=OTHER_SKPD)
    far_pjlp = make_user(api.engine, "pjlp", "dki", unit=OTHER_SKPD)
    far_satpel_h, far_pjlp_h = await api.login(far_satpel), await api.login(far_pjlp)
    whole_agency, whole_agency_h = await api.user("satpel", "dki")  # no SKPD: the agency's view

    case = await start_vendor(api, applicant_h, pkt=True)
    await ok(await api.decide(applicant_h, case["id"], "fill_profile", "confirm", data=eorder_profile()))
    with Session(api.engine) as session:
        assert session.get(Case, case["id"]).unit == "141732"

    url = f"/api/v1/cases/{case['id']}"
    assert (await api.http.get(url, headers=far_satpel_h)).status_code == 404
    assert await inbox(api, far_satpel_h) == [] and await inbox(api, far_satpel_h, queue="PKT") == []
    assert await listed(api, far_satpel_h) == []
    assert queue(api, far_satpel, "PKT") == []
    refused = await api.decide(far_satpel_h, case["id"], "assign_pjlp", "assign", data={"pjlp": staff.pjlp_user.id})
    assert refused.status_code == 404

    assert await inbox(api, staff.satpel, queue="PKT") == [case["id"]]
    assert await listed(api, staff.satpel) == [case["id"]]
    assert (await api.http.get(url, headers=staff.satpel)).status_code == 200
    assert await inbox(api, whole_agency_h, queue="PKT") == [case["id"]] and queue(api, whole_agency, "PKT")

    # Only a PJLP of the registration's SKPD (or of none) may be assigned.
    far = await api.decide(staff.satpel, case["id"], "assign_pjlp", "assign", data={"pjlp": far_pjlp.email})
    assert far.status_code == 422 and far.json()["detail"][0]["loc"] == ["body", "data", "pjlp"]
    await ok(await api.decide(staff.satpel, case["id"], "assign_pjlp", "assign", data={"pjlp": staff.pjlp_user.id}))
    assert (await api.http.get(url, headers=far_pjlp_h)).status_code == 404
    assert await inbox(api, far_pjlp_h) == []


async def test_products_belong_to_the_supplier_skpd(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    far_satpel = make_user(api.engine, "satpel", "dki", unit=OTHER_SKPD)  # a code need not be listed here
    far_satpel_h = await api.login(far_satpel)
    await register_vendor(api, applicant_h, staff)

    product = await start_product(api, applicant_h)
    assert product["data"]["skpd"] == "141732"
    await ok(await api.decide(applicant_h, product["id"], "draft", "confirm"))
    await ok(await api.decide(staff.pjlp, product["id"], "pjlp_verify", "process"))

    assert (await api.http.get(f"/api/v1/cases/{product['id']}", headers=far_satpel_h)).status_code == 404
    assert await inbox(api, far_satpel_h) == [] and await listed(api, far_satpel_h) == []
    assert (await api.decide(far_satpel_h, product["id"], "satpel_publish", "process")).status_code == 404
    assert await inbox(api, staff.satpel) == [product["id"]]
    published = await ok(await api.decide(staff.satpel, product["id"], "satpel_publish", "process"))
    assert published["status"] == "completed"

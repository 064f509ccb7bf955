"""eorder-product and the public e-order catalogue through the HTTP API, with a real worker."""

from activities.mailsink import MailSink
from tests.api.conftest import Api
from tests.utils.eorder import (
    CATALOGUE, PRODUCT, dki_staff, ok, register_vendor, start_product, to_pjlp_check,
)
from tests.utils.factories import eorder_product
from tests.utils.histories import maybe_save_history
from tests.utils.waiting import eventually


def steps(case: dict) -> list[str]:
    return [s["step"] for s in case["open_steps"]]


async def test_reject_fix_confirm_then_publish(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    _, other_pjlp_h = await api.user("pjlp", "dki")
    await register_vendor(api, applicant_h, staff)

    product = await start_product(api, applicant_h)
    assert (product["stage"], steps(product), product["agency"]) == ("Draft", ["draft"], "dki")
    assert product["data"]["supplier"] == "Ayam Geprek Bu Indah" and product["title"] == "Nasi kotak ayam geprek"
    saved = await ok(await api.decide(applicant_h, product["id"], "draft", "save", data={"price": 24000}))
    assert saved["stage"] == "Draft" and saved["data"]["price"] == 24000
    submitted = await ok(await api.decide(applicant_h, product["id"], "draft", "confirm"))
    assert submitted["stage"] == "Pengajuan"
    assert submitted["open_steps"][0]["assignee"]["id"] == staff.pjlp_user.id  # the registration's PJLP

    assert (await api.decide(other_pjlp_h, product["id"], "pjlp_verify", "process")).status_code == 403
    assert (await api.decide(staff.pjlp, product["id"], "pjlp_verify", "reject")).status_code == 422
    rejected = await ok(await api.decide(staff.pjlp, product["id"], "pjlp_verify", "reject",
                                         reason="Foto dan deskripsi kemasan belum sesuai"))
    assert (rejected["stage"], steps(rejected)) == ("Draft", ["draft"])
    await eventually(lambda: [m for m in mail_sink.messages()
                              if applicant.email in m["to"] and "perlu diperbaiki" in m["subject"]])

    await ok(await api.decide(applicant_h, product["id"], "draft", "save",
                              data={"description": "Nasi, ayam geprek, lalapan; kotak kertas food grade."}))
    await ok(await api.decide(applicant_h, product["id"], "draft", "confirm", data={"min_order": 10}))
    edited = await ok(await api.decide(staff.pjlp, product["id"], "pjlp_verify", "edit", data={"unit": "box"}))
    assert edited["history"][-1]["data"]["changes"] == [{"field": "unit", "label": "Satuan", "old": "kotak",
                                                         "new": "box"}]
    processed = await ok(await api.decide(staff.pjlp, product["id"], "pjlp_verify", "process"))
    assert processed["stage"] == "Penayangan"
    assert not (await api.http.get(CATALOGUE)).json()["items"]

    published = await ok(await api.decide(staff.satpel, product["id"], "satpel_publish", "process"))
    assert (published["status"], published["stage"]) == ("completed", "Tayang")
    assert [(h["step"], h["action"]) for h in published["history"]] == [
        ("submit", "submitted"), ("draft", "save"), ("draft", "confirm"), ("pjlp_verify", "reject"),
        ("draft", "save"), ("draft", "confirm"), ("pjlp_verify", "edit"), ("pjlp_verify", "process"),
        ("satpel_publish", "process"),
    ]
    listed = (await api.http.get(CATALOGUE)).json()["items"]
    assert [(p["id"], p["unit"], p["min_order"], p["price"], p["supplier"]) for p in listed] == [
        (product["id"], "box", 10, 24000, "Ayam Geprek Bu Indah")]
    assert "pjlp" not in listed[0] and "nik" not in str(listed[0])
    await eventually(lambda: [m for m in mail_sink.messages() if applicant.email in m["to"] and "tayang" in m["subject"]])
    await maybe_save_history(api.temporal, product["id"], "eorder-product-published")


async def test_catalogue_lists_published_products_only_by_category_and_name(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    await register_vendor(api, applicant_h, staff)

    async def publish(**product) -> str:
        case = await start_product(api, applicant_h, **product)
        await ok(await api.decide(applicant_h, case["id"], "draft", "confirm"))
        await ok(await api.decide(staff.pjlp, case["id"], "pjlp_verify", "process"))
        await ok(await api.decide(staff.satpel, case["id"], "satpel_publish", "process"))
        return case["id"]

    boxed = await publish()
    pens = await publish(name="Pulpen gel 0,5 mm", category="alat_tulis_kantor", unit="lusin", price=36000)
    draft = await start_product(api, applicant_h, name="Nasi kotak rendang")
    waiting = await start_product(api, applicant_h, name="Nasi kotak ayam bakar")
    await ok(await api.decide(applicant_h, waiting["id"], "draft", "confirm"))

    def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    everything = ids(await api.http.get(CATALOGUE))
    assert sorted(everything) == sorted([boxed, pens]) and draft["id"] not in everything
    assert ids(await api.http.get(CATALOGUE, params={"category": "alat_tulis_kantor"})) == [pens]
    assert ids(await api.http.get(CATALOGUE, params={"q": "NASI KOTAK"})) == [boxed]
    assert ids(await api.http.get(CATALOGUE, params={"q": "100%"})) == []
    page = (await api.http.get(CATALOGUE, params={"per_page": 1, "page": 2})).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    unknown = await api.http.get(CATALOGUE, params={"category": "senjata"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "category"]
    assert unknown.json()["detail"][0]["msg"].startswith("Pilihan tidak dikenal")


async def test_only_a_registered_supplier_may_start_a_product(api: Api) -> None:
    _, newcomer_h = await api.user("umkm")
    _, buyer_h = await api.user("pembeli")
    _, pending_h = await api.user("umkm")
    staff = await dki_staff(api)
    await to_pjlp_check(api, pending_h, staff)

    assert (await api.http.post(PRODUCT, json=eorder_product(), headers=newcomer_h)).status_code == 403
    assert (await api.http.post(PRODUCT, json=eorder_product(), headers=pending_h)).status_code == 403
    assert (await api.http.post(PRODUCT, json=eorder_product(), headers=buyer_h)).status_code == 403
    assert (await api.http.post(PRODUCT, json=eorder_product(), headers=staff.satpel)).status_code == 403
    assert (await api.http.get("/api/v1/cases", params={"sop": "eorder-product"},
                               headers=staff.satpel)).json()["total"] == 0


async def test_bad_product_is_422_per_field_and_changes_nothing(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    await register_vendor(api, applicant_h, staff)
    bad = await api.http.post(PRODUCT, json=eorder_product(price=12.5, min_order=0, tkdn=120, name=" "),
                              headers=applicant_h)
    assert bad.status_code == 422
    assert {e["loc"][-1]: e["msg"] for e in bad.json()["detail"]} == {
        "name": "Wajib diisi", "price": "Harus bilangan bulat", "min_order": "Minimal 1", "tkdn": "Maksimal 100",
    }
    case = await start_product(api, applicant_h)
    refused = await api.decide(applicant_h, case["id"], "draft", "save", data={"price": 0, "category": "x"})
    assert refused.status_code == 422
    assert {tuple(e["loc"]) for e in refused.json()["detail"]} == {("body", "data", "price"),
                                                                  ("body", "data", "category")}
    view = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=applicant_h)).json()
    assert view["data"]["price"] == 25000 and [h["action"] for h in view["history"]] == ["submitted"]


async def test_another_umkm_cannot_see_or_touch_a_product(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, stranger_h = await api.user("umkm")
    staff = await dki_staff(api)
    await register_vendor(api, applicant_h, staff)
    case = await start_product(api, applicant_h)
    assert (await api.http.get(f"/api/v1/cases/{case['id']}", headers=stranger_h)).status_code == 404
    assert (await api.decide(stranger_h, case["id"], "draft", "confirm")).status_code == 404
    assert (await api.decide(staff.pjlp, case["id"], "draft", "confirm")).status_code == 403
    assert (await api.decide(staff.pjlp, case["id"], "pjlp_verify", "process")).status_code == 409

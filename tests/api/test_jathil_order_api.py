"""jathil-order through the HTTP API with a real worker: COD and transfer, refusals, complaints, stock and
the ledger (which must balance after every test)."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session

from core.ledger import totals
from tests.api.conftest import Api
from tests.utils.histories import maybe_save_history
from tests.utils.jathil import add_product, approve_seller, order_form, png, stock_of
from tests.utils.jathil_order import assert_ledger_balanced

START = "/api/v1/sops/jathil-order/cases"


@pytest.fixture
async def shop(api: Api) -> AsyncIterator[dict]:
    """A seller with one product (stock 5), a buyer, the verifier and the main administrator; afterwards
    the ledger must balance and no escrow be negative."""
    seller, seller_h = await api.user("umkm")
    approve_seller(api.engine, seller)
    buyer, buyer_h = await api.user("pembeli")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    yield {"product": add_product(api.engine, seller, price=15000, stock=5), "seller": seller, "seller_h": seller_h,
           "buyer": buyer, "buyer_h": buyer_h, "field_h": field_h, "main_h": main_h}
    assert_ledger_balanced(api.engine)


async def order(api: Api, shop: dict, **form) -> dict:
    response = await api.http.post(START, json=order_form(shop["product"], **form), headers=shop["buyer_h"])
    assert response.status_code == 201, response.text
    return response.json()


async def ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return response.json()


async def test_cod_order_from_verification_to_cash(api: Api, shop: dict) -> None:
    case = await order(api, shop, qty=2)
    data = case["data"]
    assert (data["subtotal"], data["shipping_fee"], data["total"]) == (30000, 10000, 40000)
    assert data["destination"] == "ponorogo" and stock_of(api.engine, shop["product"]) == 3
    assert [s["step"] for s in case["open_steps"]] == ["verify"]

    await ok(await api.decide(shop["field_h"], case["id"], "verify", "valid"))
    inbox = (await api.http.get("/api/v1/tasks", headers=shop["seller_h"])).json()
    assert [(t["case_id"], t["step"]) for t in inbox] == [(case["id"], "ship")]  # the seller's inbox
    shipped = await ok(await api.decide(shop["seller_h"], case["id"], "ship", "ship",
                                        data={"courier": "JNE", "tracking_number": "JNE123456"}))
    assert shipped["service_due_at"]  # the 3-day delivery standard runs from the valid verification
    await ok(await api.decide(shop["buyer_h"], case["id"], "receive", "received"))
    done = await ok(await api.decide(shop["seller_h"], case["id"], "cod_paid", "cod_paid"))
    assert done["status"] == "completed" and done["service_due_at"] is None
    ledger = (await api.http.get(f"/api/v1/jathil/ledger?case_id={case['id']}", headers=shop["main_h"])).json()
    assert ledger["totals"] == {"cod_buyer": -40000, "cod_seller": 40000}
    await maybe_save_history(api.temporal, case["id"], "jathil-order-cod")


async def test_transfer_order_pays_out_through_escrow(api: Api, shop: dict) -> None:
    case = await order(api, shop, payment="transfer")
    refused = await api.decide(shop["buyer_h"], case["id"], "pay", "paid")
    assert refused.status_code == 422  # no proof yet
    proof = await api.http.post(f"/api/v1/cases/{case['id']}/documents", headers=shop["buyer_h"],
                                data={"kind": "bukti_transfer"}, files={"file": ("bukti.png", png(), "image/png")})
    assert proof.status_code == 201, proof.text
    await ok(await api.decide(shop["buyer_h"], case["id"], "pay", "paid"))
    await ok(await api.decide(shop["field_h"], case["id"], "verify", "valid"))
    await ok(await api.decide(shop["seller_h"], case["id"], "ship", "ship",
                              data={"courier": "POS", "tracking_number": "POS998877"}))
    await ok(await api.decide(shop["buyer_h"], case["id"], "receive", "received"))
    missing_reference = await api.decide(shop["main_h"], case["id"], "release", "release")
    assert missing_reference.status_code == 422
    done = await ok(await api.decide(shop["main_h"], case["id"], "release", "release",
                                     data={"bank_reference": "BRI-20261126-01"}))
    assert done["status"] == "completed" and done["stage"] == "Dana diteruskan ke penjual"
    ledger = (await api.http.get(f"/api/v1/jathil/ledger?case_id={case['id']}", headers=shop["main_h"])).json()
    assert ledger["totals"] == {"bank": -40000, "escrow": 0, "seller_payable": 40000}
    await maybe_save_history(api.temporal, case["id"], "jathil-order-transfer")
    csv = await api.http.get("/api/v1/jathil/ledger?format=csv", headers=shop["main_h"])
    assert csv.headers["content-type"].startswith("text/csv") and f"{case['id']}/release:dr" in csv.text
    assert (await api.http.get("/api/v1/jathil/ledger", headers=shop["field_h"])).status_code == 403


async def test_invalid_transaction_and_seller_unable_restore_the_stock(api: Api, shop: dict) -> None:
    first = await order(api, shop, qty=3)
    await ok(await api.decide(shop["field_h"], first["id"], "verify", "invalid", reason="Alamat fiktif"))
    second = await order(api, shop, qty=4)
    await ok(await api.decide(shop["field_h"], second["id"], "verify", "valid"))
    other_seller, other_h = await api.user("umkm")
    approve_seller(api.engine, other_seller)
    assert (await api.decide(other_h, second["id"], "ship", "cannot_fulfil", reason="x")).status_code == 404
    cancelled = await ok(await api.decide(shop["seller_h"], second["id"], "ship", "cannot_fulfil",
                                          reason="Bahan baku habis"))
    assert cancelled["status"] == "cancelled"
    assert stock_of(api.engine, shop["product"]) == 5  # both reservations given back, once each
    await maybe_save_history(api.temporal, first["id"], "jathil-order-invalid")
    await maybe_save_history(api.temporal, second["id"], "jathil-order-unfulfilled")


async def test_complaints_end_in_refund_or_release(api: Api, shop: dict) -> None:
    outcomes = {}
    for verdict in ("refund", "release"):
        case = await order(api, shop, qty=1, payment="transfer")
        await api.http.post(f"/api/v1/cases/{case['id']}/documents", headers=shop["buyer_h"],
                            data={"kind": "bukti_transfer"}, files={"file": ("bukti.png", png(), "image/png")})
        await ok(await api.decide(shop["buyer_h"], case["id"], "pay", "paid"))
        await ok(await api.decide(shop["field_h"], case["id"], "verify", "valid"))
        await ok(await api.decide(shop["seller_h"], case["id"], "ship", "ship",
                                  data={"courier": "JNE", "tracking_number": "JNE000111"}))
        await ok(await api.decide(shop["buyer_h"], case["id"], "receive", "complain", reason="Kemasan rusak"))
        outcomes[verdict] = await ok(await api.decide(shop["main_h"], case["id"], "resolve", verdict,
                                                      reason="Sesuai foto"))
        await maybe_save_history(api.temporal, case["id"], f"jathil-order-complaint-{verdict}")
    assert (outcomes["refund"]["status"], outcomes["refund"]["stage"]) == ("cancelled", "Dana dikembalikan")
    assert outcomes["release"]["status"] == "completed"
    with Session(api.engine) as session:
        assert totals(session, outcomes["refund"]["id"])["buyer_refund_due"] == 25000
        assert totals(session, outcomes["release"]["id"])["seller_payable"] == 25000


async def test_refusals_before_anything_is_reserved(api: Api, shop: dict) -> None:
    sent_amount = await api.http.post(START, json=order_form(shop["product"], total=1), headers=shop["buyer_h"])
    assert sent_amount.status_code == 422 and sent_amount.json()["detail"][0]["loc"] == ["body", "total"]
    too_many = await api.http.post(START, json=order_form(shop["product"], qty=6), headers=shop["buyer_h"])
    assert too_many.status_code == 409 and too_many.json()["detail"] == "Stok tidak cukup"
    other_seller, _ = await api.user("umkm")
    approve_seller(api.engine, other_seller)
    elsewhere = add_product(api.engine, other_seller)
    mixed = order_form(shop["product"])
    mixed["items"].append({"product_id": elsewhere, "qty": 1})
    assert (await api.http.post(START, json=mixed, headers=shop["buyer_h"])).status_code == 422
    as_seller = await api.http.post(START, json=order_form(shop["product"]), headers=shop["seller_h"])
    assert as_seller.status_code == 403
    assert stock_of(api.engine, shop["product"]) == 5


async def test_concurrent_orders_never_sell_more_than_the_stock(api: Api, shop: dict) -> None:
    buyers = [(await api.user("pembeli"))[1] for _ in range(20)]
    answers = await asyncio.gather(*(api.http.post(START, json=order_form(shop["product"], qty=1), headers=h)
                                     for h in buyers))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 5 + [409] * 15, [a.text for a in answers if a.status_code not in (201, 409)]
    assert stock_of(api.engine, shop["product"]) == 0


async def test_the_seller_sees_what_to_send_where_and_nothing_else_of_the_buyer(api: Api, shop: dict) -> None:
    case = await order(api, shop, payment="transfer")
    await api.http.post(f"/api/v1/cases/{case['id']}/documents", headers=shop["buyer_h"],
                        data={"kind": "bukti_transfer"}, files={"file": ("bukti.png", png(), "image/png")})
    as_seller = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=shop["seller_h"])).json()
    assert as_seller["data"]["shipping"]["address"] and as_seller["data"]["total"] == 40000
    assert "reservation" not in as_seller["data"] and as_seller["documents"] == []  # not the buyer's transfer proof
    as_buyer = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=shop["buyer_h"])).json()
    assert [d["kind"] for d in as_buyer["documents"]] == ["bukti_transfer"]
    listed = (await api.http.get("/api/v1/cases?sop=jathil-order", headers=shop["seller_h"])).json()
    assert case["id"] in [c["id"] for c in listed["items"]]

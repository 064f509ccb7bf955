"""jathil-order pages (JATHIL MART, Kabupaten Ponorogo): a buyer orders a product from the catalogue, pays a
transfer order (the proof and "Saya sudah membayar" on one page: the pay step's own page), and the main
administrator reads the ledger.

The order form's fields come from the SOP's forms (OrderItem, Shipping, OrderForm); the order starts
through the common start (api.service.open_case), whose intake computes every amount on the server.
The other steps are the case page's decision forms; the proof goes through the same service functions as
the JSON API, so the checks and the Indonesian messages are the same.
"""

from typing import Any

from fastapi import Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import jathil, service
from api.deps import get_temporal
from api.documents import incoming
from api.errors import ApiError
from api.pages.fields import field_messages, fields_of, read_values, submitted
from api.pages.labels import role_title
from api.pages.web import CheckedForm, OptionalUser, PageUser, db, page_router, redirect, render, settings_of
from api.paging import page_number
from api.routes.jathil_orders import LedgerEntryOut, csv_response, require_ledger_reader
from api.views import CaseView
from core.ledger import entries, totals
from core.messages import CaseStatus
from core.models import Task, User
from core.models_jathil import business_names
from workflows import INTAKES
from workflows.jathil_order import (
    DEFINITION, DESTINATION_LABELS, PROOF, OrderForm, OrderItem, Shipping, destinations,
)

router = page_router()
ORDER = "/jathil/pesan/{product_id}"
PAY = "/jathil/pesanan/{case_id}/bayar"
LEDGER = "/jathil/buku-besar"
LEDGER_PER_PAGE = 100
FIX = "Periksa kembali isian yang ditandai."
LOG_IN = "Untuk memesan, masuk dengan akun pembeli. Belum punya akun? Daftar sebagai pembeli."
NOT_BUYER = ("Pemesanan hanya untuk akun pembeli. Akun Anda terdaftar sebagai {role}: keluar lalu masuk dengan "
             "akun pembeli, atau daftar akun baru sebagai pembeli.")
SOLD_OUT = "Stok produk ini sedang habis."
PICK_PROOF = "Pilih berkas bukti transfer (foto atau PDF)"
ACCOUNT_LABELS = {
    "bank": "Rekening JATHIL MART (transfer masuk)", "escrow": "Dana ditahan (escrow)",
    "seller_payable": "Diteruskan ke penjual", "buyer_refund_due": "Dikembalikan ke pembeli",
    "cod_buyer": "COD dibayar pembeli", "cod_seller": "COD diterima penjual",
}


# ---- ordering from the catalogue -----------------------------------------------------------


def qty_field() -> Any:
    return next(f for f in fields_of(OrderItem) if f.name == "qty")


def order_fields() -> dict[str, Any]:
    """The form in its sections: the quantity, the shipping address, the payment."""
    return {"item": (qty_field(),), "shipping": fields_of(Shipping),
            "payment": tuple(f for f in fields_of(OrderForm) if f.name == "payment")}


def all_fields() -> tuple[Any, ...]:
    return tuple(f for section in order_fields().values() for f in section)


def order_body(product_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The start form's body: one item of this product, the shipping address, the payment; an empty
    field left out, so it reads as missing. No amount: the server computes them all."""
    sections = order_fields()
    item = submitted({f.name: values[f.name] for f in sections["item"]})
    body: dict[str, Any] = {"items": [{"product_id": product_id, **item}],
                            "shipping": submitted({f.name: values[f.name] for f in sections["shipping"]})}
    return {**body, **submitted({f.name: values[f.name] for f in sections["payment"]})}


def flat(detail: Any) -> Any:
    """The start's messages by the page's field names: items.0.qty -> qty, shipping.phone -> phone."""
    if not isinstance(detail, list):
        return detail
    out = []
    for item in detail:
        loc = list(item.get("loc", [])) if isinstance(item, dict) else []
        if loc[:2] == ["body", "items"] and len(loc) >= 4 and loc[3] != "product_id":
            loc = ["body", loc[3]]
        elif loc[:2] == ["body", "shipping"] and len(loc) >= 3:
            loc = ["body", loc[2]]
        out.append({**item, "loc": loc} if isinstance(item, dict) else item)
    return out


def offered(session: Session, product_id: int) -> jathil.CatalogueItem:
    """The product as the catalogue shows it: active, of an approved seller (sold out too, so the page
    can say so); 404 otherwise."""
    product = jathil.public_photo(session, product_id)  # active, of an approved seller
    if product is None:
        raise ApiError(404, jathil.NOT_FOUND)
    return jathil.catalogue_item(product, business_names(session, {product.seller_id}).get(product.seller_id, ""))


def may_order(user: User | None) -> bool:
    return user is not None and user.role in INTAKES[DEFINITION.id].roles


def order_page(request: Request, user: User | None, product_id: int, values: dict[str, Any],
               error: ApiError | None = None) -> Response:
    """The order form with what was typed and one message per bad field (runs in a thread)."""
    with db(request) as session:
        product = offered(session, product_id)
    errors, general = field_messages(flat(error.detail), {f.name for f in all_fields()}) if error else ({}, [])
    if errors and not general:
        general = [FIX]
    refusal, status = None, error.status if error else 200
    if user is None:
        refusal = LOG_IN
    elif not may_order(user):
        refusal, status = NOT_BUYER.format(role=role_title(user.role)), 403
    fees = [(DESTINATION_LABELS[zone], rule.fee) for zone, rule in destinations().items()]
    return render(request, "jathil_order.html", status=status, product=product, sections=order_fields(),
                  values=values, errors=errors, general=general, refusal=refusal, fees=fees,
                  action=ORDER.format(product_id=product_id), sold_out=product.stock <= 0 and not error,
                  login=f"/masuk?next={ORDER.format(product_id=product_id)}")


def prefilled(user: User | None) -> dict[str, Any]:
    values: dict[str, Any] = {"qty": "1"}
    if user is not None and may_order(user):
        values.update(recipient=user.name, phone=user.phone or "")
    return values


@router.get(ORDER)
def order_form(request: Request, product_id: jathil.ProductIdPath, user: OptionalUser) -> Response:
    return order_page(request, user, product_id, prefilled(user))


@router.post(ORDER)
async def order(request: Request, product_id: jathil.ProductIdPath, user: PageUser, form: CheckedForm) -> Response:
    values = read_values(all_fields(), form)
    if not may_order(user):
        return await run_in_threadpool(order_page, request, user, product_id, values)
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings_of(request), request.app.state.engine, user, DEFINITION.id,
                                       order_body(product_id, values))
    except ApiError as error:
        if error.status == 404:
            raise
        return await run_in_threadpool(order_page, request, user, product_id, values, error)
    return redirect(f"/kasus/{case.id}?pesan=dipesan")


@router.get(f"/layanan/{DEFINITION.id}/ajukan")
def start(request: Request) -> Response:
    """Orders start from a product in the catalogue, not from the generic start form."""
    return redirect("/jathil")


# ---- paying a transfer order: the proof and the pay step on one page -----------------------


def pay_task(session: Session, user: User, case_id: str) -> tuple[CaseView, Task | None]:
    view = service.visible_view(session, user, case_id)
    task = session.exec(select(Task).where(Task.case_id == case_id, Task.step == "pay")
                        .order_by(col(Task.id).desc())).first()
    open_for_user = view.status == CaseStatus.OPEN and task is not None and service.may_act(user, task)
    return view, task if open_for_user else None


def pay_page(request: Request, user: User, case_id: str, error: ApiError | None = None) -> Response:
    with db(request) as session:
        view, task = pay_task(session, user, case_id)
    if task is None and error is None:
        return redirect(f"/kasus/{case_id}")
    errors, general = field_messages(error.detail, {"file"}) if error else ({}, [])
    proofs = [d for d in view.documents if d.kind == PROOF]
    return render(request, "jathil_pay.html", status=error.status if error else 200, case=view, task=task,
                  proofs=proofs, errors=errors, general=general, action=PAY.format(case_id=case_id))


@router.get(PAY)
def pay_form(request: Request, case_id: str, user: PageUser) -> Response:
    return pay_page(request, user, case_id)


@router.post(PAY)
async def pay(request: Request, case_id: str, user: PageUser, form: CheckedForm) -> Response:
    """Stores the chosen proof (if any), then decides "paid": without any proof the workflow refuses it."""
    settings, engine = settings_of(request), request.app.state.engine
    file = form.get("file")
    try:
        client = await get_temporal(request)
        if isinstance(file, UploadFile) and file.filename:
            await service.add_document(client, settings, engine, user, case_id,
                                       await incoming(file, PROOF, ("body", "file"), settings))
        await service.decide(client, settings, engine, user, case_id, "pay", "paid")
    except ApiError as error:
        if error.status == 404:
            raise
        if isinstance(error.detail, list):  # "Unggah bukti transfer terlebih dahulu" belongs to the file
            error = ApiError(error.status, [{**d, "loc": ["body", "file"]} if d.get("loc") == ["body", "documents"]
                                            else d for d in error.detail])
        return await run_in_threadpool(pay_page, request, user, case_id, error)
    return redirect(f"/kasus/{case_id}?pesan=keputusan")


# ---- the ledger ----------------------------------------------------------------------------


@router.get(LEDGER)
def ledger(request: Request, user: PageUser, kasus: str = Query("", max_length=60), halaman: int = 1) -> Response:
    """Every posting's two entries, the balance per account, the CSV export; the main administrator only."""
    require_ledger_reader(user)
    page = page_number(halaman)
    with db(request) as session:
        rows = entries(session, kasus or None)
        balances = totals(session, kasus or None)
    pages = max(1, -(-len(rows) // LEDGER_PER_PAGE))
    shown = rows[::-1][(page - 1) * LEDGER_PER_PAGE:page * LEDGER_PER_PAGE]  # newest first
    accounts = [(ACCOUNT_LABELS.get(a, a), a, balances[a]) for a in ACCOUNT_LABELS if a in balances]
    accounts += [(a, a, amount) for a, amount in balances.items() if a not in ACCOUNT_LABELS]
    return render(request, "jathil_ledger.html", entries=shown, accounts=accounts, kasus=kasus, page=page,
                  pages=pages, total=len(rows), account_labels=ACCOUNT_LABELS, ledger=LEDGER,
                  debits=sum(e.debit for e in rows), credits=sum(e.credit for e in rows))


@router.get(f"{LEDGER}.csv")
def ledger_csv(request: Request, user: PageUser, kasus: str = Query("", max_length=60)) -> Response:
    require_ledger_reader(user)
    with db(request) as session:
        rows = [LedgerEntryOut.model_validate(e, from_attributes=True) for e in entries(session, kasus or None)]
    return csv_response(rows)

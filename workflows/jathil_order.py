"""jathil-order: a buyer's order in JATHIL MART, Kabupaten Ponorogo (seed 000, part II).

transfer: pay (buyer uploads the proof) ->  verify (field administrator) -> ship (the seller) ->
receive (buyer; confirmed automatically when silent) -> release (main administrator pays the seller out).
COD: verify -> ship -> receive -> cod_paid (the seller collected the cash).
A complaint at receipt goes to resolve (main administrator): refund the buyer, or release to the seller.
Money is integer rupiah, computed by the server; every movement is a ledger posting (core.ledger).
Stock is reserved when the order is placed and given back once on every path that ends without delivery.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from sqlmodel import col, select

    from core.calendar import WorkingTime
    from core.config import get_settings
    from core.documents import DocumentKind
    from core.forms import Form, choice, widget
    from core.identifiers import MobilePhone
    from core.ledger import POST_LEDGER, Posting
    from core.messages import CaseStart, CaseStatus, Decision, DecisionResult, Person, Recipients
    from core.models_jathil import JathilProduct, approved_seller, business_names, reserve_items

from workflows.module import Intake, IntakeRefused, ServiceStandard, SopModule
from workflows.sop import (
    APPLICANT, FORBIDDEN, RECORD_RETRY, Action, SopDefinition, SopWorkflow, SpanDef, StepDef,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from core.models import User

# ---- destinations: the shipping fee and the time standards (our rule; ALUR_JATHIL_DESTINATIONS) ----


@dataclass(frozen=True)
class Destination:
    fee: int  # rupiah
    delivery_days: int  # working days from a valid verification to receipt (the case-level standard)
    receipt_days: int  # working days after shipping before receipt is confirmed automatically


DESTINATIONS = {
    "ponorogo": Destination(fee=10_000, delivery_days=3, receipt_days=2),  # the seed: at most 3 days
    "jatim": Destination(fee=20_000, delivery_days=5, receipt_days=4),
    "other": Destination(fee=35_000, delivery_days=7, receipt_days=5),
}
DESTINATION_LABELS = {"ponorogo": "Kabupaten Ponorogo", "jatim": "Jawa Timur (luar Ponorogo)",
                      "other": "Luar Jawa Timur"}


def destination_of(postal_code: str) -> str:
    """Ponorogo's postal codes are 634xx; East Java's 60xxx-69xxx."""
    if postal_code.startswith("634"):
        return "ponorogo"
    return "jatim" if postal_code[:1] == "6" else "other"


def destinations() -> dict[str, Destination]:
    overrides = get_settings().jathil_destinations
    return {zone: Destination(**{**DESTINATIONS[zone].__dict__, **overrides.get(zone, {})}) for zone in DESTINATIONS}


# ---- forms ---------------------------------------------------------------------------------

PAYMENTS = {"cod": "Bayar di tempat (COD)", "transfer": "Transfer ke rekening JATHIL MART"}
MAX_QTY = 1000


class OrderItem(Form):
    product_id: int = Field(ge=1, le=2**31 - 1, title="Produk")
    qty: int = Field(ge=1, le=MAX_QTY, title="Jumlah")


class Shipping(Form):
    recipient: str = Field(min_length=1, max_length=200, title="Nama penerima")
    phone: MobilePhone = Field(title="Nomor HP penerima", description="Nomor aktif, contoh 081234567890")
    address: str = Field(min_length=1, max_length=500, title="Alamat pengiriman", json_schema_extra=widget("textarea"))
    regency: str = Field(min_length=1, max_length=100, title="Kabupaten/Kota")
    postal_code: str = Field(pattern=r"^[0-9]{5}$", title="Kode pos", json_schema_extra=widget("digits"))


class OrderForm(Form):
    """What the buyer sends. Prices, the shipping fee and the total are the server's: a client that
    sends an amount gets a 422 (unknown field)."""

    items: list[OrderItem] = Field(min_length=1, max_length=20, title="Barang")
    shipping: Shipping = Field(title="Pengiriman")
    payment: choice(PAYMENTS) = Field(title="Pembayaran")  # type: ignore[valid-type]


class InvalidForm(Form):
    transfer_received: bool = Field(default=False, title="Transfer sudah diterima (dana dikembalikan ke pembeli)")


class ShipForm(Form):
    courier: str = Field(min_length=1, max_length=60, title="Kurir")
    tracking_number: str = Field(min_length=3, max_length=60, title="Nomor resi")


class ReleaseForm(Form):
    bank_reference: str = Field(min_length=3, max_length=80, title="Referensi transfer bank ke penjual")


# ---- the SOP -------------------------------------------------------------------------------

PROOF = "bukti_transfer"
COMPLAINT_PHOTO = "foto_komplain"
ONE_DAY = WorkingTime(days=1)
REMIND = WorkingTime(minutes=120)
UNPAID = "Bukti transfer tidak diunggah dalam 1 hari kerja"

DEFINITION = SopDefinition(
    id="jathil-order",
    title="Pesanan JATHIL MART",
    agency="ponorogo",
    description="Pembeli memesan produk UMKM Kabupaten Ponorogo di JATHIL MART; pembayaran COD atau transfer.",
    start_form=OrderForm,
    documents=(DocumentKind(PROOF, "Bukti transfer"), DocumentKind(COMPLAINT_PHOTO, "Foto komplain")),
    steps=(
        StepDef("pay", "Pembayaran dan unggah bukti transfer", APPLICANT, "Menunggu Pembayaran",
                (Action("paid", "Saya sudah membayar"),), sla=ONE_DAY, remind_before=REMIND, timeout_action="cancel",
                notify_on_open=False,  # the order e-mail tells the buyer how to pay
                page=("/jathil/pesanan/{case_id}/bayar", "Unggah bukti transfer dan konfirmasi pembayaran")),
        StepDef("verify", "Verifikasi transaksi", "admin_bidang", "Verifikasi",
                (Action("valid", "Transaksi valid"),
                 Action("invalid", "Transaksi tidak valid", needs_reason=True, form=InvalidForm)),
                sla=WorkingTime(minutes=240), remind_before=WorkingTime(minutes=60), escalate_to=("admin_utama",)),
        StepDef("ship", "Proses dan kirim pesanan", "umkm", "Pengiriman",  # given to the order's seller
                (Action("ship", "Kirim pesanan", form=ShipForm),
                 Action("cannot_fulfil", "Tidak dapat dipenuhi", needs_reason=True)),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("admin_bidang",)),
        StepDef("receive", "Konfirmasi penerimaan barang", APPLICANT, "Dikirim",
                (Action("received", "Barang sudah diterima"), Action("complain", "Ajukan komplain", needs_reason=True)),
                sla=WorkingTime(days=DESTINATIONS["ponorogo"].receipt_days), timeout_action="received"),
        StepDef("cod_paid", "Pembayaran COD diterima penjual", "umkm", "Menunggu Pembayaran COD",
                (Action("cod_paid", "Uang COD sudah diterima"),), sla=ONE_DAY, escalate_to=("admin_bidang",)),
        StepDef("release", "Persetujuan pencairan dana ke penjual", "admin_utama", "Pencairan Dana",
                (Action("release", "Cairkan dana ke penjual", form=ReleaseForm),),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("kepala_dinas",)),
        StepDef("resolve", "Penyelesaian komplain", "admin_utama", "Komplain",
                (Action("refund", "Kembalikan dana ke pembeli", needs_reason=True),
                 Action("release", "Tolak komplain, teruskan dana ke penjual", needs_reason=True)),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("kepala_dinas",)),
    ),
    spans=(SpanDef("delivery", "Batas waktu pesanan sampai", starts_at_step="ship", ends_at_step="receive",
                   sla=WorkingTime(days=DESTINATIONS["ponorogo"].delivery_days), remind_before=WorkingTime(days=1),
                   escalate_to=("admin_utama",)),),
)


@workflow.defn(name="jathil-order")
class JathilOrderWorkflow(SopWorkflow):
    definition = DEFINITION
    participant_from = "seller"  # the seller sees the order too
    cancellable = False  # money in escrow: only its own steps (auto-cancel, complaint) undo an order

    def __init__(self) -> None:
        super().__init__()
        self.verifier_id: int | None = None
        self.postings: list[str] = []  # ledger postings made, by kind

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        seller = Person(**self.data["seller"])
        self.notify("order_placed", Recipients(user_ids=[seller.id or 0]), "submit", items=self.data["items"],
                    total=self.data["total"], payment=PAYMENTS[self.data["payment"]])
        if self.transfer and (await self.step("pay")).action == "cancel":
            return await self.cancel_order(UNPAID)
        verdict = await self.step("verify")
        self.verifier_id = verdict.actor.id
        if verdict.action == "invalid":
            if self.transfer and self.clean(verdict)["transfer_received"]:
                await self.post("received", "bank", "escrow")
            return await self.cancel_order(verdict.reason)
        if self.transfer:
            await self.post("received", "bank", "escrow")
        shipped = await self.step("ship", assignee=seller)
        if shipped.action == "cannot_fulfil":
            return await self.cancel_order(shipped.reason)
        self.data["shipment"] = self.clean(shipped)
        self.notify("order_shipped", self.applicant(), "ship", **self.data["shipment"])
        receipt = await self.step("receive")
        if receipt.action == "complain":
            return await self.resolve(receipt, seller)
        return await self.pay_out(seller)

    @property
    def transfer(self) -> bool:
        return self.data["payment"] == "transfer"

    async def pay_out(self, seller: Person) -> DecisionResult:
        if not self.transfer:
            await self.step("cod_paid", assignee=seller)
            await self.post("cod", "cod_buyer", "cod_seller")
            return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai", template="order_completed")
        released = await self.step("release")
        self.data["payout"] = self.clean(released)
        await self.post("release", "escrow", "seller_payable")
        return await self.finish(status=CaseStatus.COMPLETED, stage="Dana diteruskan ke penjual",
                                 template="order_completed")

    async def resolve(self, complaint: Decision, seller: Person) -> DecisionResult:
        self.data["complaint"] = complaint.reason
        outcome = await self.step("resolve")
        both = Recipients(user_ids=[self._case.applicant.id or 0, seller.id or 0])
        self.notify("complaint_resolved", both, "resolve", outcome=outcome.action, reason=outcome.reason)
        if outcome.action == "refund":
            if self.transfer:
                await self.post("refund", "escrow", "buyer_refund_due")
            return await self.finish(status=CaseStatus.CANCELLED, stage="Dana dikembalikan")
        await (self.post("release", "escrow", "seller_payable") if self.transfer
               else self.post("cod", "cod_buyer", "cod_seller"))
        return await self.finish(status=CaseStatus.COMPLETED, stage="Komplain ditolak; dana diteruskan")

    async def cancel_order(self, reason: str | None) -> DecisionResult:
        """Ends the order without delivery: the stock goes back (once), a received transfer is owed back."""
        await workflow.execute_activity(
            RELEASE_STOCK, StockReturn(self._case.case_id, self.data["reservation"], self.reserved_items()),
            start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY)
        if self.transfer and "received" in self.postings:
            await self.post("refund", "escrow", "buyer_refund_due")
        return await self.finish(status=CaseStatus.CANCELLED, stage="Dibatalkan", template="cancelled", reason=reason)

    def reserved_items(self) -> list[list[int]]:
        return [[item["product_id"], item["qty"]] for item in self.data["items"]]

    async def post(self, kind: str, source: str, target: str) -> None:
        """One ledger posting of the order's total; its key (case + kind) makes a retry post nothing."""
        case_id = self._case.case_id
        await workflow.execute_activity(
            POST_LEDGER, Posting(case_id, f"{case_id}/{kind}", source, target, self.data["total"]),
            start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY)
        self.postings.append(kind)

    # ---- rules beyond the forms ---------------------------------------------------------

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        if decision.action == "paid" and not any(d.kind == PROOF for d in self.documents):
            return [{"loc": ["body", "documents"], "msg": "Unggah bukti transfer terlebih dahulu", "type": "missing"}]
        if decision.action == "release" and decision.actor.id is not None and decision.actor.id == self.verifier_id:
            # Four eyes: whoever verified the transaction does not also pay it out (the release step, or a
            # complaint rejected at resolve, which releases the money to the seller too).
            raise ApplicationError("Pencairan harus disetujui orang lain selain verifikator", type=FORBIDDEN,
                                   non_retryable=True)
        return []

    def step_sla(self, step: StepDef) -> WorkingTime | None:
        if step.id == "receive":
            return WorkingTime(days=self.data["receipt_days"])
        return step.sla

    def span_sla(self, span: SpanDef) -> WorkingTime | None:
        return WorkingTime(days=self.data["delivery_days"])


# ---- activities ----------------------------------------------------------------------------

RELEASE_STOCK = "release_order_stock"


@dataclass
class StockReturn:
    case_id: str
    reservation: str
    items: list[list[int]]  # [product id, quantity]


# ---- intake --------------------------------------------------------------------------------


def prepare(session: "Session", user: "User", data: dict[str, Any]) -> dict[str, Any]:
    """Prices from the catalogue, the fee and time standards from the destination, and the stock
    reserved for this order, atomically (409 "Stok tidak cukup" when it is not there)."""
    wanted: dict[int, int] = {}
    for item in data["items"]:
        wanted[item["product_id"]] = wanted.get(item["product_id"], 0) + item["qty"]
    products = {p.id: p for p in session.exec(select(JathilProduct).where(
        col(JathilProduct.id).in_(list(wanted)), col(JathilProduct.active), approved_seller()))}
    missing = [n for n, item in enumerate(data["items"]) if item["product_id"] not in products]
    if missing:
        raise IntakeRefused(422, [{"loc": ["body", "items", n, "product_id"], "type": "refused",
                                   "msg": "Produk tidak ditemukan atau tidak dijual"} for n in missing])
    if len({p.seller_id for p in products.values()}) > 1:
        raise IntakeRefused.bad_field("items", "Semua barang dalam satu pesanan harus dari penjual yang sama")
    if not reserve_items(session, sorted(wanted.items())):
        raise IntakeRefused(409, "Stok tidak cukup")
    session.commit()
    seller_id = next(iter(products.values())).seller_id
    zone = destination_of(data["shipping"]["postal_code"])
    rule = destinations()[zone]
    items = [{"product_id": pid, "name": products[pid].name, "price": products[pid].price, "qty": qty,
              "line_total": products[pid].price * qty} for pid, qty in wanted.items()]
    subtotal = sum(item["line_total"] for item in items)
    seller_name = business_names(session, {seller_id}).get(seller_id, "")
    return {**data, "items": items, "seller": {"id": seller_id, "name": seller_name, "role": "umkm"},
            "subtotal": subtotal, "shipping_fee": rule.fee, "total": subtotal + rule.fee, "destination": zone,
            "delivery_days": rule.delivery_days, "receipt_days": rule.receipt_days,
            "reservation": uuid.uuid4().hex}


def undo(session: "Session", data: dict[str, Any]) -> None:
    """The order did not start after all: its reserved stock goes back."""
    from core.models_jathil import release_once

    if data.get("reservation"):
        release_once(session, f"return:{data['reservation']}", "", [(i["product_id"], i["qty"]) for i in data["items"]])


STANDARD = ServiceStandard(
    requirements=("Akun pembeli yang sudah terverifikasi (terdaftar melalui web)",
                  "Alamat pengiriman lengkap dengan kode pos",
                  "Untuk pembayaran transfer: bukti transfer ke rekening JATHIL MART"),
    product="Barang pesanan diterima pembeli; dana diteruskan kepada penjual",
    time="Paling lama 3 hari sejak transaksi diverifikasi untuk tujuan dalam Kabupaten Ponorogo; "
         "tujuan lain menyesuaikan (5 hari kerja dalam Jawa Timur, 7 hari kerja di luar Jawa Timur)",
    cost="Tanpa biaya pendaftaran; pembeli membayar harga barang dan ongkos kirim",
)

SOP = SopModule(
    JathilOrderWorkflow,
    intake=Intake(roles=("pembeli",), prepare=prepare, undo=undo,
                  title=lambda data: f"{data['items'][0]['name']} · {data['seller']['name']}".strip(" ·")),
    activities="activities.jathil",
    api_routes=("api.routes.jathil_orders",),
    pages=("api.pages.jathil_order",),
    start_page="/jathil",  # an order starts from a product in the catalogue
    data_labels={"items": "Barang", "name": "Nama", "price": "Harga", "qty": "Jumlah", "line_total": "Jumlah harga",
                 "seller": "Penjual", "subtotal": "Subtotal", "shipping_fee": "Ongkos kirim", "total": "Total",
                 "destination": "Tujuan", "shipment": "Pengiriman", "courier": "Kurir",
                 "tracking_number": "Nomor resi", "payout": "Pencairan", "bank_reference": "Referensi bank",
                 "complaint": "Komplain", "payment": "Pembayaran"},
    value_labels={"destination": DESTINATION_LABELS, "payment": PAYMENTS},
    # The seller needs what to send where, and what it is paid: not the buyer's transfer proof or account.
    participant_data=("items", "shipping", "payment", "subtotal", "shipping_fee", "total", "destination", "seller",
                      "shipment", "complaint"),
    participant_documents=(COMPLAINT_PHOTO,),
    standard=STANDARD,
)

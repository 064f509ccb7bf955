"""eorder-product: a registered supplier's product is checked and published in e-order (seed 002, part 3).

Draft (the applicant saves, then confirms) -> Pengajuan (the supplier's own PJLP edits, rejects back
to the draft, or processes) -> Penayangan (the Satpel processes) -> Tayang: in the public catalogue.
"""

from typing import TYPE_CHECKING, Any

from pydantic import Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.forms import Form, field_labels, widget
    from core.messages import CaseStart, CaseStatus, Decision, DecisionResult, Person

from workflows.eorder_vendor import (  # as for the registration
    CHECK_PAGE, DRAFT_CLOSED, DRAFT_PATCH, DRAFT_REMIND, DRAFT_TIME, REMIND, TWO_DAYS, Category, registration_of,
)
from workflows.module import Intake, IntakeRefused, ServiceStandard, SopModule
from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, StepDef

if TYPE_CHECKING:
    from sqlmodel import Session

    from core.models import User


class Product(Form):
    """A product offered in the e-order catalogue; price in whole rupiah."""

    name: str = Field(min_length=1, max_length=200, title="Nama produk")
    description: str = Field(min_length=1, max_length=2000, title="Deskripsi", json_schema_extra=widget("textarea"))
    category: Category = Field(title="Kategori")
    unit: str = Field(min_length=1, max_length=30, title="Satuan", description="Contoh: kotak, pcs, kg")
    price: int = Field(gt=0, le=1_000_000_000_000, title="Harga (Rp)", description="Rupiah, bilangan bulat")
    min_order: int = Field(ge=1, le=1_000_000, title="Pemesanan minimum",
                           json_schema_extra=widget("number", initial="1"))
    tkdn: float | None = Field(default=None, ge=0, le=100, title="TKDN (%)",
                               description="Opsional: tingkat komponen dalam negeri")


LABELS = field_labels(Product)
SAVE = Action("save", "Simpan", closes_step=False, form=Product, fills="record")
EDIT = Action("edit", "Simpan koreksi", closes_step=False, form=Product, fills="record")
CONFIRM = Action("confirm", "Konfirmasi", form=Product, fills="record")

REJECT = Action("reject", "Tolak", needs_reason=True)
PROCESS = Action("process", "Proses")
WITHDRAW = Action("withdraw", "Batalkan produk")

DEFINITION = SopDefinition(
    id="eorder-product",
    title="Pendaftaran Produk E-Order",
    agency="dki",
    description="Penyedia UMKM yang sudah Terdaftar mengajukan produk untuk ditayangkan di katalog e-order.",
    start_form=Product,
    steps=(
        # A draft not confirmed in time is cancelled (our rule, see eorder_vendor.DRAFT_TIME), also one the
        # PJLP sent back; the applicant may withdraw it.
        StepDef("draft", "Pengisian detail produk", APPLICANT, "Draft", (SAVE, CONFIRM, WITHDRAW), notify_on_open=False,
                sla=DRAFT_TIME, remind_before=DRAFT_REMIND, timeout_action="cancel", sla_patch=DRAFT_PATCH),
        StepDef("pjlp_verify", "Verifikasi produk oleh PJLP", "pjlp", "Pengajuan", (EDIT, REJECT, PROCESS),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("satpel",), page=CHECK_PAGE),
        StepDef("satpel_publish", "Verifikasi penayangan oleh Satpel", "satpel", "Penayangan", (PROCESS,),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("admin_eorder",)),
    ),
)


@workflow.defn(name="eorder-product")
class EorderProductWorkflow(SopWorkflow):
    definition = DEFINITION
    unit_from = "skpd"  # the supplier's SKPD Pembina (prepare copies it from the registration)

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        pjlp = Person(**start.data["pjlp"])  # the PJLP the Satpel assigned to this supplier
        while True:
            confirmed = await self.step("draft")
            if confirmed.action in DRAFT_CLOSED:  # withdrawn, or not confirmed in time
                return await self.finish(status=CaseStatus.CANCELLED, stage="Dibatalkan", template="cancelled",
                                         reason=DRAFT_CLOSED[confirmed.action])
            self.data.update(self.clean(confirmed))
            verdict = await self.step("pjlp_verify", assignee=pjlp)
            if verdict.action == "process":
                break
            self.notify("returned", self.applicant(), "pjlp_verify", reason=verdict.reason)
        await self.step("satpel_publish")
        return await self.finish(status=CaseStatus.COMPLETED, stage="Tayang", template="eorder_published")

    def event_data(self, decision: Decision) -> dict[str, Any]:
        """A withdrawal keeps no data (the case page sends the form's fields with every button)."""
        return {} if decision.action == "withdraw" else super().event_data(decision)

    def on_open_action(self, decision: Decision) -> None:
        clean = self.clean(decision)
        if decision.action == "edit":
            self.record_edit(decision, clean, LABELS)
            return
        self.data.update(clean)
        self.add_event(decision.step, decision.actor, decision.action, data=decision.data or {})


def prepare(session: "Session", user: "User", data: dict[str, Any]) -> dict[str, Any]:
    """Only a registered supplier (its eorder-vendor case Terdaftar) adds a product."""
    registration = registration_of(session, user)
    if registration is None or registration.status != "completed":
        raise IntakeRefused(403, "Hanya penyedia yang sudah Terdaftar di e-order yang dapat mendaftarkan produk")
    vendor = registration.data
    # The PJLP who checked the registration also checks its products, in the registration's agency;
    # the registration's SKPD Pembina handles them (the case's unit).
    return {**data, "supplier": vendor["business_name"], "vendor_case": registration.id, "pjlp": vendor["pjlp"],
            "skpd": vendor["skpd"]}


# Seed 002, part 3; the time is our rule (2 working days per staff step).
STANDARD = ServiceStandard(
    requirements=(
        "Akun penyedia UMKM berstatus Terdaftar di e-order",
        "Detail produk lengkap: nama, deskripsi, kategori, satuan, harga dan pemesanan minimum",
    ),
    product="Produk ditayangkan di katalog e-order Pemerintah Provinsi DKI Jakarta",
    time="4 hari kerja sejak produk dikonfirmasi (verifikasi PJLP 2 hari kerja, verifikasi penayangan Satpel "
         "2 hari kerja)",
)

SOP = SopModule(
    EorderProductWorkflow,
    standard=STANDARD,
    intake=Intake(roles=("umkm",), prepare=prepare, title=lambda data: data["name"],
                  agency=lambda data: data["pjlp"]["agency"]),
    data_labels={"supplier": "Penyedia", "vendor_case": "Kasus pendaftaran penyedia", "pjlp": "Admin/PJLP pendamping"},
)

"""gallery-curation: a UMKM product is curated for the East Java provincial gallery (seed 001).

check_documents (gallery staff) ⇄ revise (applicant) → receive_sample (gallery staff) →
curate (gallery staff and curation expert side by side, 3 working days) → announce (automatic) →
pass: display (stock, price, barcode; the product enters the public catalogue) → completed;
fail: refer (facilitations, each a linked referral case) → rejected.
"""

from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.forms import Form, check
    from core.forms.gallery import (
        DOCUMENT_KINDS,
        DOCUMENT_LABELS,
        FACILITATIONS,
        CurationForm,
        DisplayForm,
        Listed,
        Listing,
        ReferForm,
        ReturnDocumentsForm,
        SampleForm,
    )
    from core.messages import SYSTEM, CaseStart, Decision, DecisionResult

from workflows.referral import DEFINITION as REFERRAL
from workflows.sop import APPLICANT, RECORD_RETRY, Action, SopDefinition, SopWorkflow, StepDef

ONE_DAY = WorkingTime(days=1)
CURATION_TIME = WorkingTime(days=3)  # the seed's headline time standard, from sample receipt
SAMPLE_WAIT = WorkingTime(days=10)  # our rule: cancelled when no sample came in 10 working days
SAMPLE_REMIND = WorkingTime(days=5)  # ... with a reminder 5 working days before, i.e. after 5 days
CURATORS = ("curate_staff", "curate_expert")
TIMEOUT_REASONS = {
    "revise": "Berkas tidak dilengkapi dalam 10 hari kerja",
    "receive_sample": "Sampel produk tidak diserahkan dalam 10 hari kerja",
}
ESCALATE = ("kepala_bidang",)

CANCEL = Action("cancel", "Batalkan permohonan", needs_reason=True)
SUBMIT = Action("submit", "Kirim form kurasi")


def curation_step(step_id: str, title: str, role: str) -> StepDef:
    return StepDef(step_id, title, role, "Kurasi", (SUBMIT,), sla=CURATION_TIME, remind_before=ONE_DAY,
                   escalate_to=ESCALATE)


DEFINITION = SopDefinition(
    id="gallery-curation",
    title="Fasilitasi Pemasaran Produk melalui Galeri",
    agency="jatim",
    description="Produk UKM dikurasi untuk dipajang dan dijual di galeri Dinas Koperasi dan UKM Provinsi Jawa Timur.",
    documents=DOCUMENT_KINDS,
    steps=(
        StepDef("check_documents", "Pemeriksaan kelengkapan berkas", "staf_galeri", "Pemeriksaan Berkas",
                (Action("accept", "Berkas lengkap"), Action("return", "Kembalikan untuk dilengkapi", needs_reason=True)),
                sla=ONE_DAY, escalate_to=ESCALATE),
        StepDef("revise", "Unggah ulang berkas oleh pemohon", APPLICANT, "Perbaikan Berkas",
                (Action("resubmit", "Kirim ulang berkas"),),
                sla=SAMPLE_WAIT, remind_before=SAMPLE_REMIND, timeout_action="cancel"),
        StepDef("receive_sample", "Penyerahan sampel produk ke galeri", "staf_galeri", "Menunggu Sampel",
                (Action("receive", "Sampel diterima"), CANCEL),
                sla=SAMPLE_WAIT, remind_before=SAMPLE_REMIND, remind_also=(APPLICANT,), timeout_action="cancel"),
        curation_step("curate_staff", "Kurasi oleh staf galeri", "staf_galeri"),
        curation_step("curate_expert", "Kurasi oleh tenaga ahli kurasi", "kurator"),
        StepDef("refer", "Rekomendasi fasilitasi ke bidang lain", "staf_galeri", "Rekomendasi Fasilitasi",
                (Action("refer", "Kirim rekomendasi fasilitasi"),), sla=ONE_DAY, escalate_to=ESCALATE),
        StepDef("display", "Input stok dan display produk", "staf_galeri", "Display Produk",
                (Action("display", "Simpan stok dan display"),), sla=ONE_DAY, escalate_to=ESCALATE),
    ),
)

# The form that each closing action's data must pass.
FORMS: dict[str, type[Form]] = {
    "return": ReturnDocumentsForm, "receive": SampleForm, "submit": CurationForm, "refer": ReferForm,
    "display": DisplayForm,
}


def labels(kinds: list[str]) -> list[str]:
    return [DOCUMENT_LABELS.get(k, k) for k in kinds]


@workflow.defn(name="gallery-curation")
class GalleryCurationWorkflow(SopWorkflow):
    definition = DEFINITION

    def __init__(self) -> None:
        super().__init__()
        self.missing_kinds: list[str] = []  # asked for by the last return
        self.uploads_at_return = 0  # documents recorded before that return

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        documents = await self.check_documents()
        if documents.action == "cancel":
            return await self.cancel(documents)
        self.notify("sample_requested", self.applicant(), "receive_sample")
        sample = await self.step("receive_sample")
        if sample.action == "cancel":
            return await self.cancel(sample)
        self.data["sample"] = self.clean(sample)
        forms = [self.clean(d) for d in (await self.steps(CURATORS)).values()]
        if await self.announce(forms):
            return await self.display()
        return await self.refer()

    async def check_documents(self) -> Decision:
        """Until the staff accepts the documents; a return waits for the applicant's re-upload."""
        while True:
            verdict = await self.step("check_documents")
            if verdict.action == "accept":
                return verdict
            self.missing_kinds = self.clean(verdict)["missing"]
            self.uploads_at_return = len(self.documents)
            self.notify("documents_returned", self.applicant(), "check_documents", reason=verdict.reason,
                        missing=labels(self.missing_kinds))
            revision = await self.step("revise")
            if revision.action == "cancel":
                return revision

    async def announce(self, forms: list[dict[str, Any]]) -> bool:
        """Applies the pass rule and tells the applicant (e-mail and WhatsApp); True when passed."""
        result = await workflow.execute_activity(
            "curation_verdict", [f["recommendation"] for f in forms], result_type=str,
            start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY,
        )
        missing = sorted({k for f in forms for k in f["missing_documents"]})
        outcome = {"result": result, "reasons": [f["notes"] for f in forms if f["notes"]], "missing_documents": missing}
        self.data["curation"] = outcome
        passed = result == "pass"
        self.add_event("announce", SYSTEM, "passed" if passed else "failed", data=outcome)
        self.notify("curation_passed" if passed else "curation_failed", self.applicant(), "announce",
                    reasons=outcome["reasons"], missing=labels(missing))
        return passed

    async def refer(self) -> DecisionResult:
        choice = self.clean(await self.step("refer"))
        referrals = []
        for facilitation in choice["facilitations"]:
            case_id = await self.open_linked_case(REFERRAL, self.referral_data(facilitation, choice["note"]),
                                                  title=f"{FACILITATIONS[facilitation]} — {self.data['business_name']}")
            referrals.append({"case_id": case_id, "facilitation": facilitation})
        self.data["referrals"] = referrals
        return await self.finish("rejected", "Tidak Lolos Kurasi")

    def referral_data(self, facilitation: str, note: str) -> dict[str, Any]:
        curation = self.data["curation"]
        return {
            "facilitation": facilitation, "facilitation_title": FACILITATIONS[facilitation],
            "business_name": self.data["business_name"], "product_name": self.data["product_name"],
            "category": self.data["category"], "reasons": curation["reasons"],
            "missing_documents": curation["missing_documents"], "note": note,
        }

    async def display(self) -> DecisionResult:
        """Until the product is listed: an SKU already used in the gallery sends the step back."""
        while True:
            entry = self.clean(await self.step("display"))
            listed = await workflow.execute_activity(
                "display_product", self.listing(entry), result_type=Listed,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY,
            )
            if listed.product_id is not None:
                break
            self.add_event("display", SYSTEM, "sku_taken", f"SKU {entry['sku']} sudah dipakai produk lain di galeri")
        self.data["display"] = {**entry, "product_id": listed.product_id, "barcode_type": listed.barcode_type}
        return await self.finish("completed", "Terdisplay di Galeri", "product_displayed",
                                 sku=entry["sku"], price=entry["price"])

    def listing(self, entry: dict[str, Any]) -> Listing:
        return Listing(
            case_id=self._case.case_id, agency=self._case.agency, sku=entry["sku"], stock=entry["stock"],
            price=entry["price"], product_name=self.data["product_name"], business_name=self.data["business_name"],
            category=self.data["category"], expiry_date=self.data.get("expiry_date"),
        )

    async def cancel(self, decision: Decision) -> DecisionResult:
        reason = TIMEOUT_REASONS[decision.step] if decision.actor.id is None else decision.reason
        return await self.finish("cancelled", "Dibatalkan", "cancelled", reason=reason)

    # ---- validation ---------------------------------------------------------------------------

    def clean(self, decision: Decision) -> dict[str, Any]:
        """A closing decision's data as its form normalised it (validated before it was accepted)."""
        form = FORMS.get(decision.action)
        return check(form, decision.data or {})[0] if form else dict(decision.data or {})

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        if decision.action == "resubmit":
            return self.missing_uploads()
        form = FORMS.get(decision.action)
        return check(form, decision.data or {}, ("body", "data"))[1] if form else []

    def missing_uploads(self) -> list[dict[str, Any]]:
        uploaded = {d.kind for d in self.documents[self.uploads_at_return:]}
        still = [k for k in self.missing_kinds if k not in uploaded]
        if not still:
            return []
        return [{"loc": ["body", "documents"], "msg": f"Unggah ulang dokumen: {', '.join(labels(still))}"}]

    def event_data(self, decision: Decision) -> dict[str, Any]:
        return self.clean(decision)

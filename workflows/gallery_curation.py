"""gallery-curation: a UMKM product is curated for the East Java provincial gallery (seed 001).

check_documents (gallery staff) ⇄ revise (applicant) → receive_sample (gallery staff) →
curate (gallery staff and curation expert side by side, 3 working days) → announce (automatic) →
pass: display (stock, price, barcode; the product enters the public catalogue) → completed;
fail: refer (facilitations, each a linked referral case) → rejected.
"""

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.documents import DocumentKind
    from core.forms import Form, choice, widget
    from core.messages import CaseStart, CaseStatus, Decision, DecisionResult, Listed, Listing, SYSTEM
    from core.roles import AGENCIES

from workflows.jathil_vendor import Category
from workflows.module import Intake, ServiceStandard, SopModule
from workflows.referral import DEFINITION as REFERRAL, FACILITATIONS
from workflows.sop import APPLICANT, RECORD_RETRY, Action, SopDefinition, SopWorkflow, StepDef

# ---- forms ---------------------------------------------------------------------------------

DOCUMENT_KINDS = (
    DocumentKind("ktp", "KTP", required=True),
    DocumentKind("nib", "NIB", required=True),
    DocumentKind("pirt", "Sertifikat P-IRT", required=True),
    DocumentKind("halal", "Sertifikat Halal"),
    DocumentKind("sni", "Sertifikat SNI"),
    DocumentKind("haccp", "Sertifikat HACCP"),
    DocumentKind("iso", "Sertifikat ISO"),
    DocumentKind("hki", "Sertifikat HKI/Merek"),
    DocumentKind("other", "Perizinan/sertifikat lain"),
)
DOCUMENT_LABELS = {k.id: k.label for k in DOCUMENT_KINDS}
FOOD = "makanan_minuman"
SCORES = {str(n): str(n) for n in range(1, 6)}
RECOMMENDATIONS = {"pass": "Lolos", "fail": "Tidak lolos"}
SKU = re.compile(r"[A-Z0-9-]{3,32}")
# This SOP's own activities (activities/gallery.py), by the names both sides use.
CURATION_VERDICT = "curation_verdict"
DISPLAY_PRODUCT = "display_product"


def refuse(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose Indonesian message reaches the client verbatim."""
    return PydanticCustomError(kind, message)


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise refuse("duplicate", "Pilihan tidak boleh berulang")
    return values


def _listed(value: Any) -> Any:
    """The pages send a list as text, "ktp, nib"; the API sends a JSON list."""
    if isinstance(value, str):
        return [part.strip().lower() for part in value.split(",") if part.strip()]
    return value


def choices(labels: dict[str, str]) -> Any:
    """Several of `labels`' keys, each once (checkboxes on the pages)."""
    return Annotated[list[choice(labels)], BeforeValidator(_listed), AfterValidator(_distinct)]  # type: ignore[misc]


DocumentKinds = choices(DOCUMENT_LABELS)
Score = Annotated[int, Field(ge=1, le=5, json_schema_extra={"widget": "select", "choices": SCORES})]
SCORE_HINT = "1 (kurang) sampai 5 (sangat baik)"


class GalleryCurationForm(Form):
    """The partnership request. Checked by the API only: the expiry check reads today's date."""

    business_name: str = Field(min_length=1, max_length=200, title="Nama usaha")
    product_name: str = Field(min_length=1, max_length=200, title="Nama produk")
    category: Category = Field(title="Kategori")
    price: int = Field(gt=0, title="Harga jual (Rp)", description="Rupiah, bilangan bulat")
    expiry_date: date | None = Field(default=None, title="Tanggal kedaluwarsa",
                                     description="Wajib untuk makanan dan minuman")
    specification: str = Field(min_length=1, max_length=2000, title="Spesifikasi produk",
                               description="Komposisi, berat/isi, kemasan, dan lain-lain",
                               json_schema_extra=widget("textarea"))

    @field_validator("expiry_date")
    @classmethod
    def _not_expired(cls, value: date | None) -> date | None:
        if value is not None and value <= datetime.now(ZoneInfo(AGENCIES[DEFINITION.agency].timezone)).date():
            raise refuse("expired", "Tanggal kedaluwarsa sudah lewat")
        return value

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        if raw.get("category") == FOOD and not raw.get("expiry_date"):
            return [("expiry_date", "Produk makanan dan minuman wajib mencantumkan tanggal kedaluwarsa")]
        return []


class ReturnDocumentsForm(Form):
    """check_documents → return: which kinds must be uploaded again."""

    missing: DocumentKinds = Field(min_length=1, title="Dokumen yang harus diunggah ulang",
                                   description="Hanya untuk pengembalian")


class SampleForm(Form):
    description: str = Field(min_length=1, max_length=1000, title="Keterangan sampel",
                             json_schema_extra=widget("textarea"))
    quantity: int = Field(ge=1, title="Jumlah sampel", json_schema_extra=widget("number", initial="1"))


class CurationForm(Form):
    packaging: Score = Field(title="Kemasan", description=SCORE_HINT)
    label: Score = Field(title="Kelengkapan label", description=SCORE_HINT)
    taste_quality: Score = Field(title="Rasa/kualitas", description=SCORE_HINT)
    price_competitiveness: Score = Field(title="Daya saing harga", description=SCORE_HINT)
    legality: Score = Field(title="Legalitas", description=SCORE_HINT)
    recommendation: choice(RECOMMENDATIONS) = Field(title="Rekomendasi")  # type: ignore[valid-type]
    notes: str = Field(default="", max_length=2000, title="Catatan",
                       description="Wajib bila tidak lolos: alasan untuk pemohon", json_schema_extra=widget("textarea"))
    missing_documents: DocumentKinds = Field(default=[], title="Berkas yang belum memenuhi")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        if raw.get("recommendation") == "fail" and not str(raw.get("notes") or "").strip():
            return [("notes", "Tuliskan alasan produk tidak lolos kurasi")]
        return []


class ReferForm(Form):
    """refer: the facilitations the business needs; none is a valid answer."""

    facilitations: choices(FACILITATIONS) = Field(  # type: ignore[valid-type]
        default=[], title="Fasilitasi yang dibutuhkan",
        description="Setiap fasilitasi menjadi rujukan ke bidang penerimanya")
    note: str = Field(default="", max_length=1000, title="Catatan untuk bidang penerima",
                      json_schema_extra=widget("textarea"))


class DisplayForm(Form):
    sku: str = Field(title="SKU", description="Huruf, angka atau tanda hubung; 13 digit EAN-13 dicetak sebagai EAN-13")
    stock: int = Field(ge=1, title="Jumlah stok")
    price: int = Field(gt=0, title="Harga jual (Rp)")

    @field_validator("sku")
    @classmethod
    def _sku(cls, value: str) -> str:
        if not SKU.fullmatch(value.upper()):
            raise refuse("sku", "SKU 3–32 karakter: huruf, angka atau tanda hubung")
        return value.upper()


# ---- the SOP -------------------------------------------------------------------------------

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
SUBMIT = Action("submit", "Kirim form kurasi", form=CurationForm)


def curation_step(step_id: str, title: str, role: str) -> StepDef:
    return StepDef(step_id, title, role, "Kurasi", (SUBMIT,), sla=CURATION_TIME, remind_before=ONE_DAY,
                   escalate_to=ESCALATE)


DEFINITION = SopDefinition(
    id="gallery-curation",
    title="Fasilitasi Pemasaran Produk melalui Galeri",
    agency="jatim",
    description="Produk UKM dikurasi untuk dipajang dan dijual di galeri Dinas Koperasi dan UKM Provinsi Jawa Timur.",
    documents=DOCUMENT_KINDS,
    start_form=GalleryCurationForm,
    steps=(
        StepDef("check_documents", "Pemeriksaan kelengkapan berkas", "staf_galeri", "Pemeriksaan Berkas",
                (Action("accept", "Berkas lengkap"),
                 Action("return", "Kembalikan untuk dilengkapi", needs_reason=True, form=ReturnDocumentsForm)),
                sla=ONE_DAY, escalate_to=ESCALATE),
        StepDef("revise", "Unggah ulang berkas oleh pemohon", APPLICANT, "Perbaikan Berkas",
                (Action("resubmit", "Kirim ulang berkas"),),
                sla=SAMPLE_WAIT, remind_before=SAMPLE_REMIND, timeout_action="cancel"),
        StepDef("receive_sample", "Penyerahan sampel produk ke galeri", "staf_galeri", "Menunggu Sampel",
                (Action("receive", "Sampel diterima", form=SampleForm), CANCEL),
                sla=SAMPLE_WAIT, remind_before=SAMPLE_REMIND, remind_also=(APPLICANT,), timeout_action="cancel"),
        curation_step("curate_staff", "Kurasi oleh staf galeri", "staf_galeri"),
        curation_step("curate_expert", "Kurasi oleh tenaga ahli kurasi", "kurator"),
        StepDef("refer", "Rekomendasi fasilitasi ke bidang lain", "staf_galeri", "Rekomendasi Fasilitasi",
                (Action("refer", "Kirim rekomendasi fasilitasi", form=ReferForm),), sla=ONE_DAY, escalate_to=ESCALATE),
        StepDef("display", "Input stok dan display produk", "staf_galeri", "Display Produk",
                (Action("display", "Simpan stok dan display", form=DisplayForm),), sla=ONE_DAY, escalate_to=ESCALATE),
    ),
)

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
            CURATION_VERDICT, [f["recommendation"] for f in forms], result_type=str,
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
        return await self.finish(status=CaseStatus.REJECTED, stage="Tidak Lolos Kurasi")

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
                DISPLAY_PRODUCT, self.listing(entry), result_type=Listed,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY,
            )
            if listed.product_id is not None:
                break
            self.add_event("display", SYSTEM, "sku_taken", f"SKU {entry['sku']} sudah dipakai produk lain di galeri")
        self.data["display"] = {**entry, "product_id": listed.product_id, "barcode_type": listed.barcode_type}
        return await self.finish(status=CaseStatus.COMPLETED, stage="Terdisplay di Galeri", template="product_displayed",
                                 sku=entry["sku"], price=entry["price"])

    def listing(self, entry: dict[str, Any]) -> Listing:
        return Listing(
            case_id=self._case.case_id, agency=self._case.agency, sku=entry["sku"], stock=entry["stock"],
            price=entry["price"], product_name=self.data["product_name"], business_name=self.data["business_name"],
            category=self.data["category"], expiry_date=self.data.get("expiry_date"),
        )

    async def cancel(self, decision: Decision) -> DecisionResult:
        reason = TIMEOUT_REASONS[decision.step] if decision.actor.id is None else decision.reason
        return await self.finish(status=CaseStatus.CANCELLED, stage="Dibatalkan", template="cancelled", reason=reason)

    # ---- validation ---------------------------------------------------------------------------

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        return self.missing_uploads() if decision.action == "resubmit" else []

    def missing_uploads(self) -> list[dict[str, Any]]:
        uploaded = {d.kind for d in self.documents[self.uploads_at_return:]}
        still = [k for k in self.missing_kinds if k not in uploaded]
        if not still:
            return []
        return [{"loc": ["body", "documents"], "msg": f"Unggah ulang dokumen: {', '.join(labels(still))}"}]


# Seed 001 (its Dasar Hukum, Kelengkapan, Waktu and Output); the sample deadline is our rule.
STANDARD = ServiceStandard(
    requirements=(
        "KTP",
        "NIB",
        "Sertifikat P-IRT",
        "Perizinan/sertifikasi lain jika ada (Halal, SNI, HACCP, ISO, HKI/Merek)",
        "Formulir pendaftaran terisi",
        "Sampel produk beserta spesifikasinya (tanggal kedaluwarsa, dll.)",
    ),
    product="Hasil kurasi produk: produk yang lolos terinput dan terdisplay di galeri; yang tidak lolos mendapat "
            "keterangan penyebabnya dan direkomendasikan ke bidang lain untuk fasilitasi perizinan",
    time="5 hari kerja (pemeriksaan berkas 1 hari kerja, kurasi 3 hari kerja sejak sampel diterima, "
         "display atau rekomendasi 1 hari kerja)",
    legal_basis=(
        "Undang-Undang Nomor 25 Tahun 1992 tentang Perkoperasian",
        "Undang-Undang Nomor 20 Tahun 2008 tentang Usaha Mikro, Kecil dan Menengah",
        "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah",
        "Peraturan Pemerintah Nomor 18 Tahun 2016 tentang Perangkat Daerah",
        "Peraturan Menteri Dalam Negeri Nomor 52 Tahun 2011 tentang Standar Operasional Prosedur di Lingkungan "
        "Pemerintah Provinsi dan Kabupaten/Kota",
        "Peraturan Menteri PAN dan RB Nomor 35 Tahun 2012 tentang Pedoman Penyusunan Standar Operasional Prosedur "
        "Administrasi Pemerintahan",
        "Peraturan Daerah Provinsi Jawa Timur Nomor 4 Tahun 2007 tentang Pemberdayaan Koperasi dan UMKM",
        "Peraturan Daerah Provinsi Jawa Timur Nomor 6 Tahun 2011 tentang Pemberdayaan UMKM",
        "Peraturan Daerah Provinsi Jawa Timur Nomor 5 Tahun 2020 tentang Perubahan Ketiga atas Peraturan Daerah "
        "Nomor 11 Tahun 2016 tentang Pembentukan dan Susunan Perangkat Daerah",
        "Peraturan Gubernur Jawa Timur Nomor 91 Tahun 2021 tentang Kedudukan, Susunan Organisasi, Uraian Tugas dan "
        "Fungsi serta Tata Kerja Dinas Koperasi, Usaha Kecil dan Menengah",
        "Keputusan Gubernur Jawa Timur Nomor 188/31/KPTS/013/2022 tentang Tugas Kelompok Sub-Substansi dan Tugas "
        "Sub-Koordinator di Lingkungan Dinas Koperasi, Usaha Kecil dan Menengah",
    ),
    notes=("Permohonan dibatalkan bila berkas tidak dilengkapi atau sampel tidak diserahkan dalam 10 hari kerja.",),
)

SOP = SopModule(
    GalleryCurationWorkflow,
    standard=STANDARD,
    # The documents (KTP, NIB, P-IRT required) come as file parts of the same multipart start.
    intake=Intake(roles=("umkm",),
                  title=lambda data: f"{data.get('product_name', '')} — {data.get('business_name', '')}"),
    activities="activities.gallery",
    staff_only_steps=CURATORS,  # the applicant hears the verdict and its reasons, not each curator's scores
    api_routes=("api.routes.gallery",),
    pages=("api.pages.gallery",),
    data_labels={
        "product_name": "Nama produk", "sample": "Sampel", "description": "Keterangan", "quantity": "Jumlah",
        "curation": "Hasil kurasi", "result": "Hasil", "reasons": "Alasan",
        "missing_documents": "Berkas yang belum memenuhi", "display": "Display galeri", "sku": "SKU",
        "stock": "Stok", "price": "Harga jual (Rp)", "barcode_type": "Jenis barcode",
        "referrals": "Rujukan fasilitasi", "facilitation": "Fasilitasi",
    },
    value_labels={"result": RECOMMENDATIONS, "missing_documents": DOCUMENT_LABELS, "facilitation": FACILITATIONS,
                  "barcode_type": {"ean13": "EAN-13", "code128": "Code 128"}},
)

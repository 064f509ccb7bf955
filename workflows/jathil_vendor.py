"""jathil-vendor: a Ponorogo UMKM joins the JATHIL MART marketplace (seed 000, part I).

verify (field administrator) -> approve (main administrator) -> may sell.
The field administrator forwards or returns the application for revision; only the main administrator
may refuse it (seed 000 I.e), at the approve step.
"""

from typing import Any

from pydantic import Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.forms import Form, choice, widget
    from core.identifiers import Email, MobilePhone, Nib, Nik
    from core.messages import CaseStart, CaseStatus, Decision, DecisionResult

from workflows.module import Intake, ServiceStandard, SopModule
from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, StepDef

# The JATHIL MART product categories (also the East Java gallery's).
CATEGORIES = {
    "makanan_minuman": "Makanan dan minuman",
    "kerajinan": "Kerajinan",
    "fesyen": "Fesyen dan tekstil",
    "pertanian": "Hasil pertanian",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}
Category = choice(CATEGORIES)


class JathilVendorForm(Form):
    business_name: str = Field(min_length=1, max_length=200, title="Nama usaha")
    owner_name: str = Field(min_length=1, max_length=200, title="Nama pemilik")
    nik: Nik = Field(title="NIK", description="16 digit sesuai KTP")
    address: str = Field(min_length=1, max_length=500, title="Alamat", json_schema_extra=widget("textarea"))
    regency: str = Field(min_length=1, max_length=100, title="Kabupaten/Kota",
                         description="Hanya untuk IKM/UMKM Kabupaten Ponorogo",
                         json_schema_extra=widget("text", initial="Kabupaten Ponorogo"))
    phone: MobilePhone = Field(title="Nomor HP", description="Nomor aktif, contoh 081234567890")
    email: Email = Field(title="E-mail", description="E-mail aktif")
    category: Category = Field(title="Kategori")
    nib: Nib | None = Field(default=None, title="NIB", description="13 digit. Isi minimal salah satu: NIB, IUMK atau SIUP")
    iumk: str | None = Field(default=None, max_length=60, title="IUMK", description="Opsional bila NIB atau SIUP diisi")
    siup: str | None = Field(default=None, max_length=60, title="SIUP", description="Opsional bila NIB atau IUMK diisi")
    pirt: str | None = Field(default=None, max_length=60, title="P-IRT",
                             description="Wajib untuk usaha makanan dan minuman")
    not_repacker: bool = Field(title="Bukan re-packer produk pihak lain")
    not_reseller: bool = Field(title="Bukan reseller")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        # Seed 000: Ponorogo businesses only, with legality, P-IRT for food, no re-packers or resellers.
        problems = []
        if raw.get("regency") and "ponorogo" not in str(raw["regency"]).lower():
            problems.append(("regency", "Hanya IKM/UMKM Kabupaten Ponorogo yang dapat mendaftar"))
        if not any(raw.get(k) for k in ("nib", "iumk", "siup")):
            problems.append(("nib", "Wajib memiliki legalitas usaha: isi NIB, IUMK atau SIUP"))
        if raw.get("category") == "makanan_minuman" and not raw.get("pirt"):
            problems.append(("pirt", "Usaha makanan dan minuman wajib memiliki sertifikat P-IRT"))
        if raw.get("not_repacker") is False:
            problems.append(("not_repacker", "Usaha re-packer produk pihak lain tidak dapat mendaftar"))
        if raw.get("not_reseller") is False:
            problems.append(("not_reseller", "Reseller tidak dapat mendaftar"))
        return problems


ONE_DAY = WorkingTime(days=1)
REMIND = WorkingTime(minutes=120)
# Our rule: a returned application not corrected in 10 working days is cancelled (reminder 2 days before),
# so abandoned cases do not stay open in the administrators' lists.
REVISION_TIME = WorkingTime(days=10)
REVISION_REMIND = WorkingTime(days=2)
ABANDONED = "Perbaikan tidak dikirim dalam 10 hari kerja"

FORWARD = Action("forward", "Teruskan ke Administrator Utama")
RETURN = Action("return", "Kembalikan untuk perbaikan", needs_reason=True)
REJECT = Action("reject", "Tolak", needs_reason=True)
APPROVE = Action("approve", "Setujui")
RESUBMIT = Action("resubmit", "Kirim ulang perbaikan", form=JathilVendorForm)

DEFINITION = SopDefinition(
    id="jathil-vendor",
    title="Pendaftaran Penjual JATHIL MART",
    agency="ponorogo",
    description="IKM/UMKM Kabupaten Ponorogo mendaftar untuk berjualan di JATHIL MART.",
    start_form=JathilVendorForm,
    steps=(
        # Seed 000 I.e: refusing is the main administrator's (at approve). "reject" was once offered
        # here: retired, so cases whose history holds a verify reject still replay.
        StepDef("verify", "Verifikasi persyaratan", "admin_bidang", "Verifikasi", (FORWARD, RETURN),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("admin_utama",),
                second_escalation_after=ONE_DAY, second_escalate_to=("kepala_dinas",), retired=(REJECT,)),
        StepDef("revise", "Perbaikan data oleh pemohon", APPLICANT, "Perbaikan", (RESUBMIT,),
                sla=REVISION_TIME, remind_before=REVISION_REMIND, timeout_action="cancel",
                notify_on_open=False),  # the "returned" e-mail tells the applicant
        # Late approval goes to the head of agency: the main administrator is the one who is late.
        # Nobody stands above the Kepala Dinas, so the second escalation (a working day later) tells
        # the Kepala Dinas again that the case is still waiting.
        StepDef("approve", "Validasi dan persetujuan", "admin_utama", "Persetujuan", (APPROVE, REJECT),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("kepala_dinas",),
                second_escalation_after=ONE_DAY, second_escalate_to=("kepala_dinas",)),
    ),
)


@workflow.defn(name="jathil-vendor")
class JathilVendorWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        while True:
            verdict = await self.step("verify")
            # The verify step no longer offers "reject" (seed 000 I.e: only the main administrator
            # refuses), so no new decision takes this branch; cases whose history holds a verify
            # reject (taken before that rule, see StepDef.retired) still replay through it.
            if verdict.action == "reject":
                return await self.refuse(verdict)
            if verdict.action == "return":
                self.notify("returned", self.applicant(), "verify", reason=verdict.reason)
                revision = await self.step("revise")
                if revision.action == "cancel":
                    return await self.finish(status=CaseStatus.CANCELLED, stage="Dibatalkan", template="cancelled", reason=ABANDONED)
                self.data = self.clean(revision)
                continue
            approval = await self.step("approve")
            if approval.action == "reject":
                return await self.refuse(approval)
            self.data["may_sell"] = True
            return await self.finish(status=CaseStatus.COMPLETED, stage="Disetujui", template="approved")

    async def refuse(self, decision: Decision) -> DecisionResult:
        return await self.finish(status=CaseStatus.REJECTED, stage="Ditolak", template="rejected", reason=decision.reason)


# Seed 000, part I; the time is our rule (1 working day per step).
STANDARD = ServiceStandard(
    requirements=(
        "IKM/UMKM Kabupaten Ponorogo",
        "Memiliki legalitas usaha: IUMK, SIUP atau NIB",
        "Memiliki sertifikat P-IRT bagi IKM/UMKM makanan dan minuman",
        "Bukan usaha pengemasan ulang (repacking) produk IKM/UMKM lain dan bukan penjual ulang (reseller)",
        "Memiliki nomor telepon yang aktif dan dapat dihubungi",
        "Memiliki e-mail aktif",
    ),
    product="Persetujuan sebagai penjual JATHIL MART: promosi dan pemasaran produk IKM/UMKM Kabupaten Ponorogo",
    time="2 hari kerja (verifikasi 1 hari kerja, persetujuan 1 hari kerja)",
    notes=("Permohonan yang dikembalikan dan tidak diperbaiki dalam 10 hari kerja dibatalkan.",),
)

SOP = SopModule(
    JathilVendorWorkflow,
    intake=Intake(roles=("umkm",), title=lambda data: data.get("business_name", "")),
    api_routes=("api.routes.jathil",),
    pages=("api.pages.jathil",),
    data_labels={"may_sell": "Boleh berjualan"},
    standard=STANDARD,
)

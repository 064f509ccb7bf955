"""eorder-vendor: a UMKM registers as a supplier in DKI Jakarta's e-order catalogue (seed 002, parts 1-2).

Pengisian Data (the applicant completes the profile) -> Penunjukan Pembina (the Satpel assigns a
PJLP companion) -> Pengecekan PJLP (only that PJLP checks, corrects and confirms) -> Pengecekan Satpel
(confirms, or returns to the PJLP) -> Pengajuan (the e-order admin activates) -> Terdaftar.
The Satpel works two queues, PKT and Non-PKT: same steps.
"""

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from sqlmodel import col, select

    from core.calendar import WorkingTime
    from core.forms import Form, choice, field_labels, widget
    from core.identifiers import Email, MobilePhone, Nib, Nik
    from core.messages import CaseStart, CaseStatus, Decision, DecisionResult
    from core.models import Case
    from core.models_eorder import find_skpd

from workflows.module import Intake, IntakeRefused, ServiceStandard, SopModule
from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, StepDef, assignee_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from core.models import User

# ---- forms ---------------------------------------------------------------------------------

CATEGORIES = {
    "makanan_minuman": "Makanan dan minuman",
    "alat_tulis_kantor": "Alat tulis kantor",
    "kerajinan": "Kerajinan dan suvenir",
    "fesyen": "Fesyen dan tekstil",
    "kebersihan": "Perlengkapan kebersihan",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}
Category = choice(CATEGORIES)
MSG_BANK_ACCOUNT = "Nomor rekening harus 5 sampai 20 digit angka"


def _bank_account(value: str) -> str:
    digits = re.sub(r"[\s.\-]", "", value)
    if not re.fullmatch(r"[0-9]{5,20}", digits):
        raise PydanticCustomError("bank_account", MSG_BANK_ACCOUNT)
    return digits


BankAccount = Annotated[str, AfterValidator(_bank_account), Field(json_schema_extra=widget("digits"))]


class VendorStart(Form):
    """Sign-up for e-order: the SKPD Pembina and the PKT programme flag."""

    skpd: str = Field(min_length=1, max_length=20, title="Kode SKPD Pembina",
                      description="Contoh 141732 (Badan Pelayanan Pengadaan Barang/Jasa)",
                      json_schema_extra=widget("digits", initial="141732"))
    pkt: bool = Field(title="Peserta program PKT")


class VendorProfile(Form):
    """The supplier profile the applicant completes and the PJLP may correct."""

    business_name: str = Field(min_length=1, max_length=200, title="Nama usaha")
    owner_name: str = Field(min_length=1, max_length=200, title="Nama pemilik")
    nik: Nik = Field(title="NIK pemilik", description="16 digit sesuai KTP")
    phone: MobilePhone = Field(title="No. handphone", description="Nomor aktif, contoh 081234567890")
    email: Email = Field(title="Alamat e-mail")
    address: str = Field(min_length=1, max_length=500, title="Alamat usaha", json_schema_extra=widget("textarea"))
    category: Category = Field(title="Kategori usaha")
    nib: Nib = Field(title="NIB (izin usaha)", description="13 digit dari OSS")
    pkp: bool = Field(title="Pengusaha Kena Pajak (PKP)")
    bank_name: str = Field(min_length=1, max_length=100, title="Nama bank")
    bank_account: BankAccount = Field(title="Nomor rekening")


# ---- the SOP -------------------------------------------------------------------------------

# Our rule (configurable per step through ALUR_SLA_OVERRIDES): two working days per staff step.
TWO_DAYS = WorkingTime(days=2)
REMIND = WorkingTime(minutes=120)
# Our rule: a draft (the profile here, a product in eorder-product) not confirmed within about 30 days is
# cancelled, with a reminder to the applicant about 5 days before. Time standards count working time:
# 21 working days are about 30 calendar days (four weeks and a day), 4 working days about 5-6. The 21 is
# set per step with ALUR_SLA_OVERRIDES, e.g. {"eorder-vendor.fill_profile": "21d", "eorder-product.draft": "21d"};
# the reminder's lead is fixed here. Drafts opened before this rule keep no deadline (the patch below).
DRAFT_TIME = WorkingTime(days=21)
DRAFT_REMIND = WorkingTime(days=4)
DRAFT_PATCH = "draft-deadline"
DRAFT_CLOSED = {  # how a draft ends without being confirmed: the reason the applicant reads
    "withdraw": "Ditarik oleh pemohon",
    "cancel": "Data tidak dikonfirmasi dalam 30 hari (21 hari kerja)",  # the timeout_action
}
LABELS = field_labels(VendorProfile)

SAVE = Action("save", "Simpan", closes_step=False, form=VendorProfile, fills="draft")
EDIT = Action("edit", "Simpan koreksi", closes_step=False, form=VendorProfile, fills="record")
CONFIRM_PROFILE = Action("confirm", "Konfirmasi", form=VendorProfile, fills="record")
CONFIRM = Action("confirm", "Konfirmasi")
CHECK_PAGE = ("/eorder/periksa/{case_id}", "Buka halaman pemeriksaan")
ASSIGN = Action("assign", "Tunjuk PJLP", assigns="pjlp")
RETURN = Action("return", "Kembalikan ke PJLP", needs_reason=True)
ACTIVATE = Action("activate", "Aktifkan akun e-order")
WITHDRAW = Action("withdraw", "Batalkan pendaftaran")

DEFINITION = SopDefinition(
    id="eorder-vendor",
    title="Pendaftaran Penyedia UMKM E-Order",
    agency="dki",
    description="UMKM mendaftar sebagai penyedia pada katalog e-order Pemerintah Provinsi DKI Jakarta.",
    start_form=VendorStart,
    steps=(
        StepDef("fill_profile", "Pengisian data profil", APPLICANT, "Pengisian Data", (SAVE, CONFIRM_PROFILE, WITHDRAW),
                notify_on_open=False, sla=DRAFT_TIME, remind_before=DRAFT_REMIND, timeout_action="cancel",
                sla_patch=DRAFT_PATCH),
        StepDef("assign_pjlp", "Penunjukan Admin/PJLP pendamping", "satpel", "Penunjukan Pembina", (ASSIGN,),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("admin_eorder",),
                page=("/eorder/registrasi/{case_id}/pjlp", "Buka halaman penunjukan PJLP")),
        StepDef("pjlp_check", "Pengecekan data oleh PJLP", "pjlp", "Pengecekan PJLP", (EDIT, CONFIRM),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("satpel",), page=CHECK_PAGE),
        StepDef("satpel_check", "Pengecekan dan verifikasi Satpel", "satpel", "Pengecekan Satpel", (CONFIRM, RETURN),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("admin_eorder",)),
        StepDef("activate", "Aktivasi akun e-order", "admin_eorder", "Pengajuan", (ACTIVATE,),
                sla=TWO_DAYS, remind_before=REMIND),
    ),
)


@workflow.defn(name="eorder-vendor")
class EorderVendorWorkflow(SopWorkflow):
    definition = DEFINITION
    unit_from = "skpd"  # a registration waits for its own SKPD Pembina: only that SKPD's Satpel and PJLP see it
    # A draft saved and an entry edited again and again: the case continues as new before its history
    # grows too long (the script is steps only, and its state is self.data).
    continues_as_new = True

    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        super().__init__()
        self.resume(start)  # a run continued as new: the open step is there before any decision arrives

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        confirmed = await self.step("fill_profile")
        if confirmed.action in DRAFT_CLOSED:  # withdrawn, or not confirmed in time
            return await self.finish(status=CaseStatus.CANCELLED, stage="Dibatalkan", template="cancelled", reason=DRAFT_CLOSED[confirmed.action])
        self.data.update(self.clean(confirmed))  # complete: the validator saw to it
        queue = "PKT" if self.data["pkt"] else "Non-PKT"
        self.retitle(queue)
        pjlp = assignee_of(await self.step("assign_pjlp", queue=queue))
        self.data["pjlp"] = {"id": pjlp.id, "name": pjlp.name, "role": pjlp.role, "agency": pjlp.agency}
        while True:
            await self.step("pjlp_check", assignee=pjlp, queue=queue)
            self.retitle(queue)  # the PJLP may have corrected the business name
            if (await self.step("satpel_check", queue=queue)).action == "confirm":
                break
        await self.step("activate", queue=queue)
        return await self.finish(status=CaseStatus.COMPLETED, stage="Terdaftar", template="eorder_registered")

    def event_data(self, decision: Decision) -> dict[str, Any]:
        """A withdrawal keeps no data (the case page sends the form's fields with every button)."""
        return {} if decision.action == "withdraw" else super().event_data(decision)

    def retitle(self, queue: str) -> None:
        """The Satpel's lists name the business, not the SKPD, once the profile gives it."""
        self.title = f"{self.data['business_name']} · {queue}"

    def on_open_action(self, decision: Decision) -> None:
        if decision.action == "edit":
            self.record_edit(decision, self.clean(decision), LABELS)
            return
        draft = self.clean(decision)  # the validator checked these fields; the others may still be missing
        self.data = {**{k: v for k, v in self.data.items() if k not in VendorProfile.model_fields}, **draft}
        self.add_event(decision.step, decision.actor, decision.action, data=decision.data or {})


# ---- intake --------------------------------------------------------------------------------


def registration_of(session: "Session", user: "User") -> Case | None:
    """The account's registration that is still running or done (a refused one does not count)."""
    query = select(Case).where(Case.sop == DEFINITION.id, Case.applicant_id == user.id,
                               col(Case.status).in_(("open", "completed")))
    return session.exec(query.order_by(col(Case.created_at).desc())).first()


def prepare(session: "Session", user: "User", data: dict[str, Any]) -> dict[str, Any]:
    skpd = find_skpd(session, DEFINITION.agency, data["skpd"])
    if skpd is None:
        raise IntakeRefused.bad_field("skpd", "Kode SKPD Pembina tidak dikenal; pilih dari daftar SKPD")
    if (existing := registration_of(session, user)) is not None:
        raise IntakeRefused(409, f"Akun ini sudah memiliki pendaftaran penyedia e-order ({existing.id})")
    return {**data, "skpd": skpd.code, "skpd_name": skpd.name}


# Seed 002, parts 1-2; the time is our rule (2 working days per staff step).
STANDARD = ServiceStandard(
    requirements=(
        "Satu alamat e-mail aktif untuk satu UMKM",
        "Memilih SKPD Pembina",
        "Data profil lengkap: nama usaha, info pemilik, nomor HP, e-mail, info dan kategori usaha, izin usaha (NIB), "
        "PKP/Non-PKP, bank, PKT/Non-PKT",
    ),
    product="Akun penyedia UMKM berstatus Terdaftar di e-order Pemerintah Provinsi DKI Jakarta, "
            "sehingga dapat mendaftarkan produk",
    time="8 hari kerja sejak data profil dikonfirmasi (penunjukan PJLP, pengecekan PJLP, pengecekan Satpel dan "
         "aktivasi, masing-masing 2 hari kerja)",
)

SOP = SopModule(
    EorderVendorWorkflow,
    standard=STANDARD,
    intake=Intake(roles=("umkm",), prepare=prepare,
                  title=lambda data: f"Penyedia {'PKT' if data['pkt'] else 'Non-PKT'} · SKPD {data['skpd']}"),
    api_routes=("api.routes.eorder",),
    pages=("api.pages.eorder",),
    start_page="/eorder",
    data_labels={**LABELS, "skpd_name": "Nama SKPD Pembina", "pjlp": "Admin/PJLP pendamping"},
)

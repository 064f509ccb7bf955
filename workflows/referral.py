"""referral: a case opened by another case (gallery-curation step 8) for a receiving division.

The division's head (kepala_bidang) acknowledges the referral, facilitates, then closes it with a note.
The case's queue is the facilitation (halal, standards, ip, pirt), so each division filters its inbox.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.messages import CaseStart, CaseStatus, DecisionResult

from workflows.module import ServiceStandard, SopModule
from workflows.sop import Action, SopDefinition, SopWorkflow, StepDef

ONE_DAY = WorkingTime(days=1)
FACILITATION_TIME = WorkingTime(days=20)  # our rule; ALUR_SLA_OVERRIDES {"referral.close": "..."}
# The divisions a product that failed gallery curation is referred to (seed 001 step 8): the queues.
FACILITATIONS = {
    "halal": "Fasilitasi Sertifikasi Halal",
    "standards": "Standardisasi dan Sertifikasi (SNI/HACCP/ISO)",
    "ip": "Fasilitasi Pendaftaran Kekayaan Intelektual",
    "pirt": "Fasilitasi Perizinan P-IRT",
}

DEFINITION = SopDefinition(
    id="referral",
    title="Rujukan Fasilitasi UMKM",
    agency="jatim",
    description="Rujukan antarbidang: UMKM yang tidak lolos kurasi difasilitasi perizinan atau sertifikasinya.",
    steps=(
        StepDef("acknowledge", "Terima rujukan", "kepala_bidang", "Rujukan Masuk",
                (Action("acknowledge", "Terima rujukan"),),
                sla=ONE_DAY, escalate_to=("kepala_dinas",)),
        StepDef("close", "Fasilitasi dan tutup rujukan", "kepala_bidang", "Dalam Fasilitasi",
                (Action("close", "Tutup dengan catatan", needs_reason=True),),
                sla=FACILITATION_TIME, remind_before=WorkingTime(days=2), escalate_to=("kepala_dinas",)),
    ),
)


@workflow.defn(name="referral")
class ReferralWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        division = str(start.data.get("facilitation") or "") or None
        await self.step("acknowledge", queue=division)
        closing = await self.step("close", queue=division)
        self.data["closing_note"] = closing.reason
        return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai", template="referral_closed", reason=closing.reason)


# Opened only by gallery-curation (seed 001 step 8); the facilitation time is our rule.
STANDARD = ServiceStandard(
    requirements=(
        "Dirujuk dari kurasi galeri (Fasilitasi Pemasaran Produk melalui Galeri): produk UKM tidak lolos seleksi",
        "Hasil kurasi dan keterangan penyebab tidak lolos seleksi",
    ),
    product="Fasilitasi perizinan atau sertifikasi produk UKM (Halal, SNI/HACCP/ISO, kekayaan intelektual, P-IRT)",
    time="21 hari kerja (terima rujukan 1 hari kerja, fasilitasi 20 hari kerja)",
    notes=("Rujukan dibuka oleh staf galeri; pemohon tidak mengajukannya sendiri.",),
)

SOP = SopModule(
    ReferralWorkflow,
    standard=STANDARD,
    data_labels={"facilitation": "Fasilitasi", "note": "Catatan", "closing_note": "Catatan penutupan",
                 "reasons": "Alasan", "missing_documents": "Berkas yang belum memenuhi"},
    value_labels={"facilitation": FACILITATIONS},
)

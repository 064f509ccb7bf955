"""jathil-vendor: a Ponorogo UMKM joins the JATHIL MART marketplace (seed 000, part I).

verify (field administrator) -> approve (main administrator) -> may sell.
The field administrator may return the application for revision or refuse it.
"""

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.forms import check
    from core.forms.jathil import JathilVendorForm
    from core.messages import CaseStart, Decision, DecisionResult

from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, StepDef

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
RESUBMIT = Action("resubmit", "Kirim ulang perbaikan")

DEFINITION = SopDefinition(
    id="jathil-vendor",
    title="Pendaftaran Penjual JATHIL MART",
    agency="ponorogo",
    description="IKM/UMKM Kabupaten Ponorogo mendaftar untuk berjualan di JATHIL MART.",
    steps=(
        StepDef("verify", "Verifikasi persyaratan", "admin_bidang", "Verifikasi", (FORWARD, RETURN, REJECT),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("admin_utama",),
                second_escalation_after=ONE_DAY, second_escalate_to=("kepala_dinas",)),
        StepDef("revise", "Perbaikan data oleh pemohon", APPLICANT, "Perbaikan", (RESUBMIT,),
                sla=REVISION_TIME, remind_before=REVISION_REMIND, timeout_action="cancel",
                notify_on_open=False),  # the "returned" e-mail tells the applicant
        StepDef("approve", "Validasi dan persetujuan", "admin_utama", "Persetujuan", (APPROVE, REJECT),
                sla=ONE_DAY, remind_before=REMIND, escalate_to=("admin_utama",),
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
            if verdict.action == "reject":
                return await self.refuse(verdict)
            if verdict.action == "return":
                self.notify("returned", self.applicant(), "verify", reason=verdict.reason)
                revision = await self.step("revise")
                if revision.action == "cancel":
                    return await self.finish("cancelled", "Dibatalkan", "cancelled", reason=ABANDONED)
                self.data = check(JathilVendorForm, revision.data or {})[0]
                continue
            approval = await self.step("approve")
            if approval.action == "reject":
                return await self.refuse(approval)
            self.data["may_sell"] = True
            return await self.finish("completed", "Disetujui", "approved")

    async def refuse(self, decision: Decision) -> DecisionResult:
        return await self.finish("rejected", "Ditolak", "rejected", reason=decision.reason)

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        if decision.action != "resubmit":
            return []
        return check(JathilVendorForm, decision.data or {}, ("body", "data"))[1]

    def event_data(self, decision: Decision) -> dict[str, Any]:
        if decision.action == "resubmit":
            return check(JathilVendorForm, decision.data or {})[0]
        return decision.data or {}

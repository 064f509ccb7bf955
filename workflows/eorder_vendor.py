"""eorder-vendor: a UMKM registers as a supplier in DKI Jakarta's e-order catalogue (seed 002, parts 1-2).

Pengisian Data (the applicant completes the profile) -> Penunjukan Pembina (the Satpel assigns a
PJLP companion) -> Pengecekan PJLP (only that PJLP checks, corrects and confirms) -> Pengecekan Satpel
(confirms, or returns to the PJLP) -> Pengajuan (the e-order admin activates) -> Terdaftar.
The Satpel works two queues, PKT and Non-PKT: same steps.
"""

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.forms import check, check_draft, field_labels, form_values
    from core.forms.eorder import VendorProfile
    from core.messages import CaseStart, Decision, DecisionResult

from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, StepDef, assignee_of

# Our rule (configurable per step through ALUR_SLA_OVERRIDES): two working days per staff step.
TWO_DAYS = WorkingTime(days=2)
REMIND = WorkingTime(minutes=120)
LABELS = field_labels(VendorProfile)

SAVE = Action("save", "Simpan", closes_step=False)
EDIT = Action("edit", "Simpan koreksi", closes_step=False)
CONFIRM = Action("confirm", "Konfirmasi")
ASSIGN = Action("assign", "Tunjuk PJLP", assigns="pjlp")
RETURN = Action("return", "Kembalikan ke PJLP", needs_reason=True)
ACTIVATE = Action("activate", "Aktifkan akun e-order")

DEFINITION = SopDefinition(
    id="eorder-vendor",
    title="Pendaftaran Penyedia UMKM E-Order",
    agency="dki",
    description="UMKM mendaftar sebagai penyedia pada katalog e-order Pemerintah Provinsi DKI Jakarta.",
    steps=(
        StepDef("fill_profile", "Pengisian data profil", APPLICANT, "Pengisian Data", (SAVE, CONFIRM),
                notify_on_open=False),
        StepDef("assign_pjlp", "Penunjukan Admin/PJLP pendamping", "satpel", "Penunjukan Pembina", (ASSIGN,),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("admin_eorder",)),
        StepDef("pjlp_check", "Pengecekan data oleh PJLP", "pjlp", "Pengecekan PJLP", (EDIT, CONFIRM),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("satpel",)),
        StepDef("satpel_check", "Pengecekan dan verifikasi Satpel", "satpel", "Pengecekan Satpel", (CONFIRM, RETURN),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("admin_eorder",)),
        StepDef("activate", "Aktivasi akun e-order", "admin_eorder", "Pengajuan", (ACTIVATE,),
                sla=TWO_DAYS, remind_before=REMIND),
    ),
)


@workflow.defn(name="eorder-vendor")
class EorderVendorWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        confirmed = await self.step("fill_profile")
        self.data.update(check(VendorProfile, self.with_profile(confirmed))[0])  # complete: the validator saw to it
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
        return await self.finish("completed", "Terdaftar", "eorder_registered")

    def retitle(self, queue: str) -> None:
        """The Satpel's lists name the business, not the SKPD, once the profile gives it."""
        self.title = f"{self.data['business_name']} · {queue}"

    def with_profile(self, decision: Decision) -> dict[str, Any]:
        return form_values(VendorProfile, self.data, decision.data)

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        prefix = ("body", "data")
        if decision.action == "save":
            return check_draft(VendorProfile, form_values(VendorProfile, self.data), decision.data or {}, prefix)[1]
        if decision.action == "edit" or (decision.action == "confirm" and decision.step == "fill_profile"):
            return check(VendorProfile, self.with_profile(decision), prefix)[1]
        return []

    def on_open_action(self, decision: Decision) -> None:
        if decision.action == "edit":
            self.record_edit(decision, check(VendorProfile, self.with_profile(decision))[0], LABELS)
            return
        draft, errors = check_draft(VendorProfile, form_values(VendorProfile, self.data), decision.data or {})
        if not errors:  # the validator checked these fields; their validity does not depend on the others
            self.data = {**{k: v for k, v in self.data.items() if k not in VendorProfile.model_fields}, **draft}
        self.add_event(decision.step, decision.actor, decision.action, data=decision.data or {})

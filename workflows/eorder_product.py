"""eorder-product: a registered supplier's product is checked and published in e-order (seed 002, part 3).

Draft (the applicant saves, then confirms) -> Pengajuan (the supplier's own PJLP edits, rejects back
to the draft, or processes) -> Penayangan (the Satpel processes) -> Tayang: in the public catalogue.
"""

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.forms import check, field_labels, form_values
    from core.forms.eorder import Product
    from core.messages import CaseStart, Decision, DecisionResult, Person

from workflows.eorder_vendor import CONFIRM, EDIT, REMIND, SAVE, TWO_DAYS  # as for the registration
from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, StepDef

LABELS = field_labels(Product)

REJECT = Action("reject", "Tolak", needs_reason=True)
PROCESS = Action("process", "Proses")

DEFINITION = SopDefinition(
    id="eorder-product",
    title="Pendaftaran Produk E-Order",
    agency="dki",
    description="Penyedia UMKM yang sudah Terdaftar mengajukan produk untuk ditayangkan di katalog e-order.",
    steps=(
        StepDef("draft", "Pengisian detail produk", APPLICANT, "Draft", (SAVE, CONFIRM), notify_on_open=False),
        StepDef("pjlp_verify", "Verifikasi produk oleh PJLP", "pjlp", "Pengajuan", (EDIT, REJECT, PROCESS),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("satpel",)),
        StepDef("satpel_publish", "Verifikasi penayangan oleh Satpel", "satpel", "Penayangan", (PROCESS,),
                sla=TWO_DAYS, remind_before=REMIND, escalate_to=("admin_eorder",)),
    ),
)


@workflow.defn(name="eorder-product")
class EorderProductWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        pjlp = Person(**start.data["pjlp"])  # the PJLP the Satpel assigned to this supplier
        while True:
            confirmed = await self.step("draft")
            self.data.update(check(Product, self.with_product(confirmed))[0])
            verdict = await self.step("pjlp_verify", assignee=pjlp)
            if verdict.action == "process":
                break
            self.notify("returned", self.applicant(), "pjlp_verify", reason=verdict.reason)
        await self.step("satpel_publish")
        return await self.finish("completed", "Tayang", "eorder_published")

    def with_product(self, decision: Decision) -> dict[str, Any]:
        return form_values(Product, self.data, decision.data)

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        if decision.action in ("save", "confirm", "edit"):
            return check(Product, self.with_product(decision), ("body", "data"))[1]
        return []

    def on_open_action(self, decision: Decision) -> None:
        clean = check(Product, self.with_product(decision))[0]
        if decision.action == "edit":
            self.record_edit(decision, clean, LABELS)
            return
        self.data.update(clean)
        self.add_event(decision.step, decision.actor, decision.action, data=decision.data or {})

"""A test-only SOP with a case-level time standard (SpanDef): from the opening of step 1 ("verify") to the
closing of step 2 ("deliver"), then a last step without a deadline ("archive") so that a test sees the
span end while the case is still open. Its length depends on the case data through `span_sla`, as the
jathil-order delivery time depends on the destination."""

from pydantic import Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.forms import Form
    from core.messages import CaseStart, CaseStatus, DecisionResult

from workflows.module import Intake, SopModule
from workflows.sop import Action, SopDefinition, SopWorkflow, SpanDef, StepDef


class SpanForm(Form):
    topic: str = Field(min_length=1, max_length=100, title="Pokok permohonan uji")
    outside: bool = Field(default=False, title="Tujuan di luar kabupaten")


OUTSIDE = WorkingTime(days=5)  # the SOP's own rule: farther destinations get more time

DEFINITION = SopDefinition(
    id="span-test",
    title="Layanan Uji Waktu Layanan",
    agency="ponorogo",
    description="Hanya untuk pengujian.",
    start_form=SpanForm,
    steps=(
        StepDef("verify", "Verifikasi permohonan uji", "admin_bidang", "Verifikasi", (Action("valid", "Sah"),)),
        StepDef("deliver", "Penyerahan hasil uji", "admin_bidang", "Penyerahan", (Action("delivered", "Diterima"),)),
        StepDef("archive", "Pengarsipan", "admin_bidang", "Pengarsipan", (Action("done", "Selesai"),)),
    ),
    spans=(
        SpanDef("service", "Waktu layanan uji", starts_at_step="verify", ends_at_step="deliver",
                sla=WorkingTime(days=3), remind_before=WorkingTime(minutes=120), escalate_to=("admin_utama",),
                second_escalation_after=WorkingTime(days=1), second_escalate_to=("kepala_dinas",)),
    ),
)


@workflow.defn(name="span-test")
class SpanTestWorkflow(SopWorkflow):
    definition = DEFINITION

    def span_sla(self, span: SpanDef) -> WorkingTime | None:
        return OUTSIDE if self.data.get("outside") else span.sla

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        await self.step("verify")
        await self.step("deliver")
        await self.step("archive")
        return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai", template="approved")


SOP = SopModule(SpanTestWorkflow, intake=Intake(title=lambda data: data["topic"]))

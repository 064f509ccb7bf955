"""A small SOP that exists only in tests: it proves that adding an SOP is one module and one registration."""

from pydantic import Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.forms import Form
    from core.messages import CaseStart, CaseStatus, DecisionResult

from workflows.module import Intake, SopModule
from workflows.sop import Action, SopDefinition, SopWorkflow, StepDef


class ThrowawayForm(Form):
    topic: str = Field(min_length=1, max_length=100, title="Pokok permohonan uji")


DEFINITION = SopDefinition(
    id="throwaway",
    title="Layanan Uji Sekali Pakai",
    agency="ponorogo",
    description="Hanya untuk pengujian.",
    start_form=ThrowawayForm,
    steps=(StepDef("handle", "Tangani permohonan uji", "admin_bidang", "Ditangani", (Action("done", "Selesai"),),
                   sla=WorkingTime(days=1)),),
)


@workflow.defn(name="throwaway")
class ThrowawayWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        await self.step("handle")
        return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai", template="approved")


SOP = SopModule(ThrowawayWorkflow, intake=Intake(title=lambda data: data["topic"]))


@workflow.defn(name="throwaway-unit")
class ThrowawayUnitWorkflow(ThrowawayWorkflow):
    """The same SOP with a unit inside the agency, read from the case's `topic` (tests/workflows/test_units.py)."""

    unit_from = "topic"

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        return await super().run(start)

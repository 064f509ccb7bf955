from fastapi import APIRouter, Request
from pydantic import BaseModel

from api import service
from api.deps import CurrentUser, EngineDep, SettingsDep, TemporalClientDep
from api.documents import start_body
from api.views import CaseView
from workflows import INTAKES, SOPS

router = APIRouter(prefix="/sops", tags=["sops"])


class ActionOut(BaseModel):
    id: str
    label: str
    needs_reason: bool
    assigns: str | None = None  # data[<this role>] names the person (user id or e-mail) for a later step


class StepOut(BaseModel):
    id: str
    title: str
    role: str
    stage: str
    sla: str | None
    actions: list[ActionOut]


class SopOut(BaseModel):
    id: str
    title: str
    agency: str
    description: str
    applicant_roles: list[str]
    steps: list[StepOut]


def sop_out(sop_id: str) -> SopOut:
    definition = SOPS[sop_id]
    intake = INTAKES.get(sop_id)
    return SopOut(
        id=definition.id, title=definition.title, agency=definition.agency, description=definition.description,
        applicant_roles=list(intake.roles) if intake else [],
        steps=[
            StepOut(id=s.id, title=s.title, role=s.role, stage=s.stage, sla=s.sla.describe() if s.sla else None,
                    actions=[ActionOut(id=a.id, label=a.label, needs_reason=a.needs_reason, assigns=a.assigns) for a in s.actions])
            for s in definition.steps
        ],
    )


@router.get("", response_model=list[SopOut])
def catalogue() -> list[SopOut]:
    return [sop_out(s) for s in SOPS]


START_DOC = {"requestBody": {"content": {
    "application/json": {"schema": {"type": "object"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"data": {"type": "string"}}}},
}}}


@router.post("/{sop}/cases", response_model=CaseView, status_code=201, openapi_extra=START_DOC)
async def start(*, sop: str, request: Request, user: CurrentUser, client: TemporalClientDep,
                settings: SettingsDep, engine: EngineDep) -> CaseView:
    """Starts a case; the body is the SOP's form as JSON, or multipart: the form as JSON in `data` and
    one file part per document named by its kind. 422 lists one Indonesian message per bad field."""
    body, files = await start_body(request, settings)
    return await service.open_case(client, settings, engine, user, sop, body, files)

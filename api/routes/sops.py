from fastapi import APIRouter, Request
from pydantic import BaseModel

from api import service
from api.deps import EngineDep, OptionalUser, SettingsDep, TemporalClientDep
from api.documents import start_body
from api.errors import ApiError
from api.intake import Visitor, client_address, way_in
from api.views import CaseView
from core.calendar import parse_working_time
from core.config import Settings
from core.roles import ROLE_TITLES, complaint_channels
from workflows import INTAKES, REGISTRY, SOPS
from workflows.module import SopModule
from workflows.sop import StepDef

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


class ProcedureStepOut(BaseModel):
    step: str  # the step's id
    title: str
    actor: str  # who acts, in Indonesian ("Pemohon" for the applicant's own steps)
    time: str  # the step's time standard, as the engine enforces it (ALUR_SLA_OVERRIDES included)


class StandardOut(BaseModel):
    """The published service standard (Permenpan RB 15/2014), in Indonesian."""

    requirements: list[str]
    procedure: list[ProcedureStepOut]  # one entry per step of the SOP, in its order
    time: str  # the whole service
    cost: str
    product: str
    complaint_channels: list[str]
    legal_basis: list[str] = []
    notes: list[str] = []


class SopOut(BaseModel):
    id: str
    title: str
    agency: str
    description: str
    applicant_roles: list[str]
    intake_staff_roles: list[str] = []  # staff who register a case for someone without an account
    public: bool = False  # anyone may start one without an account
    steps: list[StepOut]
    standard: StandardOut | None = None  # None while the SOP publishes none


UNKNOWN_SOP = "Layanan tidak ditemukan"
APPLICANT_TIME = "Sesuai kesiapan pemohon"  # an applicant's step without a time standard
NO_TIME = "Tidak ditentukan"


def step_time(sop: str, step: StepDef, settings: Settings) -> str:
    override = settings.sla_overrides.get(f"{sop}.{step.id}")
    sla = parse_working_time(override) if override else step.sla
    if sla is not None:
        return sla.describe()
    return APPLICANT_TIME if step.applicant_step else NO_TIME


def standard_out(module: SopModule, settings: Settings) -> StandardOut | None:
    """What the SOP states, with the procedure derived from its steps and its agency's complaint channels."""
    standard, definition = module.standard, module.definition
    if standard is None:
        return None
    procedure = [
        ProcedureStepOut(step=s.id, title=s.title, time=step_time(definition.id, s, settings),
                         actor="Pemohon" if s.applicant_step else ROLE_TITLES.get(s.role, s.role))
        for s in definition.steps
    ]
    return StandardOut(
        requirements=list(standard.requirements), procedure=procedure, time=standard.time, cost=standard.cost,
        product=standard.product,
        complaint_channels=list(complaint_channels(definition.agency, settings.complaint_channels)),
        legal_basis=list(standard.legal_basis), notes=list(standard.notes),
    )


def sop_out(sop_id: str, settings: Settings) -> SopOut:
    module = REGISTRY.get(sop_id)
    if module is None:
        raise ApiError(404, UNKNOWN_SOP)
    definition = module.definition
    intake = INTAKES.get(sop_id)
    return SopOut(
        id=definition.id, title=definition.title, agency=definition.agency, description=definition.description,
        applicant_roles=list(intake.roles) if intake else [],
        intake_staff_roles=list(intake.staff_roles) if intake else [], public=bool(intake and intake.public),
        steps=[
            StepOut(id=s.id, title=s.title, role=s.role, stage=s.stage, sla=s.sla.describe() if s.sla else None,
                    actions=[ActionOut(id=a.id, label=a.label, needs_reason=a.needs_reason, assigns=a.assigns) for a in s.actions])
            for s in definition.steps
        ],
        standard=standard_out(module, settings),
    )


@router.get("", response_model=list[SopOut])
def catalogue(settings: SettingsDep) -> list[SopOut]:
    """Every SOP with its steps and its published service standard (`standard`)."""
    return [sop_out(s, settings) for s in SOPS]


@router.get("/{sop}", response_model=SopOut, responses={404: {"description": UNKNOWN_SOP}})
def one_sop(sop: str, settings: SettingsDep) -> SopOut:
    """One SOP of the catalogue, with its service standard; 404 for an unknown id."""
    return sop_out(sop, settings)


START_DOC = {"requestBody": {"content": {
    "application/json": {"schema": {"type": "object"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"data": {"type": "string"}}}},
}}}


@router.post("/{sop}/cases", response_model=CaseView, status_code=201, openapi_extra=START_DOC)
async def start(*, sop: str, request: Request, user: OptionalUser, client: TemporalClientDep,
                settings: SettingsDep, engine: EngineDep) -> CaseView:
    """Starts a case; the body is the SOP's form as JSON, or multipart: the form as JSON in `data` and
    one file part per document named by its kind. 422 lists one Indonesian message per bad field.
    Staff of the SOP's `staff_roles` register a case for someone without an account: the body adds
    `on_behalf`, `channel` and `lapor_number` (api.intake). Without a token only a `public` SOP starts
    (401 otherwise), at most ALUR_PUBLIC_STARTS_PER_HOUR per client address (429 with Retry-After)."""
    intake = INTAKES.get(sop)
    if user is None and intake is not None:
        way_in(intake, None)  # 401 before the body is read, unless the SOP is public
    body, files = await start_body(request, settings)
    visitor = None if user else Visitor(client_address(request), request.app.state.public_starts)
    return await service.open_case(client, settings, engine, user, sop, body, files, visitor=visitor)

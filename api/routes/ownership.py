"""Who owns a task: claim, release and reassign an open step; delegations while someone is away; bulk
actions of supervisors on selected cases. Errors as for decisions: 403 / 404 / 409 / 422 / 503."""

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api import ownership
from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep, StaffUser, TemporalClientDep
from api.ownership import BulkIn, BulkOut, DelegationIn, DelegationView, PersonRefIn
from api.paging import RowId
from api.views import CaseView

router = APIRouter(tags=["ownership"])
StepId = Path(max_length=40)


class ReassignIn(BaseModel):
    assignee: PersonRefIn = Field(description="id atau e-mail petugas instansi ini dengan peran langkah ini")
    reason: str | None = Field(None, max_length=1000)


@router.post("/cases/{case_id}/steps/{step}/claim", response_model=CaseView)
async def claim(*, case_id: str, step: str = StepId, user: CurrentUser, client: TemporalClientDep,
                settings: SettingsDep, engine: EngineDep) -> CaseView:
    """A role task becomes mine: colleagues still see it (marked with my name) but may not decide it.
    403 not my role; 409 claimed already, assigned to one person, or not open now."""
    return await ownership.claim(client, settings, engine, user, case_id, step)


@router.post("/cases/{case_id}/steps/{step}/release", response_model=CaseView)
async def release(*, case_id: str, step: str = StepId, user: CurrentUser, client: TemporalClientDep,
                  settings: SettingsDep, engine: EngineDep) -> CaseView:
    """The claim ends: by whoever claimed it, or a supervisor of the agency (403 otherwise); 409 not claimed."""
    return await ownership.release(client, settings, engine, user, case_id, step)


@router.post("/cases/{case_id}/steps/{step}/reassign", response_model=CaseView)
async def reassign(*, case_id: str, step: str = StepId, body: ReassignIn, user: CurrentUser,
                   client: TemporalClientDep, settings: SettingsDep, engine: EngineDep) -> CaseView:
    """Supervisor, Kepala Bidang or Kepala Dinas of the agency (403 otherwise) gives the step to a named person of
    the agency and the step's role (422 `assignee` otherwise), or to their delegate when they are away; the
    previous owner may no longer decide it."""
    return await ownership.reassign(client, settings, engine, user, case_id, step, body.assignee, body.reason)


@router.post("/cases/bulk", response_model=BulkOut)
async def bulk(*, body: BulkIn, user: StaffUser, client: TemporalClientDep, settings: SettingsDep,
               engine: EngineDep) -> BulkOut:
    """remind (send the open steps' reminder again), reassign (`assignee`, optional `step`) or cancel (`reason`;
    Kepala Dinas only) each case on its own: `results` says per case what happened (200) or why it was
    refused (403, 404, 409, 422, 503). 403 for the whole request when the user is not a supervisor; 422 when
    it lacks the reason or the assignee."""
    return await ownership.bulk(client, settings, engine, user, body)


@router.post("/delegations", response_model=DelegationView, status_code=201)
def create_delegation(*, body: DelegationIn, session: SessionDep, user: CurrentUser) -> DelegationView:
    """While someone is away (`starts_on`..`ends_on`, inclusive), tasks named for them go to `delegate`, of the
    same agency and role. By the person themself (`delegator` empty) or a supervisor of the agency."""
    return ownership.create_delegation(session, user, body)


@router.get("/delegations", response_model=list[DelegationView])
def list_delegations(*, session: SessionDep, user: CurrentUser) -> list[DelegationView]:
    """Supervisors: the agency's; others: the ones they give or receive."""
    return ownership.list_delegations(session, user)


@router.delete("/delegations/{delegation_id}", status_code=204)
def delete_delegation(*, delegation_id: RowId, session: SessionDep, user: CurrentUser) -> None:
    ownership.delete_delegation(session, user, delegation_id)


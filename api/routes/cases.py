from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api import queries, service
from api.paging import page_query, per_page_query
from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep, TemporalClientDep
from api.views import CasePage, CaseView, TrackingView

router = APIRouter(tags=["cases"])


class DecisionIn(BaseModel):
    step: str
    action: str
    reason: str | None = None
    data: dict[str, Any] | None = None


@router.get("/cases", response_model=CasePage)
def list_cases(*, session: SessionDep, user: CurrentUser, sop: str | None = None, stage: str | None = None,
               status: str | None = None, overdue: bool | None = None, page: int = page_query(),
               per_page: int = per_page_query()) -> CasePage:
    """Staff: their agency's cases (of their unit, if they belong to one). Applicants: their own."""
    return queries.case_list(session, user, sop=sop, stage=stage, status=status, overdue=overdue, page=page,
                             per_page=per_page)


@router.get("/cases/{case_id}", response_model=CaseView)
def get_case(*, case_id: str, session: SessionDep, user: CurrentUser) -> CaseView:
    return service.visible_view(session, user, case_id)


@router.post("/cases/{case_id}/decisions", response_model=CaseView)
async def decide(*, case_id: str, body: DecisionIn, user: CurrentUser, client: TemporalClientDep,
                 settings: SettingsDep, engine: EngineDep) -> CaseView:
    """403 not your step; 409 not open now (or already decided); 422 bad action or data; 503 with
    Retry-After when the workflow did not answer in time (reload the case before deciding again)."""
    return await service.decide(client, settings, engine, user, case_id, body.step, body.action, body.reason,
                                body.data)


@router.get("/track/{tracking_code}", response_model=TrackingView)
def track(*, tracking_code: str = Path(max_length=40), session: SessionDep) -> TrackingView:
    return queries.tracked(session, tracking_code)


@router.post("/track/{tracking_code}/decisions", response_model=TrackingView)
async def decide_by_tracking_code(*, tracking_code: str = Path(max_length=40), body: DecisionIn,
                                  client: TemporalClientDep, settings: SettingsDep, engine: EngineDep) -> TrackingView:
    """An applicant without an account takes their own step with the tracking code (e.g. rates the
    response to a complaint): 403 a step that is not theirs, or an applicant with an account (who logs in);
    404 unknown code; 409 not open now; 422 bad action or data."""
    return await service.decide_by_tracking_code(client, settings, engine, tracking_code, body.step, body.action,
                                                 body.reason, body.data)

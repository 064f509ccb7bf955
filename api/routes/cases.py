from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, func, select

from api import service
from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep, TemporalClientDep
from api.views import CasePage, CaseView, TrackingView, case_summary, case_view, tracking_view
from core.models import Case

router = APIRouter(tags=["cases"])


class DecisionIn(BaseModel):
    step: str
    action: str
    reason: str | None = None
    data: dict[str, Any] | None = None


@router.get("/cases", response_model=CasePage)
def list_cases(*, session: SessionDep, user: CurrentUser, sop: str | None = None, stage: str | None = None,
               status: str | None = None, overdue: bool | None = None, page: int = Query(1, ge=1),
               per_page: int = Query(20, ge=1, le=100)) -> CasePage:
    """Staff: their agency's cases (of their unit, if they belong to one). Applicants: their own."""
    query = select(Case).where(service.visible_cases(user))
    for column, value in ((Case.sop, sop), (Case.stage, stage), (Case.status, status), (Case.overdue, overdue)):
        if value is not None:
            query = query.where(column == value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Case.updated_at).desc()).offset((page - 1) * per_page).limit(per_page))
    return CasePage(items=[case_summary(c) for c in rows], total=total, page=page, per_page=per_page)


@router.get("/cases/{case_id}", response_model=CaseView)
def get_case(*, case_id: str, session: SessionDep, user: CurrentUser) -> CaseView:
    return case_view(session, service.visible_case(session, user, case_id))


@router.post("/cases/{case_id}/decisions", response_model=CaseView)
async def decide(*, case_id: str, body: DecisionIn, user: CurrentUser, client: TemporalClientDep,
                 settings: SettingsDep, engine: EngineDep) -> CaseView:
    """403 not your step; 409 not open now (or already decided); 422 bad action or data; 503 with
    Retry-After when the workflow did not answer in time (reload the case before deciding again)."""
    return await service.decide(client, settings, engine, user, case_id, body.step, body.action, body.reason,
                                body.data)


@router.get("/track/{tracking_code}", response_model=TrackingView)
def track(*, tracking_code: str, session: SessionDep) -> TrackingView:
    case = session.exec(select(Case).where(Case.tracking_code == tracking_code.strip().upper())).first()
    if case is None:
        raise service.ApiError(404, "Nomor lacak tidak ditemukan")
    return tracking_view(session, case)

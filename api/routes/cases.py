import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from starlette.concurrency import run_in_threadpool

from api import queries, service
from api.paging import page_query, per_page_query
from api.deps import (UNAUTHORIZED, CurrentUser, EngineDep, SessionDep, SettingsDep, TemporalClientDep, bearer,
                      user_from_token)
from api.views import CasePage, CaseView, TrackingView
from core.config import Settings
from core.models import Case, User
from core.models_gallery import Document
from core.roles import is_staff

router = APIRouter(tags=["cases"])
BearerToken = Annotated[str | None, Depends(bearer)]


class DecisionIn(BaseModel):
    step: str
    action: str
    reason: str | None = None
    data: dict[str, Any] | None = None


# Polling: a case view and a list page carry a weak ETag; a client that sends it back in If-None-Match
# gets 304 without the view being built. Who may see the case (404) is checked first, and the tag
# names the shape this viewer gets (staff, the applicant, a second participant), so one viewer's tag
# never answers for another's view. A case's tag follows its projection row (`version`, bumped by
# every write), its documents and its linked cases; a list's, the rows of its filter.
# Built from the views' schemas: a release that changes a view changes every tag.
VIEW_SCHEMA = hashlib.sha256(json.dumps([CaseView.model_json_schema(), CasePage.model_json_schema()],
                                        sort_keys=True).encode()).hexdigest()[:12]
NOT_MODIFIED_HEADERS = {"Cache-Control": "private, no-cache"}


def weak_etag(*parts: Any) -> str:
    digest = hashlib.sha256(json.dumps([VIEW_SCHEMA, *parts], default=str).encode()).hexdigest()[:24]
    return f'W/"{digest}"'


def matches(request: Request, etag: str) -> bool:
    """If-None-Match compares weakly: W/"x" and "x" are the same tag; * matches any."""
    sent = request.headers.get("if-none-match")
    if not sent:
        return False
    tags = {t.strip().removeprefix("W/") for t in sent.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def tagged(request: Request, response: Response, etag: str) -> Response | None:
    """A 304 when the client holds this version; otherwise the tag goes on the 200."""
    if matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag, **NOT_MODIFIED_HEADERS})
    tag(response, etag)
    return None


def tag(response: Response, etag: str) -> None:
    response.headers["ETag"] = etag
    response.headers.update(NOT_MODIFIED_HEADERS)


def viewer_shape(user: User, case: Case) -> str:
    """Which of service.visible_view's shapes this viewer gets."""
    if is_staff(user.role):
        return "staff"
    return "applicant" if case.applicant_id == user.id else "participant"


def case_etag(session: Session, user: User, case: Case, view: CaseView | None = None) -> str:
    """From the view when it lists every document and linked case (staff, the applicant: no query),
    otherwise counted."""
    shape = viewer_shape(user, case)
    if view is not None and shape != "participant":
        counts: Any = (len(view.documents), len(view.linked))
    else:
        documents = select(func.count()).where(col(Document.case_id) == case.id).scalar_subquery()
        linked = select(func.count()).where(col(Case.parent_id) == case.id).scalar_subquery()
        counts = session.exec(select(documents, linked)).one()  # type: ignore[call-overload]
    return weak_etag("case", case.id, case.version, case.updated_at, shape, *counts)


def list_etag(session: Session, user: User, query: Any, *parts: Any) -> str:
    rows = query.subquery()
    count, newest, versions = session.exec(select(  # type: ignore[call-overload]
        func.count(), func.max(rows.c.updated_at), func.sum(rows.c.version))).one()
    return weak_etag("cases", user.id, count, newest, versions, *parts)


@router.get("/cases", response_model=CasePage, responses={304: {"description": "Not modified (If-None-Match)"}})
def list_cases(*, request: Request, response: Response, session: SessionDep, user: CurrentUser,
               sop: str | None = None, stage: str | None = None, status: str | None = None,
               overdue: bool | None = None, page: int = page_query(), per_page: int = per_page_query()) -> Any:
    """Staff: their agency's cases (of their unit, if they belong to one). Applicants: their own.
    Weak ETag; If-None-Match with it answers 304."""
    filters = {"sop": sop, "stage": stage, "status": status, "overdue": overdue}
    etag = list_etag(session, user, queries.case_query(user, **filters), filters, page, per_page)
    return tagged(request, response, etag) or queries.case_list(session, user, **filters, page=page, per_page=per_page)


@router.get("/cases/{case_id}", response_model=CaseView, responses={304: {"description": "Not modified (If-None-Match)"}})
async def get_case(*, case_id: str, request: Request, response: Response, engine: EngineDep, settings: SettingsDep,
                   token: BearerToken) -> Any:
    """Weak ETag; If-None-Match with it answers 304 (after the same 401/404 as without it)."""
    # What clients poll: the token, the case, its tag and its view in one trip to the thread pool
    # (as dependencies, each would be a trip of its own).
    return await run_in_threadpool(case_or_not_modified, engine, settings, token, case_id, request, response)


def case_or_not_modified(engine: Engine, settings: Settings, token: str | None, case_id: str, request: Request,
                         response: Response) -> Any:
    with Session(engine, expire_on_commit=False) as session:
        user = user_from_token(session, settings, token)
        if user is None:
            raise UNAUTHORIZED
        case = service.visible_case(session, user, case_id)
        if request.headers.get("if-none-match"):
            not_modified = tagged(request, response, case_etag(session, user, case))
            if not_modified:
                return not_modified
        view = service.visible_view(session, user, case_id)
        tag(response, case_etag(session, user, case, view))
        return view


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

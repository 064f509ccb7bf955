from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response

from api import queries
from api.deps import CurrentUser, SessionDep
from api.paging import MAX_PAGE, MAX_PER_PAGE
from api.routes import ownership
from api.views import TaskView

router = APIRouter(tags=["tasks"])
router.include_router(ownership.router)


@router.get("/tasks", response_model=list[TaskView])
def inbox(*, session: SessionDep, user: CurrentUser, response: Response, queue: str | None = None,
          sop: str | None = Query(None, max_length=40), stage: str | None = Query(None, max_length=80),
          due_before: datetime | None = None, overdue: bool | None = None,
          mine: bool = Query(False, description="assigned to me, or claimed by me"),
          unclaimed: bool = Query(False, description="role tasks nobody has claimed"),
          q: str | None = Query(None, max_length=100, description="applicant or business name, title, case data"),
          sort: Literal["due", "started", "recent"] = "due",
          page: int | None = Query(None, ge=1, le=MAX_PAGE), per_page: int | None = Query(None, ge=1, le=MAX_PER_PAGE),
          ) -> list[TaskView]:
    """My inbox, soonest due first (steps without a deadline last); the same list as before, filtered.
    With `page` (and `per_page`, default 20) one slice of it; the header X-Total-Count always counts all."""
    filters = queries.InboxFilter(queue=queue, sop=sop, stage=stage, due_before=due_before, overdue=overdue,
                                  mine=mine, unclaimed=unclaimed, q=q, sort=sort)
    response.headers["X-Total-Count"] = str(queries.inbox_total(session, user, filters))
    if page is not None:
        per_page = per_page or 20
    return queries.inbox(session, user, filters=filters, page=page, per_page=per_page)

from fastapi import APIRouter

from api import queries
from api.deps import CurrentUser, SessionDep
from api.views import TaskView

router = APIRouter(tags=["tasks"])


@router.get("/tasks", response_model=list[TaskView])
def inbox(*, session: SessionDep, user: CurrentUser, queue: str | None = None) -> list[TaskView]:
    """My inbox, soonest due first (steps without a deadline last)."""
    return queries.inbox(session, user, queue)

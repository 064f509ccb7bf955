from fastapi import APIRouter
from sqlmodel import and_, col, or_, select

from api.deps import CurrentUser, SessionDep
from api.service import visible_cases
from api.views import TaskView, user_names, task_view
from core.models import Case, Task
from core.roles import is_staff

router = APIRouter(tags=["tasks"])


def inbox_query(user):  # type: ignore[no-untyped-def]
    """Open steps this user may act on: assigned to them, or to their role in their agency."""
    mine = col(Task.assignee_id) == user.id
    if not is_staff(user.role):
        return select(Task, Case).join(Case, col(Case.id) == Task.case_id).where(mine)
    by_role = and_(col(Task.assignee_id).is_(None), Task.role == user.role, Task.agency == user.agency)
    # Only cases this user may see: a Satpel's inbox holds its own SKPD's registrations.
    return select(Task, Case).join(Case, col(Case.id) == Task.case_id).where(or_(mine, by_role),
                                                                           visible_cases(user))


@router.get("/tasks", response_model=list[TaskView])
def inbox(*, session: SessionDep, user: CurrentUser, queue: str | None = None) -> list[TaskView]:
    """My inbox, soonest due first (steps without a deadline last)."""
    query = inbox_query(user)
    if queue is not None:
        query = query.where(Task.queue == queue)
    rows = session.exec(query.order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.started_at))).all()
    names = user_names(session, {t.assignee_id for t, _ in rows if t.assignee_id})
    return [task_view(task, case, names) for task, case in rows]

"""The reads that the JSON API and the pages share, from the projection: one place for each."""

from sqlmodel import Session, and_, col, or_, select

from api.paging import paginate
from api.service import visible_cases
from api.service import ApiError
from api.views import CasePage, TaskView, TrackingView, case_summary, task_view, tracking_view, user_names
from core.models import Case, Task, User
from core.roles import is_staff


def case_list(session: Session, user: User, *, sop: str | None = None, stage: str | None = None,
              status: str | None = None, overdue: bool | None = None, page: int = 1, per_page: int = 20) -> CasePage:
    """Staff: their agency's cases (of their unit, if they belong to one). Applicants: their own.
    Most recently changed first."""
    query = select(Case).where(visible_cases(user))
    for column, value in ((Case.sop, sop), (Case.stage, stage), (Case.status, status), (Case.overdue, overdue)):
        if value is not None:
            query = query.where(column == value)
    return paginate(session, query, (col(Case.updated_at).desc(),), page, per_page, case_summary, CasePage)


def inbox(session: Session, user: User, queue: str | None = None) -> list[TaskView]:
    """Open steps this user may act on (assigned to them, or to their role in their agency, on cases they
    may see), soonest due first; steps without a deadline last."""
    mine = col(Task.assignee_id) == user.id
    query = select(Task, Case).join(Case, col(Case.id) == Task.case_id)
    if is_staff(user.role):
        by_role = and_(col(Task.assignee_id).is_(None), Task.role == user.role, Task.agency == user.agency)
        query = query.where(or_(mine, by_role), visible_cases(user))
    else:
        query = query.where(mine)
    if queue is not None:
        query = query.where(Task.queue == queue)
    rows = session.exec(query.order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.started_at))).all()
    names = user_names(session, {t.assignee_id for t, _ in rows if t.assignee_id})
    return [task_view(task, case, names) for task, case in rows]


def tracked(session: Session, tracking_code: str) -> TrackingView:
    """The public status of a case by its tracking code (no personal data); 404 when unknown."""
    case = session.exec(select(Case).where(Case.tracking_code == tracking_code.strip().upper())).first()
    if case is None:
        raise ApiError(404, "Nomor lacak tidak ditemukan")
    return tracking_view(session, case)

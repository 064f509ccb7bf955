"""The reads that the JSON API and the pages share, from the projection: one place for each."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func
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
    query = case_query(user, sop=sop, stage=stage, status=status, overdue=overdue)
    return paginate(session, query, (col(Case.updated_at).desc(),), page, per_page, case_summary, CasePage)


def case_query(user: User, *, sop: str | None = None, stage: str | None = None, status: str | None = None,
               overdue: bool | None = None) -> Any:
    """The cases a list shows this user, filtered (unordered, unpaged)."""
    query = select(Case).where(visible_cases(user))
    for column, value in ((Case.sop, sop), (Case.stage, stage), (Case.status, status), (Case.overdue, overdue)):
        if value is not None:
            query = query.where(column == value)
    return query


@dataclass
class InboxFilter:
    """The inbox's filters (GET /api/v1/tasks and the page /tugas); all optional."""

    queue: str | None = None
    sop: str | None = None
    stage: str | None = None
    due_before: datetime | None = None
    overdue: bool | None = None
    mine: bool = False  # assigned to me, or claimed by me
    unclaimed: bool = False  # role tasks nobody took yet
    q: str | None = None  # applicant or business name, title, case data text
    sort: str = "due"  # "due": soonest due first (none last); "started": oldest first; "recent": newest first


INBOX_ORDER = {
    "due": (col(Task.due_at).is_(None), col(Task.due_at), col(Task.started_at), col(Task.id)),
    "started": (col(Task.started_at), col(Task.id)),
    "recent": (col(Task.started_at).desc(), col(Task.id).desc()),
}


def inbox_query(user: User, f: InboxFilter) -> Any:
    mine = or_(col(Task.assignee_id) == user.id, col(Task.claimed_by_id) == user.id)
    query = select(Task, Case).join(Case, col(Case.id) == Task.case_id)
    if is_staff(user.role):
        by_role = and_(col(Task.assignee_id).is_(None), Task.role == user.role, Task.agency == user.agency)
        query = query.where(or_(col(Task.assignee_id) == user.id, by_role), visible_cases(user))
    else:
        query = query.where(col(Task.assignee_id) == user.id)
    for column, value in ((Task.queue, f.queue), (Case.sop, f.sop), (Case.stage, f.stage), (Task.overdue, f.overdue)):
        if value is not None:
            query = query.where(column == value)
    if f.due_before is not None:
        query = query.where(col(Task.due_at) < f.due_before)
    if f.mine:
        query = query.where(mine)
    if f.unclaimed:
        query = query.where(col(Task.claimed_by_id).is_(None), col(Task.assignee_id).is_(None))
    if f.q and f.q.strip():
        words = f"%{f.q.strip().lower()}%"
        query = query.where(or_(func.lower(Case.applicant_name).like(words), func.lower(Case.title).like(words),
                                func.lower(cast(Case.data, String)).like(words), func.lower(Case.id).like(words),
                                func.lower(Case.tracking_code).like(words)))
    return query


def inbox(session: Session, user: User, queue: str | None = None, *, filters: InboxFilter | None = None,
          page: int | None = None, per_page: int | None = None) -> list[TaskView]:
    """Open steps this user may act on (assigned to them, or to their role in their agency, on cases they
    may see, including those a colleague claimed: marked so), soonest due first; steps without a deadline
    last. `page`/`per_page`: one slice (inbox_total counts them all)."""
    f = filters or InboxFilter(queue=queue)
    query = inbox_query(user, f).order_by(*INBOX_ORDER.get(f.sort, INBOX_ORDER["due"]))
    if page is not None and per_page is not None:
        query = query.offset((page - 1) * per_page).limit(per_page)
    rows = session.exec(query).all()
    names = user_names(session, {t.assignee_id for t, _ in rows if t.assignee_id})
    return [task_view(task, case, names) for task, case in rows]


def inbox_total(session: Session, user: User, filters: InboxFilter) -> int:
    return session.exec(select(func.count()).select_from(inbox_query(user, filters).subquery())).one()


def tracked(session: Session, tracking_code: str) -> TrackingView:
    """The public status of a case by its tracking code (no personal data); 404 when unknown."""
    case = session.exec(select(Case).where(Case.tracking_code == tracking_code.strip().upper())).first()
    if case is None:
        raise ApiError(404, "Nomor lacak tidak ditemukan")
    return tracking_view(session, case)

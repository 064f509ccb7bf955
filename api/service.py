"""What the JSON API and the pages both do: find a visible case, start a case, decide a step.

Errors are ApiError(status, detail); the API returns them as JSON, the pages as Indonesian messages.
"""

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.intakes import INTAKES, IntakeRefused
from api.views import CaseView, case_view
from core.cases import start_case
from core.config import Settings
from core.forms import check
from core.messages import Decision, DecisionResult
from core.models import Case, Task, User
from core.roles import is_staff
from core.users import person
from workflows import SOPS
from workflows.sop import FORBIDDEN, INVALID, NOT_OPEN


class ApiError(Exception):
    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


NOT_FOUND = "Kasus tidak ditemukan"


def can_see(user: User, case: Case) -> bool:
    if is_staff(user.role):
        return case.agency == user.agency
    return case.applicant_id == user.id


def visible_case(session: Session, user: User, case_id: str) -> Case:
    """Another agency's case, or another applicant's, does not exist for this user: 404."""
    case = session.get(Case, case_id)
    if case is None or not can_see(user, case):
        raise ApiError(404, NOT_FOUND)
    return case


def may_act(user: User, task: Task) -> bool:
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return task.role == user.role and task.agency == user.agency


async def open_case(client: Client, settings: Settings, engine: Engine, user: User, sop: str,
                    body: Any) -> CaseView:
    intake = INTAKES.get(sop)
    if intake is None or sop not in SOPS:
        raise ApiError(404, "Layanan tidak ditemukan")
    if user.role not in intake.roles:
        raise ApiError(403, "Layanan ini tidak untuk peran Anda")
    data, errors = check(intake.form, body)
    if errors:
        raise ApiError(422, errors)
    with Session(engine) as session:
        try:
            data = intake.prepare(session, user, data)
        except IntakeRefused as refused:
            raise ApiError(refused.status, refused.message) from None
    case_id = await start_case(client, settings, engine, sop=sop, applicant=person(user), data=data,
                               title=intake.title(data), agency=intake.agency(data))
    with Session(engine) as session:
        return case_view(session, session.get(Case, case_id))  # type: ignore[arg-type]


def _refusal(error: ApplicationError) -> ApiError:
    if error.type == INVALID:
        return ApiError(422, error.details[0] if error.details else str(error))
    return ApiError({NOT_OPEN: 409, FORBIDDEN: 403}.get(error.type or "", 409), str(error.message))


async def decide(client: Client, engine: Engine, user: User, case_id: str, step: str, action: str,
                 reason: str | None = None, data: dict[str, Any] | None = None) -> CaseView:
    with Session(engine) as session:
        case = visible_case(session, user, case_id)
        if case.status != "open":
            raise ApiError(409, "Kasus sudah ditutup")
        task = session.exec(select(Task).where(Task.case_id == case_id, Task.step == step)).first()
        if task is None:
            raise ApiError(409, f"Langkah {step!r} tidak sedang terbuka")
        if not may_act(user, task):
            raise ApiError(403, "Anda tidak berwenang pada langkah ini")
    decision = Decision(step=step, action=action, actor=person(user), reason=reason, data=data)
    try:
        await client.get_workflow_handle(case_id).execute_update("decide", decision, result_type=DecisionResult)
    except WorkflowUpdateFailedError as failed:
        cause = failed.cause
        raise _refusal(cause) if isinstance(cause, ApplicationError) else ApiError(409, str(cause)) from None
    except RPCError as error:  # the workflow closed between our check and the update
        raise ApiError(409, f"Kasus tidak menerima keputusan: {error.message}") from None
    with Session(engine) as session:
        return case_view(session, session.get(Case, case_id))  # type: ignore[arg-type]

"""The shared step engine: every SOP workflow is a short script of `await self.step(...)` calls.

The engine owns the waiting, the SLA timers (reminder, escalation, second escalation), the
validation of decisions, the projection writes, the search attributes and the notifications.
An SOP module holds only its sequence and rules. Deterministic code only: every side effect
is an activity.
"""

import asyncio
import functools
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.documents import DocumentKind
    from core.forms import Checked, Form, check, check_draft, form_values
    from core.messages import (
        SYSTEM,
        Attachment,
        CaseDocuments,
        CaseIdRequest,
        CarriedSpan,
        CarriedTask,
        CaseCarry,
        CaseSnapshot,
        CaseStatus,
        CaseStart,
        CaseTicket,
        Cancellation,
        Deadlines,
        DeadlineRequest,
        Decision,
        DecisionResult,
        DocumentRequest,
        DocumentUpload,
        EngineActivity,
        HistoryEvent,
        Notice,
        OpenSpan,
        OpenStep,
        Person,
        Recipients,
        Reminder,
        StepsResult,
        TaskOwner,
    )
    from core.roles import ROLE_TITLES

from workflows.tracking import WriteTracker, due_and_overdue, sla_timers

SOP_KEY = SearchAttributeKey.for_keyword("AlurSop")
AGENCY_KEY = SearchAttributeKey.for_keyword("AlurAgency")
STAGE_KEY = SearchAttributeKey.for_keyword("AlurStage")
ROLE_KEY = SearchAttributeKey.for_keyword_list("AlurRole")
DUE_KEY = SearchAttributeKey.for_datetime("AlurDueAt")
OVERDUE_KEY = SearchAttributeKey.for_bool("AlurOverdue")
SEARCH_ATTRIBUTES = (SOP_KEY, AGENCY_KEY, STAGE_KEY, ROLE_KEY, DUE_KEY, OVERDUE_KEY)

# Error types the API maps to HTTP statuses.
NOT_OPEN = "NotOpen"  # 409
FORBIDDEN = "Forbidden"  # 403
INVALID = "InvalidDecision"  # 422, details[0] = [{"loc": [...], "msg": ...}]

RECORD_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
NOTIFY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=10)
)
# send_notice heartbeats (activities/notify.py): a worker killed mid-send is noticed after this, and
# the notice is retried on another worker, instead of after the activity's one-minute time limit.
NOTIFY_HEARTBEAT = timedelta(seconds=10)
APPLICANT = "applicant"  # a step's role placeholder: the case's own applicant acts
# A case that keeps receiving decisions on an open step (e-order drafts saved again and again) continues
# as new before its run's history nears Temporal's limits (51,200 events, 50 MB, 2,000 updates per run):
# when the server suggests it (by default at 4,096 events, 4 MB or 90% of the updates: dynamic config
# limit.historyCount.suggestContinueAsNew, limit.historySize.suggestContinueAsNew,
# history.maxTotalUpdates.suggestContinueAsNewThreshold). The suggestion is part of the history, so a
# replay decides the same way whatever the thresholds are by then. Only SOPs that opt in
# (SopWorkflow.continues_as_new); the patch marks the runs that may.
CONTINUE_AS_NEW_PATCH = "continue-as-new"
MAX_LINK_ATTEMPTS = 20
# Decisions by signal are refused from this patch on (their actor came from the caller); see decide_signal.
DECIDE_SIGNAL_REFUSED = "decide-signal-refused"
# Who may reassign a task, release a colleague's claim and send a reminder again, within their agency;
# cancelling a case is the head of agency's alone.
SUPERVISORS = ("supervisor", "kepala_bidang", "kepala_dinas")
CANCELLER = "kepala_dinas"
CANCELLED_STAGE = "Dibatalkan"
# A case closed completed or rejected invites its applicant to the satisfaction survey (core.survey); runs
# recorded before it replay without the invitation.
SURVEY_PATCH = "survey-invitation"
SURVEY_TEMPLATE = "survey_invitation"  # core.survey.INVITATION_TEMPLATE, its link signed when sent
# The notices one transition produces (a decision closing a step and opening the next, a case closing
# with its survey invitation) go out in one `send_notices` activity instead of one activity each: about
# half the history events and CPU of a case were its notice activities. Runs recorded before it replay
# with one `send_notice` per notice.
NOTICE_BATCH_PATCH = "notice-batch"


@dataclass(frozen=True)
class Action:
    id: str
    label: str  # Indonesian button label
    needs_reason: bool = False
    closes_step: bool = True  # "save" and "edit" keep the step open
    # The action names the one person who takes a later step: data[<role>] holds the user id or
    # e-mail of staff with this role in the case's agency; the API resolves it into data["assignee"]
    # (see assignee_of), and the validator refuses anyone else.
    assigns: str | None = None
    # `several`: the action names one or more such people, a list of ids or e-mails in data[<key>],
    # resolved into data["assignees"] (see assignees_of); a step opened with `step(..., assignee=[...])`
    # may then be taken by any one of them. `key`: the data key that names them (default: the role),
    # e.g. "officers" for several "petugas". An assigning action may have a form too (an instruction
    # beside the person): the form checks the rest of the data.
    several: bool = False
    key: str | None = None
    # The form the decision's data must pass; the engine validates and cleans it, and the pages draw
    # it. `fills`: "whole" the data is the whole form; "record" the data changes fields of the case's
    # record, which must then pass as a whole; "draft" only the fields given must pass (saved in parts).
    form: type[Form] | None = None
    fills: Literal["whole", "record", "draft"] = "whole"

    @property
    def assign_key(self) -> str | None:
        """The data key naming the person(s) an assigning action gives a later step to."""
        return self.key or self.assigns


# The data keys the API fills with the resolved person(s), and with the delegations it applied to them
# ([{"from": person, "to": person}]: the person named is away, their delegate got the step).
ASSIGNED = ("assignee", "assignees", "delegations")


@dataclass(frozen=True)
class StepDef:
    id: str
    title: str  # Indonesian
    role: str  # a role, or APPLICANT
    stage: str  # the SOP's own status label while this step is open
    actions: tuple[Action, ...]
    sla: WorkingTime | None = None
    remind_before: WorkingTime | None = None
    escalate_to: tuple[str, ...] = ()
    second_escalation_after: WorkingTime | None = None
    second_escalate_to: tuple[str, ...] = ()
    notify_on_open: bool = True
    # The SOP itself ends the wait at the deadline (auto-confirm, auto-cancel): the system takes
    # this action instead of escalating. Officials are otherwise never replaced by a timer.
    timeout_action: str | None = None
    # Who gets the reminder besides the step's actor: APPLICANT and/or roles of the case's agency.
    remind_also: tuple[str, ...] = ()
    # Decided on a page of its own: (address with {case_id}, link text); the case page links there.
    page: tuple[str, str] | None = None
    # Actions the step no longer offers that running cases' histories may still hold. No new decision
    # takes one (the validator refuses it; so does a signal once the run records the patch
    # "retired-<step>-<action>"), while a recorded one replays as it was taken.
    retired: tuple[Action, ...] = ()
    # The SLA came to this step while cases were running: a case whose history opened the step without
    # it replays without it; the patch `sla_patch` (workflow.patched) gives every later opening its
    # deadline and timers.
    sla_patch: str | None = None

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def known_action(self, action_id: str) -> Action | None:
        """An offered action, or a retired one (a decision already in a history)."""
        return self.action(action_id) or next((a for a in self.retired if a.id == action_id), None)

    @property
    def applicant_step(self) -> bool:
        return self.role == APPLICANT


@dataclass(frozen=True)
class SpanDef:
    """A time standard over more than one step: from the opening of `starts_at_step` to the closing
    decision of `ends_at_step` (None: to the case's close), e.g. "at most 3 days from a valid
    verification to receipt". The engine starts it when its starting step opens (not again while it
    runs), with the SLA that `SopWorkflow.span_sla` gives (default `sla`); ALUR_SLA_OVERRIDES
    "<sop>.<span id>" overrides both. Reminder and escalations as a step's: the actors of the steps
    open at that moment are told, with `remind_also` / `escalate_to` / `second_escalate_to`."""

    id: str  # not a step id: notices, history events and ALUR_SLA_OVERRIDES share one namespace
    title: str  # Indonesian, e.g. "Waktu layanan pengiriman"
    starts_at_step: str
    ends_at_step: str | None
    sla: WorkingTime
    remind_before: WorkingTime | None = None
    escalate_to: tuple[str, ...] = ()
    second_escalation_after: WorkingTime | None = None
    second_escalate_to: tuple[str, ...] = ()
    remind_also: tuple[str, ...] = ()  # APPLICANT and/or roles of the case's agency


RESERVED_IDS = {"submit", "documents", "finish"}  # events and notices outside any step


@dataclass(frozen=True)
class SopDefinition:
    id: str
    title: str
    agency: str
    steps: tuple[StepDef, ...]
    description: str = ""
    documents: tuple[DocumentKind, ...] = ()  # what may be uploaded to its cases
    start_form: type[Form] | None = None  # what an applicant fills in to open a case
    spans: tuple[SpanDef, ...] = ()  # case-level time standards over several steps

    def __post_init__(self) -> None:
        step_ids = {s.id for s in self.steps}
        span_ids = [s.id for s in self.spans]
        for span in self.spans:
            if span.id in step_ids or span.id in RESERVED_IDS or span_ids.count(span.id) > 1:
                raise ValueError(f"{self.id}: span id {span.id!r} is taken")
            for step_id in (span.starts_at_step, span.ends_at_step):
                if step_id is not None and step_id not in step_ids:
                    raise ValueError(f"{self.id}: span {span.id!r} names an unknown step {step_id!r}")

    def step(self, step_id: str) -> StepDef:
        return next(s for s in self.steps if s.id == step_id)

    def span(self, span_id: str) -> SpanDef:
        return next(s for s in self.spans if s.id == span_id)

    def document_kind(self, kind_id: str) -> DocumentKind | None:
        return next((k for k in self.documents if k.id == kind_id), None)


def invalid(errors: list[dict[str, Any]]) -> ApplicationError:
    return ApplicationError("Data keputusan tidak valid", errors, type=INVALID, non_retryable=True)


def assignee_of(decision: Decision) -> Person:
    """The person an assigning action (Action.assigns) named; pass it to `step(..., assignee=)`."""
    return Person(**(decision.data or {})["assignee"])


def assignees_of(decision: Decision) -> list[Person]:
    """The people an action assigning several (Action.several) named, in the order given; pass the list
    to `step(..., assignee=)`: any one of them may take that step."""
    return [Person(**named) for named in (decision.data or {})["assignees"]]


PERSON_FIELDS = {f.name for f in fields(Person)}


def _is_staff_of(named: Any, role: str, agency: str) -> bool:
    well_formed = isinstance(named, dict) and set(named) <= PERSON_FIELDS and isinstance(named.get("id"), int) \
        and isinstance(named.get("name"), str)
    return well_formed and named["role"] == role and named.get("agency") == agency


def _assignment_errors(action: Action, decision: Decision, agency: str) -> list[dict[str, Any]]:
    if action.assigns is None:
        return []
    data, title = decision.data or {}, ROLE_TITLES.get(action.assigns, action.assigns)
    loc = ["body", "data", action.assign_key]
    if not action.several:
        if _is_staff_of(data.get("assignee"), action.assigns, agency):
            return []
        return [{"loc": loc, "msg": f"Pilih {title} dari instansi ini", "type": "assignee"}]
    named = data.get("assignees")
    if not isinstance(named, list) or not named or not all(_is_staff_of(p, action.assigns, agency) for p in named):
        return [{"loc": loc, "msg": f"Pilih satu atau lebih {title} dari instansi ini", "type": "assignee"}]
    if len({p["id"] for p in named}) != len(named):
        return [{"loc": loc, "msg": f"Setiap {title} cukup disebut sekali", "type": "assignee"}]
    return []


def _refused(message: str, kind: str = FORBIDDEN) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


def _plain(someone: Person) -> Person:
    """Who someone is, without their contact details (kept in the open step and the history)."""
    return Person(id=someone.id, name=someone.name, role=someone.role, agency=someone.agency)


class _CaseCancelled(Exception):
    """Raised out of the script's wait by the `cancel` update; SopWorkflow's run wrapper then closes the case."""


@dataclass
class _Ticket:
    number: int
    decision: Decision


@dataclass
class _OpenTask:
    definition: StepDef
    view: OpenStep
    decision: _Ticket | None = None
    pending: list[_Ticket] = field(default_factory=list)  # non-closing actions (save, edit)
    fired: set[str] = field(default_factory=set)  # its SLA timers that went off (kept across runs)

    @property
    def closed(self) -> bool:
        return self.decision is not None


@dataclass
class _RunningSpan:
    definition: SpanDef
    view: OpenSpan
    ended: bool = False
    fired: set[str] = field(default_factory=set)


class SopWorkflow:
    """Base class of every SOP workflow. Subclasses set `definition` and write `run`."""

    definition: ClassVar[SopDefinition]
    # The case data field that names the unit inside the agency handling the case (e-order: "skpd", the
    # SKPD Pembina): staff of another unit do not see the case (api.service.can_see). None: no unit.
    unit_from: ClassVar[str | None] = None
    # The case data field naming ({"id", "name"}) a second participant who sees the case like its
    # applicant (a marketplace order's seller; api.service.can_see). None: the applicant only.
    participant_from: ClassVar[str | None] = None
    # The case may continue as new while it waits in a step (see CONTINUE_AS_NEW_PATCH). Only for a
    # script whose code before each of its steps is `step()`/`steps()` calls and plain Python on their
    # results and self.data (a new run replays it from the recorded results, without effects), and
    # whose state beyond the engine's lives in self.data. Such an SOP restores its state in a
    # @workflow.init __init__ through `resume`, so that a decision arriving first meets the open step.
    continues_as_new: ClassVar[bool] = False
    # The head of agency may cancel a waiting case (the `cancel` update). False for an SOP whose own
    # steps must undo what it holds (money in escrow).
    cancellable: ClassVar[bool] = True

    def __init__(self) -> None:
        self.case: CaseStart | None = None
        self.data: dict[str, Any] = {}
        self.status: str = CaseStatus.OPEN
        self.stage = ""
        self.title = ""  # what lists show; an SOP may rename the case once its data says more
        self.history: list[HistoryEvent] = []
        self.documents: list[DocumentUpload] = []
        self.tasks: dict[str, _OpenTask] = {}
        self.spans: dict[str, _RunningSpan] = {}  # by span id: the latest run of each
        self.rounds: dict[str, int] = {}
        self.generated: dict[str, int] = {}  # generate_document calls per document kind
        self.created_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.unit: str | None = None
        self._recorded_seq = 0
        self.writes = WriteTracker()
        self._outbox: list[asyncio.Task[Any]] = []
        self._batch: list[Notice] | None = None  # this transition's notices, for the batch task of the first
        self._looking_up_deadlines = 0  # compute_deadlines calls under way: the transition is not over
        self._script: list[StepsResult] = []  # every finished steps() call, for a run continuing as new
        self._carried: CaseCarry | None = None  # what this run took over from the previous one
        self._replaying_script: list[StepsResult] = []  # results still to replay before the open step
        self._fast_forward = False  # replaying the script: no events, notices or writes
        self._cancelling: Cancellation | None = None  # the `cancel` update arrived: the script stops

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Each SOP's `run` closes the case as cancelled when the `cancel` update stops its script."""
        super().__init_subclass__(**kwargs)
        run = cls.__dict__.get("run")
        if run is None or not asyncio.iscoroutinefunction(run):
            return

        @functools.wraps(run)
        async def run_until_cancelled(self: "SopWorkflow", *args: Any) -> Any:
            try:
                return await run(self, *args)
            except _CaseCancelled:
                assert self._cancelling is not None
                return await self.finish(status=CaseStatus.CANCELLED, stage=CANCELLED_STAGE, template="cancelled",
                                         reason=self._cancelling.reason)

        setattr(cls, "run", run_until_cancelled)

    # ---- handlers -------------------------------------------------------------------------

    @workflow.update(name="decide")
    async def decide(self, decision: Decision) -> DecisionResult:
        ticket = self._accept(decision, validated=True)
        await workflow.wait_condition(lambda: self.writes.is_written(ticket.number))
        return DecisionResult(case_id=self._case.case_id, status=self.status, stage=self.stage)

    @decide.validator
    def _validate_decision(self, decision: Decision) -> None:
        self.check_decision(decision)

    @workflow.signal(name="decide_signal")
    def decide_signal(self, decision: Decision) -> None:
        """Retired: a signal takes its actor from the caller (anyone who can reach Temporal), so a
        decision comes only through the `decide` update, which the API sends for the actor it
        authenticated. The handler stays so that histories holding such a signal replay as they were
        taken; from the patch on, a signal is logged and changes nothing."""
        if workflow.patched(DECIDE_SIGNAL_REFUSED):
            workflow.logger.warning("decide_signal on %s ignored: decisions come through the API",
                                    workflow.info().workflow_id)
            return
        try:
            self._accept(decision)
        except ApplicationError as refused:
            workflow.logger.warning("signal decision refused: %s", refused)

    @workflow.update(name="sync")
    async def sync(self) -> DecisionResult:
        """Returns once the case's current state is in the projection (used right after start)."""
        await workflow.wait_condition(self._settled)
        return DecisionResult(case_id=self._case.case_id, status=self.status, stage=self.stage)

    def _settled(self) -> bool:
        return self.case is not None and self.writes.settled()

    @workflow.update(name="add_document")
    async def add_document(self, upload: DocumentUpload) -> DecisionResult:
        """Records a file the API has stored; returns once it is in the projection."""
        await self.record_documents([upload], announce=True)
        await self.flush()
        return DecisionResult(case_id=self._case.case_id, status=self.status, stage=self.stage)

    @add_document.validator
    def _validate_document(self, upload: DocumentUpload) -> None:
        if self.status != CaseStatus.OPEN:
            raise ApplicationError("Kasus sudah ditutup", type=NOT_OPEN, non_retryable=True)
        if self.definition.document_kind(upload.kind) is None:
            allowed = ", ".join(k.id for k in self.definition.documents)
            raise invalid([{"loc": ["body", "kind"], "msg": f"Jenis dokumen tidak dikenal; pilihan: {allowed}"}])
        uploader, case = upload.uploaded_by, self._case
        if uploader.id != case.applicant.id and uploader.agency != case.agency:
            raise ApplicationError("Anda tidak berwenang mengunggah ke kasus ini", type=FORBIDDEN, non_retryable=True)

    # ---- who owns a task (the API sends these for the actor it authenticated) -------------

    @workflow.update(name="claim")
    async def claim_task(self, request: TaskOwner) -> DecisionResult:
        """A role task becomes the actor's: colleagues still see it, and cannot decide it until released."""
        task = self._claimable(request)
        task.view.claimed_by = _plain(request.actor)
        self.add_event(request.step, request.actor, "claim", request.reason)
        return await self._written()

    @claim_task.validator
    def _validate_claim(self, request: TaskOwner) -> None:
        self._claimable(request)

    def _claimable(self, request: TaskOwner) -> _OpenTask:
        task = self._open_task(request.step)
        view = task.view
        if view.claimed_by is not None:
            raise _refused(f"Langkah ini sudah diambil oleh {view.claimed_by.name}", NOT_OPEN)
        if view.assignee_id is not None and not view.assignees:
            raise _refused(f"Langkah ini ditugaskan kepada {view.assignee_name}; tidak dapat diambil", NOT_OPEN)
        self._check_actor(task, request.actor)
        return task

    @workflow.update(name="release")
    async def release_task(self, request: TaskOwner) -> DecisionResult:
        """The claim ends (by the claimer, or a supervisor of the agency): the role task is everyone's again."""
        task = self._releasable(request)
        claimer, task.view.claimed_by = task.view.claimed_by, None
        self.add_event(request.step, request.actor, "release", request.reason,
                       {"claimed_by": asdict(claimer)} if claimer else {})
        return await self._written()

    @release_task.validator
    def _validate_release(self, request: TaskOwner) -> None:
        self._releasable(request)

    def _releasable(self, request: TaskOwner) -> _OpenTask:
        task = self._open_task(request.step)
        claimer = task.view.claimed_by
        if claimer is None:
            raise _refused("Langkah ini tidak sedang diambil siapa pun", NOT_OPEN)
        if request.actor.id != claimer.id and not self._supervises(request.actor):
            raise _refused("Hanya yang mengambil langkah ini atau atasannya yang dapat melepaskannya")
        return task

    @workflow.update(name="reassign")
    async def reassign_task(self, request: TaskOwner) -> DecisionResult:
        """A supervisor gives the step to a named person of the agency and the step's role; whoever held it
        (its assignee, or a colleague who claimed it) may no longer decide it."""
        task = self._reassignable(request)
        view, new = task.view, request.assignee
        assert new is not None
        before = [asdict(p) for p in view.assignees] or (
            [{"id": view.assignee_id, "name": view.assignee_name}] if view.assignee_id is not None else [])
        view.assignee_id, view.assignee_name, view.assignees = new.id, new.name, []
        view.claimed_by, view.delegated_from = None, _plain(request.delegated_from) if request.delegated_from else None
        data: dict[str, Any] = {"from": before, "to": asdict(_plain(new))}
        if request.delegated_from is not None:
            data["delegated_from"] = asdict(_plain(request.delegated_from))
        self.add_event(request.step, request.actor, "reassign", request.reason, data)
        # Its own notice: the event's number keeps the key apart from the step's first "task" notice.
        self.notify("task", Recipients(user_ids=[new.id] if new.id is not None else []),
                    f"{request.step}@{len(self.history)}", task=task)
        return await self._written()

    @reassign_task.validator
    def _validate_reassign(self, request: TaskOwner) -> None:
        self._reassignable(request)

    def _reassignable(self, request: TaskOwner) -> _OpenTask:
        task = self._open_task(request.step)
        if not self._supervises(request.actor):
            raise _refused("Hanya Supervisor, Kepala Bidang atau Kepala Dinas instansi ini yang dapat mengalihkan tugas")
        if task.definition.applicant_step:
            raise _refused("Langkah pemohon tidak dapat dialihkan", NOT_OPEN)
        new, view = request.assignee, task.view
        title = ROLE_TITLES.get(view.role, view.role)
        if new is None or not _is_staff_of(asdict(new), view.role, self._case.agency):
            raise invalid([{"loc": ["body", "assignee"], "type": "assignee",
                            "msg": f"Pilih seorang {title} dari instansi ini"}])
        if new.id == view.assignee_id and not view.assignees:
            raise invalid([{"loc": ["body", "assignee"], "type": "assignee",
                            "msg": f"{new.name} sudah memegang langkah ini"}])
        return task

    def _open_task(self, step: str) -> _OpenTask:
        if self.status != CaseStatus.OPEN or self._cancelling is not None:
            raise _refused("Kasus sudah ditutup", NOT_OPEN)
        task = self.tasks.get(step)
        if task is None or task.closed:
            raise _refused(f"Langkah {step!r} tidak sedang terbuka", NOT_OPEN)
        return task

    def _supervises(self, actor: Person) -> bool:
        return actor.role in SUPERVISORS and actor.agency == self._case.agency

    async def _written(self) -> DecisionResult:
        """After a change made by a handler: returns once the projection holds it (this write begins now,
        the change being the latest)."""
        self.writes.changed()
        await self.flush()
        return DecisionResult(case_id=self._case.case_id, status=self.status, stage=self.stage)

    # ---- supervisors' actions on a whole case ----------------------------------------------

    @workflow.update(name="remind")
    async def remind_again(self, request: Reminder) -> DecisionResult:
        """The open steps' reminder sent again to whoever can act on them (each request its own notice)."""
        for task in self._remindable(request):
            recipients = self._step_recipients(task)
            self.add_event(task.definition.id, request.actor, "remind", "Pengingat dikirim ulang")
            self.notify("reminder", recipients, f"{task.definition.id}@remind-{request.key}", task=task)
        return await self._written()

    @remind_again.validator
    def _validate_remind(self, request: Reminder) -> None:
        self._remindable(request)

    def _remindable(self, request: Reminder) -> list[_OpenTask]:
        if self.status != CaseStatus.OPEN or self._cancelling is not None:
            raise _refused("Kasus sudah ditutup", NOT_OPEN)
        if not self._supervises(request.actor):
            raise _refused("Hanya Supervisor, Kepala Bidang atau Kepala Dinas instansi ini yang dapat mengingatkan")
        open_tasks = [t for t in self.tasks.values() if not t.closed]
        if not open_tasks:
            raise _refused("Kasus ini tidak sedang menunggu langkah siapa pun", NOT_OPEN)
        return open_tasks

    @workflow.update(name="cancel")
    async def cancel_case(self, request: Cancellation) -> DecisionResult:
        """The head of agency cancels the case with a reason: its script stops where it waits, the case
        closes as cancelled, the applicant is told. Returns once that is in the projection."""
        self._cancellable(request)
        self._cancelling = request
        self.add_event("finish", request.actor, "cancel", request.reason.strip())
        await workflow.wait_condition(lambda: self.status == CaseStatus.CANCELLED and self.writes.settled())
        return DecisionResult(case_id=self._case.case_id, status=self.status, stage=self.stage)

    @cancel_case.validator
    def _validate_cancel(self, request: Cancellation) -> None:
        self._cancellable(request)

    def _cancellable(self, request: Cancellation) -> None:
        if self.status != CaseStatus.OPEN or self._cancelling is not None:
            raise _refused("Kasus sudah ditutup", NOT_OPEN)
        if request.actor.role != CANCELLER or request.actor.agency != self._case.agency:
            raise _refused("Hanya Kepala Dinas instansi ini yang dapat membatalkan kasus")
        if not self.cancellable:
            raise _refused("Kasus layanan ini tidak dapat dibatalkan dari sini; ikuti langkah SOP-nya", NOT_OPEN)
        if not any(not t.closed for t in self.tasks.values()):
            raise _refused("Kasus ini sedang diproses; coba lagi sebentar lagi", NOT_OPEN)
        if not (request.reason or "").strip():
            raise invalid([{"loc": ["body", "reason"], "msg": "Alasan pembatalan wajib diisi", "type": "missing"}])

    @workflow.query(name="open_steps")
    def open_steps(self) -> list[OpenStep]:
        return [t.view for t in self.tasks.values() if not t.closed]

    @workflow.query(name="snapshot")
    def current_snapshot(self) -> CaseSnapshot:
        """The case as the projection holds it, with its whole history (`alur rebuild-projection`); a
        closed case answers too, while Temporal keeps its history."""
        return replace(self.snapshot(), new_events=list(self.history))

    # ---- validation -----------------------------------------------------------------------

    def check_decision(self, decision: Decision, retired_ok: bool = False) -> None:
        """Refuses a decision before anything reaches history. Read-only. `retired_ok`: a retired
        action (StepDef.retired) passes, for a history that holds one."""
        task = self._check_state(decision)
        action = task.definition.known_action(decision.action) if retired_ok else task.definition.action(decision.action)
        if action is None:
            allowed = ", ".join(a.id for a in task.definition.actions)
            raise invalid([{"loc": ["body", "action"], "msg": f"Aksi tidak dikenal; pilihan: {allowed}"}])
        if action.id not in task.view.actions and task.definition.action(action.id) is not None:
            offered = ", ".join(task.view.actions)
            raise invalid([{"loc": ["body", "action"], "msg": f"Aksi ini tidak tersedia sekarang; pilihan: {offered}",
                            "type": "not_offered"}])
        if action.needs_reason and not (decision.reason or "").strip():
            raise invalid([{"loc": ["body", "reason"], "msg": "Alasan wajib diisi untuk aksi ini"}])
        errors = _assignment_errors(action, decision, self._case.agency) + self._form_check(action, decision).errors
        errors += self.validate_action(decision)
        if errors:
            raise invalid(errors)

    def _check_state(self, decision: Decision) -> _OpenTask:
        """The case and the step are open, and the actor may take it."""
        if self.status != CaseStatus.OPEN or self._cancelling is not None:
            raise ApplicationError("Kasus sudah ditutup", type=NOT_OPEN, non_retryable=True)
        task = self.tasks.get(decision.step)
        if task is None or task.closed:
            raise ApplicationError(f"Langkah {decision.step!r} tidak sedang terbuka", type=NOT_OPEN, non_retryable=True)
        self._check_actor(task, decision.actor)
        return task

    def _form_check(self, action: Action, decision: Decision) -> Checked:
        data, prefix = decision.data or {}, ("body", "data")
        if action.assigns is not None and action.form is not None:  # the person(s): checked above
            data = {k: v for k, v in data.items() if k not in (action.assign_key, *ASSIGNED)}
        if action.form is None:
            if data and action.assigns is None:  # nothing may ride along unchecked
                return Checked(errors=[{"loc": [*prefix], "msg": "Aksi ini tidak menerima data", "type": "extra"}])
            return Checked(data=dict(data))
        if action.fills == "draft":
            return check_draft(action.form, form_values(action.form, self.data), data, prefix)
        if action.fills == "record":
            return check(action.form, form_values(action.form, self.data, data), prefix)
        return check(action.form, data, prefix)

    def clean(self, decision: Decision) -> dict[str, Any]:
        """A decision's data as its action's form cleaned it (it passed the validator already)."""
        action = self.definition.step(decision.step).action(decision.action)
        return self._form_check(action, decision).data if action else dict(decision.data or {})

    def _check_actor(self, task: _OpenTask, actor: Person) -> None:
        view = task.view
        if view.claimed_by is not None and actor.id != view.claimed_by.id:
            raise ApplicationError(f"Langkah ini sedang diambil oleh {view.claimed_by.name}", type=FORBIDDEN,
                                   non_retryable=True)
        if view.assignees:  # given to several people: any one of them
            if actor.id not in {p.id for p in view.assignees}:
                raise ApplicationError("Langkah ini ditugaskan kepada orang lain", type=FORBIDDEN, non_retryable=True)
            return
        if view.assignee_id is not None:
            if actor.id != view.assignee_id:
                raise ApplicationError("Langkah ini ditugaskan kepada orang lain", type=FORBIDDEN, non_retryable=True)
            return
        if actor.role != view.role or actor.agency != self._case.agency:
            raise ApplicationError("Peran Anda tidak berwenang pada langkah ini", type=FORBIDDEN, non_retryable=True)
        if actor.unit is not None and self.unit is not None and actor.unit != self.unit:  # as api.service.in_unit
            raise ApplicationError("Kasus ini ditangani unit lain", type=FORBIDDEN, non_retryable=True)

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        """SOP hook for rules beyond the action's form (deterministic, no I/O): field errors."""
        return []

    def _accept(self, decision: Decision, validated: bool = False) -> _Ticket:
        """`validated`: an update, whose validator checked everything when it was admitted (and which, on
        replay, history says was accepted then, whatever today's rules): only the state is checked again,
        since a second, concurrent copy (a double click) passed its validator before the first was applied.
        A signal has no validator: it is checked in full."""
        if validated:
            self._check_state(decision)
        else:
            self.check_decision(decision, retired_ok=self._replaying_retired(decision))
        ticket = _Ticket(self.writes.take_ticket(), decision)
        task = self.tasks[decision.step]
        if task.definition.known_action(decision.action).closes_step:  # type: ignore[union-attr]
            task.decision = ticket
        else:
            task.pending.append(ticket)
        return ticket

    def _replaying_retired(self, decision: Decision) -> bool:
        """A retired action of an open step is taken only from a history recorded before its patch
        (validators do not run on replay); from then on, a signal carrying it is refused."""
        task = self.tasks.get(decision.step)
        if task is None or task.definition.action(decision.action) is not None \
                or task.definition.known_action(decision.action) is None:
            return False
        return not workflow.patched(f"retired-{decision.step}-{decision.action}")

    # ---- the script's verbs ---------------------------------------------------------------

    @property
    def _case(self) -> CaseStart:
        assert self.case is not None, "open_case() first"
        return self.case

    async def open_case(self, start: CaseStart) -> None:
        if start.carried is not None:  # a run that continued as new: its script replays up to the open step
            self.resume(start)
            self._fast_forward = True
            return
        self.case = start
        self.title = start.title
        self.unit = start.data.get(self.unit_from) if self.unit_from else None
        self.data = dict(start.data)
        self.created_at = workflow.now()
        self.stage = self.definition.steps[0].stage
        self.add_event("submit", start.applicant, "submitted")
        self.notify("submitted", self.applicant(), "submit")
        if start.documents:
            await self.flush()  # the case row first: documents refer to it
            await self.record_documents(start.documents)

    async def record_documents(self, uploads: list[DocumentUpload], announce: bool = False) -> None:
        """Writes document rows; `announce` adds an upload event per file to the history."""
        self._not_replaying("record_documents")
        self.writes.begin_io()  # the case is not settled before its documents are listed
        try:
            await workflow.execute_activity(
                EngineActivity.RECORD_DOCUMENTS, CaseDocuments(self._case.case_id, uploads),
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY,
            )
        finally:
            self.writes.end_io()
        self.documents.extend(uploads)
        self.writes.changed()  # the case view lists them: settled only after the next projection write
        if announce:
            for upload in uploads:
                self.add_event("documents", upload.uploaded_by, "upload",
                               data={"kind": upload.kind, "filename": upload.filename})

    async def generate_document(self, kind: str, template: str, context: dict[str, Any], *,
                                filename: str | None = None) -> DocumentUpload:
        """Renders templates/documents/<template>.html with `context` (JSON values) into a PDF of this
        case, stores and records it once (a retried activity or a replay never adds a second row), lists
        it with the case's documents, and returns it (attach it with `Attachment.document(upload)`). The
        engine adds the case's own fields: agency (the letterhead), case_id, tracking_code, sop_title,
        applicant_name and date (now). Each call is a new round of the kind: its own file and row."""
        self._not_replaying("generate_document")
        case = self._case
        round_ = self.generated.get(kind, 0) + 1
        self.generated[kind] = round_
        now = workflow.now()
        own = {"agency": case.agency, "case_id": case.case_id, "tracking_code": case.tracking_code,
               "sop_title": self.definition.title, "applicant_name": case.applicant.name, "date": now.isoformat()}
        name = filename or f"{kind.replace('_', '-')}-{case.case_id}{'' if round_ == 1 else f'-{round_}'}.pdf"
        request = DocumentRequest(case_id=case.case_id, kind=kind, template=template, context={**own, **context},
                                  key=f"{case.case_id}/{kind}#{round_}", filename=name, at=now)
        if self.writes.version == 0:
            await self.flush()  # the case row first: documents refer to it
        self.writes.begin_io()  # the case is not settled before its documents are listed
        try:
            upload = await workflow.execute_activity(
                EngineActivity.GENERATE_DOCUMENT, request, result_type=DocumentUpload,
                start_to_close_timeout=timedelta(minutes=2), retry_policy=RECORD_RETRY,
            )
        finally:
            self.writes.end_io()
        self.documents.append(upload)
        self.add_event("documents", SYSTEM, "generated", data={"kind": kind, "filename": upload.filename})
        return upload

    async def open_linked_case(self, definition: SopDefinition, data: dict[str, Any], title: str = "",
                               agency: str | None = None) -> str:
        """Starts another SOP's case for this applicant, linked to this one (parent_id), and returns its id.

        The id comes from the database counter through an activity; a retried activity only skips a
        number, and the child start is in this workflow's history, so a case is never opened twice.
        """
        self._not_replaying("open_linked_case")
        agency = agency or self._case.agency
        for _ in range(MAX_LINK_ATTEMPTS):
            ticket = await workflow.execute_activity(
                EngineActivity.ALLOCATE_CASE, CaseIdRequest(definition.id, workflow.now(), agency), result_type=CaseTicket,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY,
            )
            start = CaseStart(case_id=ticket.case_id, sop=definition.id, agency=agency,
                              tracking_code=ticket.tracking_code, applicant=self._case.applicant, data=data,
                              title=title, parent_id=self._case.case_id)
            try:
                await workflow.start_child_workflow(
                    definition.id, start, id=ticket.case_id, parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                    search_attributes=start_search_attributes(definition.id, agency, definition.steps[0].stage),
                )
            except WorkflowAlreadyStartedError:  # an id Temporal already knows (restored database)
                continue
            return ticket.case_id
        raise ApplicationError(f"no free case id for {definition.id}", non_retryable=True)

    async def step(self, step_id: str, *, assignee: Person | Sequence[Person] | None = None,
                   queue: str | None = None) -> Decision:
        """Opens one step and waits for its closing decision. `assignee`: the one person who takes it, or
        a list of people any one of whom may take it (assignees_of)."""
        decisions = await self.steps([step_id], assignees={step_id: assignee} if assignee else None, queue=queue)
        return decisions[step_id]

    async def steps(
        self, step_ids: Sequence[str], *, assignees: dict[str, Person | Sequence[Person]] | None = None,
        queue: str | None = None,
    ) -> dict[str, Decision]:
        """Opens steps side by side and waits until each has a closing decision."""
        if self._replaying_script:  # taken in an earlier run: its result, as it was
            return self._replayed(step_ids)
        if self._fast_forward:  # the steps the previous run was waiting in, open already
            self._take_over(step_ids)
        else:
            for step_id in step_ids:
                await self._open(self.definition.step(step_id), (assignees or {}).get(step_id), queue)
        decided: dict[str, Decision] = {}
        while len(decided) < len(step_ids):
            await self.flush()
            if not decided and self.continues_as_new and workflow.info().is_continue_as_new_suggested() \
                    and workflow.patched(CONTINUE_AS_NEW_PATCH):
                # Once the decisions' handlers have returned and the notices are out, unless news comes first.
                await workflow.wait_condition(lambda: self._quiet(step_ids) or self._has_news(step_ids, decided)
                                              or self._cancelling is not None)
                if self._quiet(step_ids) and self._cancelling is None:
                    self._continue_as_new()
            await workflow.wait_condition(lambda: self._has_news(step_ids, decided) or self._cancelling is not None)
            if self._cancelling is not None:
                raise _CaseCancelled()
            for step_id in step_ids:
                task = self.tasks[step_id]
                self._apply_pending(task)
                if task.closed and step_id not in decided:
                    decided[step_id] = self._close(task)
        if self.continues_as_new:
            self._script.append(StepsResult(dict(decided), deepcopy(self.data), self.title))
        return decided

    # ---- continue-as-new -------------------------------------------------------------------

    def _quiet(self, step_ids: Sequence[str]) -> bool:
        """Nothing in flight: every handler returned, every notice sent, the projection written, and the
        steps waited on open with nothing pending."""
        return workflow.all_handlers_finished() and all(t.done() for t in self._outbox) and self.writes.settled() \
            and all(not self.tasks[s].closed and not self.tasks[s].pending for s in step_ids)

    def _continue_as_new(self) -> None:
        carry = CaseCarry(
            script=list(self._script), data=self.data, title=self.title, stage=self.stage, status=self.status,
            history=self.history, documents=self.documents, rounds=self.rounds, generated=self.generated,
            created_at=self.created_at or workflow.now(), version=self.writes.version,
            recorded_seq=self._recorded_seq,
            tasks=[CarriedTask(t.view, sorted(t.fired)) for t in self.tasks.values() if not t.closed],
            spans=[CarriedSpan(s.view, s.ended, sorted(s.fired)) for s in self.spans.values()],
            closed_at=self.closed_at, unit=self.unit, runs=(self._carried.runs if self._carried else 0) + 1,
        )
        workflow.logger.info("%s continues as new after %d events", self._case.case_id,
                             workflow.info().get_current_history_length())
        workflow.continue_as_new(replace(self._case, documents=[], carried=carry),
                                 search_attributes=workflow.info().typed_search_attributes)

    def resume(self, start: CaseStart) -> None:
        """Takes over the state a previous run carried (no effect for a new case); idempotent."""
        carry = start.carried
        if carry is None or self._carried is not None:
            return
        self._carried = carry
        self.case = replace(start, carried=None)
        self.data, self.title, self.stage, self.status = deepcopy(carry.data), carry.title, carry.stage, carry.status
        self.history, self.documents = list(carry.history), list(carry.documents)
        self.rounds, self.generated = dict(carry.rounds), dict(carry.generated)
        self.created_at, self.closed_at, self.unit = carry.created_at, carry.closed_at, carry.unit
        self._recorded_seq = carry.recorded_seq
        self.writes = WriteTracker(version=carry.version, dirty=False)
        self.tasks = {t.view.step: _OpenTask(self.definition.step(t.view.step), t.view, fired=set(t.fired))
                      for t in carry.tasks}
        self.spans = {s.view.span: _RunningSpan(self.definition.span(s.view.span), s.view, s.ended, set(s.fired))
                      for s in carry.spans}
        self._script = list(carry.script)
        self._replaying_script = list(carry.script)

    def _not_replaying(self, verb: str) -> None:
        if self._fast_forward:  # an SOP with `continues_as_new` may only have steps before a step
            raise RuntimeError(f"{self.definition.id}: {verb}() cannot be replayed in a run continued as new")

    def _replayed(self, step_ids: Sequence[str]) -> dict[str, Decision]:
        result = self._replaying_script.pop(0)
        if sorted(result.decisions) != sorted(step_ids):
            raise RuntimeError(f"the script of {self._case.case_id} took another path than its previous run: "
                               f"{sorted(step_ids)} instead of {sorted(result.decisions)}")
        self.data, self.title = deepcopy(result.data), result.title  # as the script saw them then
        return dict(result.decisions)

    def _take_over(self, step_ids: Sequence[str]) -> None:
        """The replay reached the steps the previous run waited in: the carried state again (the
        replayed script code saw older data), and their timers and the running spans' go on."""
        carry = self._carried
        assert carry is not None
        self._fast_forward = False
        if sorted(step_ids) != sorted(t.view.step for t in carry.tasks):
            raise RuntimeError(f"the script of {self._case.case_id} waits in {sorted(step_ids)}, its previous "
                               f"run in {sorted(t.view.step for t in carry.tasks)}")
        self.data, self.title, self.stage = deepcopy(carry.data), carry.title, carry.stage
        for step_id in step_ids:
            if self.tasks[step_id].view.due_at is not None:
                asyncio.create_task(self._watch(self.tasks[step_id]))
        for running in self.spans.values():
            if not running.ended:
                asyncio.create_task(self._watch_span(running))
        self.writes.changed()  # one write from this run: its search attributes and details line

    def _has_news(self, step_ids: Sequence[str], decided: dict[str, Decision]) -> bool:
        return any(
            self.tasks[s].pending or (self.tasks[s].closed and s not in decided) for s in step_ids
        )

    def _apply_pending(self, task: _OpenTask) -> None:
        for ticket in task.pending:
            self.on_open_action(ticket.decision)
            self.writes.consume(ticket.number)
        task.pending.clear()

    def on_open_action(self, decision: Decision) -> None:
        """SOP hook for actions that keep the step open (save a draft, edit a field)."""
        self.data.update(decision.data or {})
        self.add_event(decision.step, decision.actor, decision.action, decision.reason, decision.data or {})

    def _close(self, task: _OpenTask) -> Decision:
        assert task.decision is not None
        decision = task.decision.decision
        self.writes.consume(task.decision.number)
        self._end_spans(lambda span: span.ends_at_step == task.definition.id)
        event_data = self.event_data(decision)
        self.add_event(decision.step, decision.actor, decision.action, decision.reason, event_data)
        for delegated in (decision.data or {}).get("delegations") or []:  # the API applied a delegation
            self.add_event(decision.step, SYSTEM, "delegated",
                           f"Didelegasikan dari {delegated['from']['name']} kepada {delegated['to']['name']}",
                           {"from": delegated["from"], "to": delegated["to"]})
        return decision

    def record_edit(self, decision: Decision, clean: dict[str, Any], labels: dict[str, str]) -> None:
        """An officer's correction of the case data: each changed field is kept in the history (old ->
        new, by whom), and the applicant is told by e-mail."""
        changes = [{"field": name, "label": labels.get(name, name), "old": self.data.get(name), "new": value}
                   for name, value in clean.items() if self.data.get(name) != value]
        if not changes:
            return
        self.data.update(clean)
        self.add_event(decision.step, decision.actor, decision.action, decision.reason, {"changes": changes})
        # One message per edit: the event's number keeps its idempotency key apart.
        self.notify("edited", self.applicant(), f"{decision.step}@{len(self.history)}", changes=changes,
                    reason=decision.reason)

    def event_data(self, decision: Decision) -> dict[str, Any]:
        """SOP hook: what of a closing decision's data the history keeps (its cleaned form data)."""
        return self.clean(decision)

    async def _open(self, definition: StepDef, assigned: Person | Sequence[Person] | None, queue: str | None) -> None:
        people = [assigned] if isinstance(assigned, Person) else list(assigned or [])
        if definition.applicant_step:
            people = [self._case.applicant]
        assignee = people[0] if people else None  # one person; of several, the first (all in `assignees`)
        round_ = self.rounds.get(definition.id, 0) + 1
        self.rounds[definition.id] = round_
        now = workflow.now()
        view = OpenStep(
            step=definition.id,
            title=definition.title,
            role=(self._case.applicant.role or "umkm") if definition.applicant_step else self.step_role(definition),
            actions=[a.id for a in self.offered_actions(definition)],
            started_at=now,
            round=round_,
            assignee_id=assignee.id if assignee else None,
            assignee_name=assignee.name if assignee else None,
            assignees=people if len(people) > 1 else [],
            queue=queue,
        )
        sla = self.step_sla(definition)
        if sla is not None and (definition.sla_patch is None or workflow.patched(definition.sla_patch)):
            deadlines = await self._deadlines(definition, now, sla)
            view.due_at = deadlines.due_at
            view.remind_at = deadlines.remind_at
            view.second_escalation_at = deadlines.second_escalation_at
        task = _OpenTask(definition, view)
        self.tasks[definition.id] = task
        self.stage = definition.stage
        self.writes.changed()
        if definition.notify_on_open:
            self.notify("task", self._step_recipients(task), definition.id, task=task)
        if view.due_at is not None:
            asyncio.create_task(self._watch(task))
        for span in self.definition.spans:
            if span.starts_at_step == definition.id:
                await self._start_span(span, now)

    async def _deadlines(self, definition: StepDef | SpanDef, start: datetime,
                         sla: WorkingTime | None = None) -> Deadlines:
        request = DeadlineRequest(
            agency=self._case.agency,
            sop=self.definition.id,
            step=definition.id,  # a span's id: ALUR_SLA_OVERRIDES "<sop>.<span>" applies to it
            start=start,
            sla=sla or definition.sla,  # type: ignore[arg-type]
            remind_before=definition.remind_before,
            second_escalation_after=definition.second_escalation_after,
        )
        self._looking_up_deadlines += 1
        try:
            return await workflow.execute_local_activity(
                EngineActivity.COMPUTE_DEADLINES, request, result_type=Deadlines,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY,
            )
        finally:
            self._looking_up_deadlines -= 1

    def _step_recipients(self, task: _OpenTask) -> Recipients:
        if task.view.assignees:
            return Recipients(user_ids=[p.id for p in task.view.assignees if p.id is not None])
        if task.view.assignee_id is not None:
            return Recipients(user_ids=[task.view.assignee_id])
        return Recipients(roles=[task.view.role], agency=self._case.agency)

    # ---- SLA timers ------------------------------------------------------------------------

    async def _watch(self, task: _OpenTask) -> None:
        definition = task.definition
        for timer in sla_timers(task.view, definition.escalate_to, definition.second_escalate_to):
            if timer.kind in task.fired:  # went off in an earlier run
                continue
            if not await self._sleep_while_open(task, timer.at):
                return
            task.fired.add(timer.kind)
            await self._on_timer(task, timer.kind, timer.escalate_to)

    async def _sleep_while_open(self, task: _OpenTask, until: datetime) -> bool:
        """True when `until` passed with the task still open."""
        await self._sleep_unless(until, lambda: task.closed)
        return not task.closed and self.tasks.get(task.definition.id) is task

    @staticmethod
    async def _sleep_unless(until: datetime, stop: Callable[[], bool]) -> None:
        """Sleeps until `until`, or less when `stop()` becomes true first."""
        delay = until - workflow.now()
        if delay > timedelta(0):
            try:
                await workflow.wait_condition(stop, timeout=delay)
            except asyncio.TimeoutError:
                pass

    async def _on_timer(self, task: _OpenTask, kind: str, roles: tuple[str, ...]) -> None:
        recipients = self._step_recipients(task)
        if kind == "escalation" and task.definition.timeout_action:
            self._auto_decide(task, task.definition.timeout_action)
            return
        if kind == "reminder":
            self._add_recipients(recipients, task.definition.remind_also)
            self.add_event(task.definition.id, SYSTEM, kind, "Pengingat: batas waktu layanan sudah dekat")
        else:
            task.view.overdue = True
            recipients.roles = [*recipients.roles, *roles]
            recipients.agency = self._case.agency
            superiors = [p.id for p in self.step_superiors(task.definition) if p.id is not None]
            recipients.user_ids += [i for i in superiors if i not in recipients.user_ids]
            self.add_event(task.definition.id, SYSTEM, kind, "Melewati batas waktu layanan; dieskalasi")
        self.notify(kind, recipients, task.definition.id, task=task)
        await self.flush()

    def step_role(self, step: StepDef) -> str:
        """SOP hook: the role that acts on the step this time, read from the case data (deterministic, no
        I/O), e.g. the role a complaint was forwarded to. Default: the declared one."""
        return step.role

    def offered_actions(self, step: StepDef) -> tuple[Action, ...]:
        """SOP hook: the actions the step offers as it opens this time, read from the case data
        (deterministic, no I/O), e.g. a reschedule allowed once; the others of its actions are refused
        while it is open. Default: all of them."""
        return step.actions

    def step_superiors(self, step: StepDef) -> list[Person]:
        """SOP hook: people told when the step's time runs out, besides its `escalate_to` roles, read from the
        case data (deterministic, no I/O), e.g. the official who assigned it to the late person. Default: none."""
        return []

    def step_sla(self, step: StepDef) -> WorkingTime | None:
        """SOP hook: the step's time standard for this case, read from its data (deterministic, no I/O),
        e.g. an automatic receipt that waits longer for a distant destination. Default: the declared one."""
        return step.sla

    # ---- case-level time standards (SpanDef) -----------------------------------------------

    def span_sla(self, span: SpanDef) -> WorkingTime | None:
        """SOP hook: the span's time standard for this case, read from its data (deterministic, no
        I/O), e.g. per destination; None: the span does not run for this case. Default: the declared one."""
        return span.sla

    async def _start_span(self, span: SpanDef, start: datetime) -> None:
        running = self.spans.get(span.id)
        if running is not None and not running.ended:
            return  # its starting step opened again (a new round): the span runs on
        sla = self.span_sla(span)
        if sla is None or self.status != CaseStatus.OPEN:
            return
        round_ = self.rounds.get(span.id, 0) + 1
        self.rounds[span.id] = round_
        deadlines = await self._deadlines(span, start, sla)
        view = OpenSpan(span=span.id, title=span.title, started_at=start, due_at=deadlines.due_at,
                        remind_at=deadlines.remind_at, second_escalation_at=deadlines.second_escalation_at,
                        round=round_)
        running = _RunningSpan(span, view)
        self.spans[span.id] = running
        self.writes.changed()
        asyncio.create_task(self._watch_span(running))

    def _end_spans(self, ends: Callable[[SpanDef], bool]) -> None:
        for running in self.spans.values():
            if not running.ended and ends(running.definition):
                running.ended = True  # its timers stop
                self.writes.changed()

    async def _watch_span(self, running: _RunningSpan) -> None:
        span = running.definition
        for timer in sla_timers(running.view, span.escalate_to, span.second_escalate_to):
            if timer.kind in running.fired:  # went off in an earlier run
                continue
            await self._sleep_unless(timer.at, lambda: running.ended)
            if running.ended:
                return
            running.fired.add(timer.kind)
            self._on_span_timer(running, timer.kind, timer.escalate_to)
            await self.flush()

    def _on_span_timer(self, running: _RunningSpan, kind: str, roles: tuple[str, ...]) -> None:
        span, view = running.definition, running.view
        recipients = Recipients()
        for task in self.tasks.values():  # whoever can move the case on now
            if not task.closed:
                actors = self._step_recipients(task)
                recipients.user_ids += [i for i in actors.user_ids if i not in recipients.user_ids]
                recipients.roles += [r for r in actors.roles if r not in recipients.roles]
                recipients.agency = actors.agency or recipients.agency
        if kind == "reminder":
            self._add_recipients(recipients, span.remind_also)
            self.add_event(span.id, SYSTEM, kind, "Pengingat: batas waktu layanan sudah dekat")
        else:
            view.overdue = True
            self._add_recipients(recipients, roles)
            self.add_event(span.id, SYSTEM, kind, "Melewati batas waktu layanan; dieskalasi")
        self.notify(kind, recipients, span.id, step_title=span.title, due_at=view.due_at, span=span.id)

    def _add_recipients(self, recipients: Recipients, who: tuple[str, ...]) -> None:
        for name in who:
            if name == APPLICANT:
                applicant = self.applicant()
                recipients.user_ids += applicant.user_ids
                recipients.emails += applicant.emails
                recipients.phones += applicant.phones
            else:
                recipients.roles.append(name)
                recipients.agency = self._case.agency

    def _auto_decide(self, task: _OpenTask, action: str) -> None:
        reason = "Batas waktu layanan terlampaui; tindakan otomatis sesuai SOP"
        task.decision = _Ticket(self.writes.take_ticket(), Decision(task.definition.id, action, SYSTEM, reason=reason))

    # ---- closing ---------------------------------------------------------------------------

    async def finish(self, *, status: CaseStatus | str, stage: str, template: str | None = None,
                     **context: Any) -> DecisionResult:
        """Closes the case, writes it, tells the applicant, and waits for the last messages."""
        self._not_replaying("finish")
        self.status = status
        self.stage = stage
        self.closed_at = workflow.now()
        self._end_spans(lambda span: True)
        self.writes.changed()
        if template:
            self.notify(template, self.applicant(), "finish", **context)
        if status in (CaseStatus.COMPLETED, CaseStatus.REJECTED) and workflow.patched(SURVEY_PATCH):
            invited = self.applicant()
            if invited.user_ids or invited.emails:  # the invitation is an e-mail
                self.notify(SURVEY_TEMPLATE, invited, "survey")
        await self.flush()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await asyncio.gather(*self._outbox)
        return DecisionResult(case_id=self._case.case_id, status=self.status, stage=self.stage)

    # ---- history, projection, search attributes ------------------------------------------

    def add_event(
        self, step: str, actor: Person, action: str, reason: str | None = None, data: dict[str, Any] | None = None
    ) -> None:
        if self._fast_forward:  # replaying the script of an earlier run: the history came with it
            return
        self.history.append(HistoryEvent(len(self.history) + 1, workflow.now(), step, actor, action, reason, data or {}))
        self.writes.changed()

    def snapshot(self) -> CaseSnapshot:
        case = self._case
        return CaseSnapshot(
            case_id=case.case_id, sop=case.sop, agency=case.agency, tracking_code=case.tracking_code,
            applicant_id=case.applicant.id or 0, applicant_name=case.applicant.name, title=self.title,
            status=self.status, stage=self.stage, data=self.data, version=self.writes.version,
            created_at=self.created_at or workflow.now(),
            open_steps=[replace(t.view) for t in self.tasks.values() if not t.closed] if self.status == CaseStatus.OPEN else [],
            new_events=[e for e in self.history if e.seq > self._recorded_seq],
            parent_id=case.parent_id, closed_at=self.closed_at, unit=self.unit,
            open_spans=[replace(s.view) for s in self.spans.values() if not s.ended]
            if self.status == CaseStatus.OPEN else [],
        )

    async def flush(self) -> None:
        """Writes the projection if anything changed; decisions return only after this."""
        if self._fast_forward:
            return
        consumed = self.writes.consumed
        if self.writes.dirty:
            self.writes.begin_write()
            snapshot = self.snapshot()
            self._upsert_search_attributes(snapshot)
            try:
                # Local: a quick database write in the same workflow task, so a decision returns
                # without two more round trips through the server.
                await workflow.execute_local_activity(
                    EngineActivity.RECORD_CASE, snapshot, start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY
                )
            finally:
                self.writes.end_io()
            self._recorded_seq = max(self._recorded_seq, max((e.seq for e in snapshot.new_events), default=0))
        self.writes.mark_written(consumed)

    def _upsert_search_attributes(self, snapshot: CaseSnapshot) -> None:
        due, overdue = due_and_overdue(snapshot)  # open steps and running spans
        updates = [
            SOP_KEY.value_set(snapshot.sop),
            AGENCY_KEY.value_set(snapshot.agency),
            STAGE_KEY.value_set(snapshot.stage),
            ROLE_KEY.value_set(sorted({s.role for s in snapshot.open_steps})),
            OVERDUE_KEY.value_set(overdue),
            DUE_KEY.value_set(due) if due else DUE_KEY.value_unset(),
        ]
        workflow.upsert_search_attributes(updates)
        workflow.set_current_details(self.summary(snapshot, overdue))

    def summary(self, snapshot: CaseSnapshot, overdue: bool) -> str:
        if snapshot.status != CaseStatus.OPEN:
            return f"{self.definition.title}: {snapshot.stage} ({snapshot.status})"
        waiting = ", ".join(s.title for s in snapshot.open_steps) or "-"
        late = " — TERLAMBAT" if overdue else ""
        return f"{self.definition.title} · {snapshot.applicant_name} · tahap {snapshot.stage} · menunggu: {waiting}{late}"

    # ---- notifications ---------------------------------------------------------------------

    def applicant(self) -> Recipients:
        """The applicant's account, or the e-mail and phone of an applicant without one (offline intake)."""
        person = self._case.applicant
        if person.id is not None:
            return Recipients(user_ids=[person.id])
        return Recipients(emails=[person.email] if person.email else [], phones=[person.phone] if person.phone else [])

    def notify(self, template: str, recipients: Recipients, step: str, task: _OpenTask | None = None,
               attachments: Sequence[Attachment] = (), **extra: Any) -> None:
        """Sends in the background: a slow or failing mail server never holds the case. `attachments`
        go with the e-mail (Attachment.ics / Attachment.document); other channels leave them out."""
        if self._fast_forward:  # replaying the script of an earlier run, which sent it
            return
        case = self._case
        round_ = self.rounds.get(step, 1)
        context: dict[str, Any] = {
            "case_id": case.case_id, "sop": case.sop, "agency": case.agency, "sop_title": self.definition.title,
            "tracking_code": case.tracking_code,
            "applicant_name": case.applicant.name, "stage": self.stage, "title": self.title, **extra,
        }
        if task is not None:
            context.update(step_title=task.definition.title, due_at=task.view.due_at)
        notice = Notice(key=f"{case.case_id}/{step}#{round_}/{template}", case_id=case.case_id,
                        template=template, recipients=recipients, context=context, attachments=list(attachments))
        if not workflow.patched(NOTICE_BATCH_PATCH):  # recorded before batches: one activity per notice
            self._outbox.append(asyncio.create_task(self._send(notice)))
            return
        if self._batch is None:  # the first notice of this transition: its batch goes out when the transition waits
            self._batch = []
            self._outbox.append(asyncio.create_task(self._send_batch()))
        self._batch.append(notice)

    async def _send(self, notice: Notice) -> None:
        await workflow.execute_activity(
            EngineActivity.SEND_NOTICE, notice, start_to_close_timeout=timedelta(minutes=1),
            schedule_to_close_timeout=timedelta(days=3), heartbeat_timeout=NOTIFY_HEARTBEAT, retry_policy=NOTIFY_RETRY,
        )

    async def _send_batch(self) -> None:
        """The transition's notices in one `send_notices` activity: every notice produced until the code
        waits for something other than a step's deadlines (a decision closing a step notifies, then opens
        the next step, whose deadlines are a local activity, then notifies its actor). Deterministic: the
        same code reaches the same waits with the same notices."""
        await workflow.wait_condition(lambda: self._looking_up_deadlines == 0)
        notices, self._batch = self._batch or [], None
        await workflow.execute_activity(
            EngineActivity.SEND_NOTICES, notices, start_to_close_timeout=timedelta(minutes=len(notices)),
            schedule_to_close_timeout=timedelta(days=3), heartbeat_timeout=NOTIFY_HEARTBEAT, retry_policy=NOTIFY_RETRY,
        )


def start_search_attributes(sop: str, agency: str, stage: str) -> TypedSearchAttributes:
    """Set at start so a case is findable in the Temporal UI before its first transition."""
    return TypedSearchAttributes([
        SearchAttributePair(SOP_KEY, sop),
        SearchAttributePair(AGENCY_KEY, agency),
        SearchAttributePair(STAGE_KEY, stage),
        SearchAttributePair(OVERDUE_KEY, False),
    ])


"""Dataclass messages between the API, the workflows and the activities.

Plain dataclasses so Temporal's default converter carries them; add fields with defaults
only, so that old histories keep decoding.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.calendar import WorkingTime


class CaseStatus(StrEnum):
    """A case's status, as the case contract names it."""

    OPEN = "open"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class EngineActivity(StrEnum):
    """The engine's activity names, shared by `@activity.defn` and the workflow calls."""

    COMPUTE_DEADLINES = "compute_deadlines"
    RECORD_CASE = "record_case"
    RECORD_DOCUMENTS = "record_documents"
    ALLOCATE_CASE = "allocate_case"
    SEND_NOTICE = "send_notice"
    SEND_NOTICES = "send_notices"  # a transition's notices in one activity
    GENERATE_DOCUMENT = "generate_document"


@dataclass
class Person:
    id: int | None
    name: str
    role: str | None = None
    agency: str | None = None
    email: str | None = None
    phone: str | None = None  # an applicant without an account (id None) is reached here and by e-mail
    # Staff of one unit inside the agency (e-order: an SKPD) act only on that unit's cases; None: the whole agency.
    unit: str | None = None


SYSTEM = Person(id=None, name="Sistem", role=None)


@dataclass
class DocumentUpload:
    """A file already stored under `stored_name` (see core.documents), to be recorded on a case."""

    kind: str
    filename: str  # the client's name, display only
    stored_name: str
    sha256: str
    size: int
    content_type: str
    uploaded_by: Person
    uploaded_at: datetime


@dataclass
class DocumentRequest:
    """A document the system generates (SopWorkflow.generate_document): templates/documents/<template>.html
    rendered with `context`; `key` (case + kind + round) names the stored file and its row, once."""

    case_id: str
    kind: str
    template: str
    context: dict[str, Any]
    key: str
    filename: str  # display name, e.g. "surat-tugas-<case>.pdf"
    at: datetime  # recorded as the row's time: the workflow's clock, the same on a retry


@dataclass
class CaseDocuments:
    case_id: str
    documents: list[DocumentUpload]


@dataclass
class CaseStart:
    case_id: str
    sop: str
    agency: str
    tracking_code: str
    applicant: Person
    data: dict[str, Any]
    title: str = ""
    parent_id: str | None = None
    documents: list[DocumentUpload] = field(default_factory=list)
    # Set when a long case continues as new (workflows/sop.py): the state the next run takes over.
    carried: "CaseCarry | None" = None


@dataclass
class CaseIdRequest:
    """A readable id for a case opened by another case (a referral); `at` picks the year."""

    sop: str
    at: datetime
    agency: str = ""  # whose calendar year (its time zone); "" from histories before it was sent


@dataclass
class CaseTicket:
    case_id: str
    tracking_code: str


@dataclass
class Decision:
    step: str
    action: str
    actor: Person
    reason: str | None = None
    data: dict[str, Any] | None = None


@dataclass
class DecisionResult:
    case_id: str
    status: str
    stage: str


@dataclass
class OpenStep:
    step: str
    title: str
    role: str
    actions: list[str]
    started_at: datetime
    round: int = 1
    assignee_id: int | None = None  # the one person who takes it; of several, the first
    assignee_name: str | None = None
    # Everyone who may take it when it was given to several people, any one of whom decides (else empty).
    assignees: list[Person] = field(default_factory=list)
    queue: str | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    second_escalation_at: datetime | None = None
    overdue: bool = False
    # A role task a colleague took (the `claim` update): only they decide it until it is released.
    claimed_by: Person | None = None
    # The person named for it is away: it went to their delegate (a delegation, see core.models_owners).
    delegated_from: Person | None = None


@dataclass
class TaskOwner:
    """A change of who owns an open step (the `claim`, `release` and `reassign` updates), sent by the API
    for the actor it authenticated. `assignee`: the person a step is reassigned to, resolved by the API
    (its delegate if they are away, `delegated_from` then naming them)."""

    step: str
    actor: Person
    assignee: Person | None = None
    delegated_from: Person | None = None
    reason: str | None = None


@dataclass
class Reminder:
    """The `remind` update: the open steps' reminder sent again; `key` (one per request) keeps it apart
    from the timer's reminder and from earlier requests."""

    actor: Person
    key: str


@dataclass
class Cancellation:
    """The `cancel` update: the case closes as cancelled, with the reason, by the head of agency."""

    actor: Person
    reason: str


@dataclass
class OpenSpan:
    """A running case-level time standard (SpanDef): from one step's opening to another's closing, or
    to the case's close. Its deadline, reminder and escalations work like an open step's."""

    span: str
    title: str
    started_at: datetime
    due_at: datetime
    remind_at: datetime | None = None
    second_escalation_at: datetime | None = None
    overdue: bool = False
    round: int = 1


@dataclass
class HistoryEvent:
    seq: int
    at: datetime
    step: str
    actor: Person
    action: str
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseSnapshot:
    """The projection of a case after a transition; `version` orders concurrent writes."""

    case_id: str
    sop: str
    agency: str
    tracking_code: str
    applicant_id: int  # 0: an applicant without an account
    applicant_name: str
    title: str
    status: str
    stage: str
    data: dict[str, Any]
    version: int
    created_at: datetime
    open_steps: list[OpenStep] = field(default_factory=list)
    new_events: list[HistoryEvent] = field(default_factory=list)
    parent_id: str | None = None
    closed_at: datetime | None = None
    unit: str | None = None  # the unit inside the agency that handles the case (cases.unit)
    open_spans: list[OpenSpan] = field(default_factory=list)  # running case-level time standards


@dataclass
class DeadlineRequest:
    agency: str
    sop: str
    step: str
    start: datetime
    sla: WorkingTime
    remind_before: WorkingTime | None = None
    second_escalation_after: WorkingTime | None = None


@dataclass
class Deadlines:
    due_at: datetime
    remind_at: datetime | None = None
    second_escalation_at: datetime | None = None
    sla_text: str = ""


@dataclass
class Recipients:
    user_ids: list[int] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    agency: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


@dataclass
class Invitation:
    """A meeting to put in the recipient's calendar (core.ics): the same `uid` with a higher `sequence`
    moves it. `timezone`: the zone the times are written in ("" = the case's agency's)."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    sequence: int = 0
    timezone: str = ""
    organizer_email: str = ""  # "" = ALUR_MAIL_FROM


@dataclass
class Attachment:
    """A file an e-mail carries (other channels ignore it). kind "ics": the invitation, built per
    recipient (text/calendar; method=REQUEST); kind "document": a stored document (core.documents) by
    its stored name. Build them with `Attachment.ics(...)` / `Attachment.document(...)`."""

    kind: str  # "ics" or "document"
    filename: str
    invitation: Invitation | None = None
    stored_name: str = ""
    content_type: str = ""

    @classmethod
    def ics(cls, invitation: Invitation, filename: str = "undangan.ics") -> "Attachment":
        return cls(kind="ics", filename=filename, invitation=invitation, content_type="text/calendar")

    @classmethod
    def document(cls, upload: DocumentUpload) -> "Attachment":
        return cls(kind="document", filename=upload.filename, stored_name=upload.stored_name,
                   content_type=upload.content_type)


@dataclass
class Notice:
    """One message to send; `key` (case + step round + kind) makes sending idempotent."""

    key: str
    case_id: str
    template: str
    recipients: Recipients
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Listing:
    """gallery-curation display -> the catalogue entry the `display_product` activity writes."""

    case_id: str
    agency: str
    sku: str
    stock: int
    price: int
    product_name: str
    business_name: str
    category: str
    expiry_date: str | None = None  # ISO date


@dataclass
class Listed:
    product_id: int | None  # None: the SKU is taken by another product of the gallery
    barcode_type: str = ""


@dataclass
class StepsResult:
    """One finished `steps()` call of a case's script: the decisions it returned, and the case data and
    title at that moment. A run that continued as new replays its script through these, without effects."""

    decisions: dict[str, Decision]
    data: dict[str, Any]
    title: str


@dataclass
class CarriedTask:
    view: OpenStep
    fired: list[str] = field(default_factory=list)  # the SLA timers that already went off


@dataclass
class CarriedSpan:
    view: OpenSpan
    ended: bool = False
    fired: list[str] = field(default_factory=list)


@dataclass
class CaseCarry:
    """A case handed from one workflow run to the next (continue-as-new): everything its projection and
    its handlers read, the steps open now, and the script's results so far."""

    script: list[StepsResult]
    data: dict[str, Any]
    title: str
    stage: str
    status: str
    history: list[HistoryEvent]
    documents: list[DocumentUpload]
    rounds: dict[str, int]
    generated: dict[str, int]
    created_at: datetime
    version: int  # projection writes so far: the next run's writes continue the count
    recorded_seq: int  # the last history event already in the projection
    tasks: list[CarriedTask] = field(default_factory=list)
    spans: list[CarriedSpan] = field(default_factory=list)
    closed_at: datetime | None = None
    unit: str | None = None
    runs: int = 1  # runs of this case before the one it starts

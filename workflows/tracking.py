"""Two small pieces of engine state, kept apart so that they can be read and tested on their own.

`WriteTracker` is the read-your-writes bookkeeping: a decision's update returns only once a projection
write that includes it has finished. `sla_timers` plans the reminder and escalations of a step or of a
case-level span; `due_and_overdue` is what the search attributes say of a case's deadlines.
Deterministic and free of Temporal calls: the engine (workflows/sop.py) does the waiting.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.messages import CaseSnapshot


@dataclass
class WriteTracker:
    """Tickets: each accepted decision takes the next number; the script `consume`s a ticket when it
    applies the decision to the case; a projection write begun after consuming ticket n marks every
    ticket up to n `written` when it finishes. A decision's update waits for `is_written(ticket)`."""

    tickets: int = 0  # decisions accepted
    consumed: int = 0  # the highest ticket the script has applied
    written: int = 0  # the highest ticket included in a finished projection write
    version: int = 0  # projection writes begun: the version each snapshot carries
    dirty: bool = True  # the case changed since the last write began
    in_flight: int = 0  # projection and document writes under way

    def take_ticket(self) -> int:
        self.tickets += 1
        return self.tickets

    def consume(self, ticket: int) -> None:
        self.consumed = max(self.consumed, ticket)

    def changed(self) -> None:
        self.dirty = True

    def begin_write(self) -> int:
        """A projection write of the current state begins: returns its version."""
        self.dirty = False
        self.version += 1
        self.in_flight += 1
        return self.version

    def begin_io(self) -> None:
        """Another write the case view depends on (its documents) begins."""
        self.in_flight += 1

    def end_io(self) -> None:
        self.in_flight -= 1

    def mark_written(self, consumed: int) -> None:
        """What was consumed before a flush is now in the projection (written, or nothing had changed)."""
        self.written = max(self.written, consumed)

    def is_written(self, ticket: int) -> bool:
        return self.written >= ticket

    def settled(self) -> bool:
        """Everything the case has done is in the projection, and nothing is being written."""
        return not self.dirty and self.in_flight == 0 and self.written >= self.consumed


@dataclass(frozen=True)
class SlaTimer:
    at: datetime
    kind: str  # "reminder", "escalation" or "escalation2": the notice template
    escalate_to: tuple[str, ...] = ()  # roles of the case's agency told besides the step's actor


class Timed(Protocol):
    """What has SLA instants: an open step (OpenStep) or a running span (OpenSpan)."""

    @property
    def remind_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def second_escalation_at(self) -> datetime | None: ...


def sla_timers(view: Timed, escalate_to: tuple[str, ...], second_escalate_to: tuple[str, ...]) -> list[SlaTimer]:
    """The timers of an open step or a running span, in the order they fire: reminder, escalation at the
    deadline, second escalation. Without one of the instants (no reminder configured) that timer is skipped."""
    planned = [(view.remind_at, "reminder", ()), (view.due_at, "escalation", escalate_to),
               (view.second_escalation_at, "escalation2", second_escalate_to)]
    return [SlaTimer(at, kind, roles) for at, kind, roles in planned if at is not None]


def due_and_overdue(snapshot: CaseSnapshot) -> tuple[datetime | None, bool]:
    """`AlurDueAt` and `AlurOverdue` of a case: the earliest deadline among its open steps and running
    spans, and whether any of them is past its escalation."""
    timed = [*snapshot.open_steps, *snapshot.open_spans]
    dues = [t.due_at for t in timed if t.due_at]
    return (min(dues) if dues else None), any(t.overdue for t in timed)

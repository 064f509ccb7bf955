"""Cases and step runs written through the projection writer (activities.records), as a workflow would,
for the dashboard, stuck-case and export tests."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from activities.records import write_snapshot
from core.messages import CaseSnapshot, HistoryEvent, OpenStep, Person

OFFICER = Person(id=None, name="Budi", role="admin_bidang")


@dataclass
class Seeded:
    """A jathil-vendor case written step by step: `open` then `close` (each a projection write)."""

    engine: Engine
    case_id: str
    created: datetime
    agency: str = "ponorogo"
    sop: str = "jathil-vendor"
    applicant: str = "Sri Wahyuni"
    version: int = 0
    seq: int = 0
    steps: list[OpenStep] = field(default_factory=list)

    def write(self, events: list[HistoryEvent], status: str = "open", closed_at: datetime | None = None) -> None:
        self.version += 1
        write_snapshot(self.engine, CaseSnapshot(
            case_id=self.case_id, sop=self.sop, agency=self.agency, tracking_code=hashlib.sha1(self.case_id.encode()).hexdigest()[:10].upper(),
            applicant_id=0, applicant_name=self.applicant, title=f"Usaha {self.applicant}", status=status,
            stage="Verifikasi", data={}, version=self.version, created_at=self.created, open_steps=list(self.steps),
            new_events=events, closed_at=closed_at))

    def event(self, at: datetime, step: str, action: str) -> HistoryEvent:
        self.seq += 1
        return HistoryEvent(seq=self.seq, at=at, step=step, actor=OFFICER, action=action)

    def open(self, step: str, at: datetime, due: datetime | None = None, role: str = "admin_bidang",
             overdue: bool = False, event: str | None = "submitted") -> "Seeded":
        self.steps.append(OpenStep(step=step, title=step, role=role, actions=["forward"], started_at=at, due_at=due,
                                   overdue=overdue))
        self.write([self.event(at, "submit", event)] if event else [])
        return self

    def move(self, at: datetime, step: str, action: str) -> "Seeded":
        """An event on an open step that does not close it (e.g. a document added)."""
        self.write([self.event(at, step, action)])
        return self

    def close(self, step: str, at: datetime, action: str = "forward", case_closes: bool = False) -> "Seeded":
        self.steps = [s for s in self.steps if s.step != step]
        self.write([self.event(at, step, action)], status="completed" if case_closes else "open",
                   closed_at=at if case_closes else None)
        return self

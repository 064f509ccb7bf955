"""The agenda (buku agenda) of letters an agency receives: one number per letter, per agency and year,
without gaps.

A number is drawn only together with the entry that holds it, in one transaction: the counter's row is
incremented first (its lock orders concurrent registrations), then the entry is written; a failure rolls
both back, so no number is ever lost. The entry is keyed by the case: a registration retried after it
committed (an activity retried by Temporal) gets its own number again, never a second one.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import UniqueConstraint, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select

from core.db import session_scope
from core.models import at_field


class AgendaCounter(SQLModel, table=True):
    """The last agenda number given per agency and year."""

    __tablename__ = "agenda_counters"
    agency: str = Field(primary_key=True, max_length=30)
    year: int = Field(primary_key=True)
    last: int = 0


class AgendaEntry(SQLModel, table=True):
    """A registered letter: its number in the agency's agenda of that year, and its case."""

    __tablename__ = "agenda_entries"
    __table_args__ = (UniqueConstraint("agency", "year", "number"),)
    case_id: str = Field(primary_key=True, foreign_key="cases.id", max_length=60)
    agency: str = Field(max_length=30)
    year: int
    number: int
    registered_at: datetime = at_field()


@dataclass
class Agenda:
    number: int
    year: int

    @property
    def text(self) -> str:
        """As written on the letter and the disposition sheet: "17/2026"."""
        return f"{self.number}/{self.year}"


def register_letter(engine: Engine, agency: str, year: int, case_id: str, at: datetime) -> Agenda:
    """The case's agenda number: drawn now (the next of the agency's year), or the one it drew before."""
    increment = (update(AgendaCounter).where(col(AgendaCounter.agency) == agency, col(AgendaCounter.year) == year)
                 .values(last=col(AgendaCounter.last) + 1).returning(col(AgendaCounter.last)))
    while True:
        with session_scope(engine) as session:
            # The write comes first: the counter's lock (a row lock; SQLite's write lock) is taken before
            # anything is read, so concurrent registrations queue here instead of reading the same state.
            drawn = session.exec(increment).scalar_one_or_none()  # type: ignore[call-overload]
            known = session.get(AgendaEntry, case_id)
            if known is not None:  # registered before (a retry): its own number; the increment is undone
                session.rollback()
                return Agenda(known.number, known.year)
            if drawn is None:
                session.add(AgendaCounter(agency=agency, year=year, last=1))
                drawn = 1
            session.add(AgendaEntry(case_id=case_id, agency=agency, year=year, number=drawn, registered_at=at))
            try:
                session.commit()
            except IntegrityError:  # another registration created this year's counter first: draw again
                continue
            return Agenda(drawn, year)


def agenda_numbers(engine: Engine, agency: str, year: int) -> list[int]:
    with session_scope(engine) as session:
        query = select(AgendaEntry.number).where(AgendaEntry.agency == agency, AgendaEntry.year == year)
        return sorted(session.exec(query).all())

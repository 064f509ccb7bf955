"""Working-time arithmetic for SLA deadlines of Indonesian government agencies.

All public methods take and return timezone-aware datetimes; results are in UTC.
Internally everything is computed on naive wall-clock times in the calendar's
zone, so office hours compare directly against the local time of day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

# Guards the day-by-day searches against calendars that never open.
_MAX_SEARCH_DAYS = 3660
# Ramadan is approximated as this many days before the first day of Eid al-Fitr.
_RAMADAN_DAYS = 30


@dataclass(frozen=True)
class WorkingTime:
    """An SLA amount: whole working days are applied first, then working minutes (and seconds: half of
    a 3-minute standard, for its reminder, is 1 minute 30 seconds)."""

    days: int = 0
    minutes: int = 0
    seconds: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.minutes < 0 or self.seconds < 0:
            raise ValueError("WorkingTime days, minutes and seconds must be non-negative")

    @property
    def span(self) -> timedelta:
        """The part below whole days, as office time to walk through."""
        return timedelta(minutes=self.minutes, seconds=self.seconds)

    def describe(self) -> str:
        parts = []
        if self.days:
            parts.append(f"{self.days} hari kerja")
        if self.minutes and self.minutes % 60 == 0 and not self.seconds:
            parts.append(f"{self.minutes // 60} jam kerja")
        elif self.minutes and self.seconds:
            parts.append(f"{self.minutes} menit {self.seconds} detik kerja")
        elif self.minutes:
            parts.append(f"{self.minutes} menit kerja")
        elif self.seconds:
            parts.append(f"{self.seconds} detik kerja")
        return " ".join(parts) or "0 menit kerja"


@dataclass(frozen=True)
class OfficeHours:
    """Opening and closing time per weekday (0=Monday); an absent weekday is closed."""

    days: dict[int, tuple[time, time]]

    def __post_init__(self) -> None:
        for weekday, (opens, closes) in self.days.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0..6, got {weekday}")
            if opens >= closes:
                raise ValueError(f"weekday {weekday}: opening must precede closing")

    @classmethod
    def default(cls) -> OfficeHours:
        return cls({weekday: (time(8), time(16)) for weekday in range(5)})


class WorkingCalendar:
    def __init__(
        self,
        timezone: str = "Asia/Jakarta",
        office_hours: OfficeHours | None = None,
        closed_days: Iterable[date] = (),
        ramadan_hours: OfficeHours | None = None,
        holiday_categories: tuple[str, ...] = ("public", "government"),
    ) -> None:
        self.zone = ZoneInfo(timezone)
        self.office_hours = office_hours or OfficeHours.default()
        if not self.office_hours.days:
            raise ValueError("office_hours must open on at least one weekday")
        self.ramadan_hours = ramadan_hours
        self.closed_days = frozenset(closed_days)
        # English names pinned: Ramadan detection matches on them.
        self._holidays = holidays.country_holidays(
            "ID", categories=tuple(holiday_categories), language="en_US"
        )
        self._by_year: dict[int, dict[date, str]] = {}
        self._eid_by_year: dict[int, tuple[date, ...]] = {}

    # --- holidays -------------------------------------------------------

    def _year_holidays(self, year: int) -> dict[date, str]:
        cached = self._by_year.get(year)
        if cached is None:
            # Any lookup makes the (expand=True) holidays object populate the whole year.
            self._holidays.get(date(year, 1, 1))
            cached = {d: name for d, name in self._holidays.items() if d.year == year}
            self._by_year[year] = cached
        return cached

    def holiday_name(self, day: date) -> str | None:
        return self._year_holidays(day.year).get(day)

    def _eid_first_days(self, year: int) -> tuple[date, ...]:
        cached = self._eid_by_year.get(year)
        if cached is None:
            cached = tuple(
                sorted(
                    d
                    for d, names in self._year_holidays(year).items()
                    if any(_is_eid_first_day(name) for name in names.split("; "))
                )
            )
            self._eid_by_year[year] = cached
        return cached

    def _in_ramadan(self, day: date) -> bool:
        """Approximation: the 30 days before the first day of Eid al-Fitr.

        The holidays package only knows Eid itself, and the real start of
        Ramadan depends on rukyat; 30 days is close enough for office hours.
        """
        eids = self._eid_first_days(day.year) + self._eid_first_days(day.year + 1)
        return any(0 < (eid - day).days <= _RAMADAN_DAYS for eid in eids)

    # --- working days and hours ------------------------------------------

    def _schedule(self, day: date) -> OfficeHours:
        if self.ramadan_hours is not None and self._in_ramadan(day):
            return self.ramadan_hours
        return self.office_hours

    def _hours(self, day: date) -> tuple[time, time] | None:
        """Opening and closing time of a working day, None when the office is closed."""
        hours = self._schedule(day).days.get(day.weekday())
        if hours is None or day in self.closed_days or self.holiday_name(day):
            return None
        return hours

    def is_working_day(self, day: date) -> bool:
        return self._hours(day) is not None

    def _next_working_day(self, day: date, step: int = 1) -> date:
        for _ in range(_MAX_SEARCH_DAYS):
            day += timedelta(days=step)
            if self.is_working_day(day):
                return day
        raise RuntimeError(f"no working day within {_MAX_SEARCH_DAYS} days of {day}")

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self._hours(day)[0])

    def _closing(self, day: date) -> datetime:
        return datetime.combine(day, self._hours(day)[1])

    # --- conversions -------------------------------------------------------

    def _to_local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("datetime must be timezone-aware")
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _to_utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    # --- snapping onto office time -------------------------------------------

    def _snap_forward(self, local: datetime) -> datetime:
        """The moment itself when the office is open (closing time included), else the next opening."""
        hours = self._hours(local.date())
        if hours and local.time() <= hours[1]:
            return max(local, datetime.combine(local.date(), hours[0]))
        return self._opening(self._next_working_day(local.date()))

    def _snap_backward(self, local: datetime) -> datetime:
        """The moment itself when the office is open (opening time included), else the previous closing."""
        hours = self._hours(local.date())
        if hours and local.time() >= hours[0]:
            return min(local, datetime.combine(local.date(), hours[1]))
        return self._closing(self._next_working_day(local.date(), step=-1))

    def _shift_days(self, local: datetime, days: int, step: int) -> datetime:
        """Same time of day `days` working days away, clamped into that day's hours."""
        day = local.date()
        for _ in range(days):
            day = self._next_working_day(day, step)
        opens, closes = self._hours(day)
        return datetime.combine(day, min(max(local.time(), opens), closes))

    def _as_read(self, local: datetime) -> datetime:
        """A deadline exactly at a day's opening, shown as the previous working day's closing.

        Both are the same working instant (no office time lies between them), but an applicant
        reads "Friday 08:00" as a day later than "Thursday 16:00". The closing is that day's own
        (per-weekday hours, Ramadan hours).

        add and subtract count from the whole minute (a case opened at 10:00:00.14 counts from
        10:00), as WorkingTime does: otherwise a reminder 2 hours before Monday 10:00:00.14
        would be Monday 08:00:00.14, which reads "Monday 08:00" yet is not exactly the opening.
        """
        hours = self._hours(local.date())
        if hours and local.time() == hours[0]:
            return self._closing(self._next_working_day(local.date(), step=-1))
        return local

    # --- public arithmetic -------------------------------------------------

    def add(self, start: datetime, amount: WorkingTime) -> datetime:
        """`amount` of working time after `start`.

        A zero amount returns `start` itself, even outside office hours: nothing is due later
        than it. Otherwise the result is never exactly an opening: it falls within office hours,
        and when it ends exactly where a day opens it is that day's previous closing instead
        (3 working days from Saturday is Wednesday 16:00, not Thursday 08:00). That closing is
        always after `start`, since a non-zero amount needs office time after `start`.
        """
        local = self._to_local(start)  # rejects naive datetimes, zero amount included
        if amount == WorkingTime():
            return start.astimezone(UTC)
        local = local.replace(second=0, microsecond=0)  # counted in whole minutes, see _as_read
        current = self._shift_days(self._snap_forward(local), amount.days, 1)
        remaining = amount.span
        # A deadline reaching closing time exactly stays there (<=), not next morning.
        while remaining > (available := self._closing(current.date()) - current):
            remaining -= available
            current = self._opening(self._next_working_day(current.date()))
        return self._to_utc(self._as_read(current + remaining))

    def subtract(self, end: datetime, amount: WorkingTime) -> datetime:
        """`amount` of working time before `end` (e.g. a reminder before a deadline).

        Same reading rule as add: a zero amount returns `end` itself, and a result exactly at a
        day's opening is shown as the previous working day's closing, never "08:00 next morning".
        """
        local = self._to_local(end)  # rejects naive datetimes, zero amount included
        if amount == WorkingTime():
            return end.astimezone(UTC)
        local = local.replace(second=0, microsecond=0)  # counted in whole minutes, see _as_read
        current = self._shift_days(self._snap_backward(local), amount.days, -1)
        remaining = amount.span
        while remaining > (available := current - self._opening(current.date())):
            remaining -= available
            current = self._closing(self._next_working_day(current.date(), step=-1))
        return self._to_utc(self._as_read(current - remaining))

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole office minutes in [start, end]; negative when end precedes start (overdue)."""
        first, last = self._to_local(start), self._to_local(end)
        if last < first:
            return -self.working_minutes_between(end, start)
        total = timedelta()
        day = first.date()
        while day <= last.date():
            if hours := self._hours(day):
                opens = max(first, datetime.combine(day, hours[0]))
                closes = min(last, datetime.combine(day, hours[1]))
                total += max(closes - opens, timedelta())
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)


def _is_eid_first_day(name: str) -> bool:
    return "Eid al-Fitr" in name and "Joint" not in name and "Second" not in name


def default_calendar() -> WorkingCalendar:
    return WorkingCalendar()


def parse_working_time(text: str) -> WorkingTime:
    """'2d', '90m', '1d30m', '2h' -> WorkingTime; used for SLA settings."""
    match = re.fullmatch(r"\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*", text)
    if not text.strip() or match is None:
        raise ValueError(f"bad working time {text!r}: use e.g. 2d, 4h, 90m, 1d30m")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return WorkingTime(days=days, minutes=hours * 60 + minutes)

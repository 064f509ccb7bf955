"""deadlines_for: due, reminder and second escalation of a step, read as people read them."""

from datetime import datetime, timedelta, timezone

from activities.calendar import deadlines_for
from core.calendar import WorkingTime, default_calendar
from core.messages import DeadlineRequest

WIB = timezone(timedelta(hours=7))


def request(start: datetime, sla: WorkingTime, remind: WorkingTime | None = None,
            second: WorkingTime | None = None) -> DeadlineRequest:
    return DeadlineRequest(agency="dki", sop="eorder-vendor", step="pjlp_check", start=start, sla=sla,
                           remind_before=remind, second_escalation_after=second)


def test_reference_deadline_with_reminder_and_second_escalation():
    # Saturday 2026-08-15, Monday 08-17 Independence Day: due Thursday 16:00, not Friday 08:00.
    result = deadlines_for(default_calendar(), request(datetime(2026, 8, 15, 10, tzinfo=WIB), WorkingTime(days=3),
                                                       WorkingTime(days=1), WorkingTime(days=1)), WorkingTime(days=3))
    assert result.due_at == datetime(2026, 8, 20, 16, tzinfo=WIB)
    assert result.remind_at == datetime(2026, 8, 19, 16, tzinfo=WIB)
    assert result.second_escalation_at == datetime(2026, 8, 21, 16, tzinfo=WIB)


def test_reminder_two_hours_before_monday_morning_is_friday_closing():
    # Thursday 10:00 + 2 working days = Monday 10:00; 2 working hours before is Friday 16:00, not Monday 08:00.
    result = deadlines_for(default_calendar(), request(datetime(2026, 7, 2, 10, tzinfo=WIB), WorkingTime(days=2),
                                                       WorkingTime(minutes=120)), WorkingTime(days=2))
    assert result.due_at == datetime(2026, 7, 6, 10, tzinfo=WIB)
    assert result.remind_at == datetime(2026, 7, 3, 16, tzinfo=WIB)


def test_reminder_with_no_working_time_after_the_start_is_dropped():
    # From Saturday, 1 day is due Monday 16:00; a reminder 1 day before would be Friday 16:00, before the start.
    result = deadlines_for(default_calendar(), request(datetime(2026, 7, 4, 10, tzinfo=WIB), WorkingTime(days=1),
                                                       WorkingTime(days=1)), WorkingTime(days=1))
    assert result.due_at == datetime(2026, 7, 6, 16, tzinfo=WIB)
    assert result.remind_at is None

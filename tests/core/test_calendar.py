from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from core.calendar import OfficeHours, WorkingCalendar, WorkingTime, default_calendar

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return default_calendar()


def ramadan_calendar() -> WorkingCalendar:
    ramadan = OfficeHours({weekday: (time(8), time(15)) for weekday in range(5)})
    return WorkingCalendar(ramadan_hours=ramadan)


# --- add: whole days ---------------------------------------------------------


def test_friday_plus_one_day_over_weekend(cal):
    assert cal.add(wib(2026, 7, 3, 15), WorkingTime(days=1)) == wib(2026, 7, 6, 15)


def test_nyepi_and_eid_2027_are_skipped(cal):
    # Mon 03-08 Nyepi, 03-09..03-12 and Mon 03-15 Eid al-Fitr + cuti bersama.
    assert cal.add(wib(2027, 3, 5, 15), WorkingTime(days=1)) == wib(2027, 3, 16, 15)


def test_independence_day_is_skipped(cal):
    assert cal.add(wib(2026, 8, 14, 15), WorkingTime(days=1)) == wib(2026, 8, 18, 15)


def test_start_on_saturday_counts_from_monday_opening(cal):
    # A full day from Monday's opening ends at Monday's closing (was: Tuesday 08:00).
    assert cal.add(wib(2026, 7, 4, 10), WorkingTime(days=1)) == wib(2026, 7, 6, 16)
    assert cal.add(wib(2026, 7, 4, 10), WorkingTime(minutes=30)) == wib(2026, 7, 6, 8, 30)


def test_start_after_closing_counts_from_next_morning(cal):
    # A full day from Tuesday's opening ends at Tuesday's closing (was: Wednesday 08:00).
    assert cal.add(wib(2026, 7, 6, 17), WorkingTime(days=1)) == wib(2026, 7, 7, 16)
    assert cal.add(wib(2026, 7, 6, 17), WorkingTime(minutes=60)) == wib(2026, 7, 7, 9)


def test_start_before_opening_counts_from_opening(cal):
    assert cal.add(wib(2026, 7, 6, 6), WorkingTime(minutes=60)) == wib(2026, 7, 6, 9)


def test_days_then_minutes(cal):
    assert cal.add(wib(2026, 7, 6, 15), WorkingTime(days=1, minutes=90)) == wib(2026, 7, 8, 8, 30)


def test_day_closing_earlier_clamps_to_its_closing_time():
    hours = OfficeHours({0: (time(8), time(16)), 1: (time(8), time(12))})
    cal = WorkingCalendar(office_hours=hours)
    assert cal.add(wib(2026, 7, 6, 15), WorkingTime(days=1)) == wib(2026, 7, 7, 12)


# --- add: minutes --------------------------------------------------------------


def test_minutes_across_closing(cal):
    assert cal.add(wib(2026, 7, 6, 15, 30), WorkingTime(minutes=60)) == wib(2026, 7, 7, 8, 30)


def test_deadline_exactly_at_closing_stays_at_closing(cal):
    assert cal.add(wib(2026, 7, 6, 14), WorkingTime(minutes=120)) == wib(2026, 7, 6, 16)


def test_full_day_of_minutes_lands_on_closing(cal):
    assert cal.add(wib(2026, 7, 6, 8), WorkingTime(minutes=480)) == wib(2026, 7, 6, 16)


def test_result_is_utc(cal):
    result = cal.add(wib(2026, 7, 6, 9), WorkingTime(minutes=60))
    assert result.tzinfo is UTC
    assert result == datetime(2026, 7, 6, 3, tzinfo=UTC)


# --- subtract --------------------------------------------------------------------


def test_subtract_minutes_across_morning(cal):
    assert cal.subtract(wib(2026, 7, 7, 9), WorkingTime(minutes=120)) == wib(2026, 7, 6, 15)


def test_subtract_days_keeps_time_of_day(cal):
    assert cal.subtract(wib(2027, 3, 16, 15), WorkingTime(days=1)) == wib(2027, 3, 5, 15)


def test_subtract_from_weekend_starts_at_friday_closing(cal):
    assert cal.subtract(wib(2026, 7, 4, 12), WorkingTime(minutes=120)) == wib(2026, 7, 3, 14)


def test_subtract_inverts_add(cal):
    start = wib(2026, 12, 22, 10, 15)
    amount = WorkingTime(days=2, minutes=200)
    assert cal.subtract(cal.add(start, amount), amount) == start


# --- working days -------------------------------------------------------------------


def test_agency_closed_day_is_skipped():
    cal = WorkingCalendar(closed_days=[date(2026, 7, 6)])
    assert not cal.is_working_day(date(2026, 7, 6))
    assert cal.add(wib(2026, 7, 3, 15), WorkingTime(days=1)) == wib(2026, 7, 7, 15)


def test_cuti_bersama_is_not_a_working_day(cal):
    assert not cal.is_working_day(date(2026, 12, 24))
    assert "Joint Holiday" in cal.holiday_name(date(2026, 12, 24))


def test_regular_days(cal):
    assert cal.is_working_day(date(2026, 7, 6))
    assert not cal.is_working_day(date(2026, 7, 4))
    assert cal.holiday_name(date(2026, 7, 6)) is None
    assert cal.holiday_name(date(2026, 8, 17)) == "Independence Day"


# --- zones and validation ---------------------------------------------------------------


def test_makassar_calendar_uses_wita_office_hours():
    cal = WorkingCalendar(timezone="Asia/Makassar")
    # 07:30 UTC is 15:30 WITA: 30 minutes today, 30 tomorrow from 08:00 WITA.
    result = cal.add(datetime(2026, 7, 6, 7, 30, tzinfo=UTC), WorkingTime(minutes=60))
    assert result == datetime(2026, 7, 7, 8, 30, tzinfo=WITA)
    assert result == datetime(2026, 7, 7, 0, 30, tzinfo=UTC)


def test_naive_datetime_rejected(cal):
    with pytest.raises(ValueError):
        cal.add(datetime(2026, 7, 6, 9), WorkingTime(days=1))
    with pytest.raises(ValueError):
        cal.working_minutes_between(wib(2026, 7, 6, 9), datetime(2026, 7, 7, 9))


def test_negative_amount_rejected():
    with pytest.raises(ValueError):
        WorkingTime(minutes=-1)


# --- working_minutes_between ---------------------------------------------------------------


def test_working_minutes_over_weekend(cal):
    assert cal.working_minutes_between(wib(2026, 7, 3, 15), wib(2026, 7, 6, 9)) == 120


def test_working_minutes_outside_hours_and_reversed(cal):
    assert cal.working_minutes_between(wib(2026, 7, 4, 9), wib(2026, 7, 5, 17)) == 0
    assert cal.working_minutes_between(wib(2026, 7, 6, 9), wib(2026, 7, 3, 15)) == -120


# --- describe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (WorkingTime(days=1), "1 hari kerja"),
        (WorkingTime(minutes=120), "2 jam kerja"),
        (WorkingTime(days=1, minutes=30), "1 hari kerja 30 menit kerja"),
        (WorkingTime(minutes=90), "90 menit kerja"),
        (WorkingTime(days=3, minutes=60), "3 hari kerja 1 jam kerja"),
        (WorkingTime(), "0 menit kerja"),
    ],
)
def test_describe(amount, text):
    assert amount.describe() == text


def test_working_time_survives_temporal_json_converter():
    from temporalio.converter import DataConverter

    converter = DataConverter.default.payload_converter
    payloads = converter.to_payloads([WorkingTime(days=2, minutes=30)])
    assert converter.from_payloads(payloads, [WorkingTime]) == [WorkingTime(days=2, minutes=30)]


# --- Ramadan ----------------------------------------------------------------------------------


def test_ramadan_hours_close_earlier():
    cal = ramadan_calendar()
    # Mon 2027-02-22 is in the approximated Ramadan 2027 (Eid al-Fitr 2027-03-10).
    start = wib(2027, 2, 22, 14, 30)
    assert cal.add(start, WorkingTime(minutes=60)) == wib(2027, 2, 23, 8, 30)
    assert default_calendar().add(start, WorkingTime(minutes=60)) == wib(2027, 2, 22, 15, 30)


def test_ramadan_window_is_30_days_before_eid():
    cal = ramadan_calendar()
    start = wib(2027, 2, 5, 14, 30)  # Lunar New Year joint holiday -> Mon 02-08 opening
    assert cal.add(start, WorkingTime(minutes=450)) == wib(2027, 2, 9, 8, 30)
    # Fri 2027-02-05 is a holiday; Thu 02-04 is before Ramadan and keeps 16:00.
    assert cal.add(wib(2027, 2, 4, 14, 30), WorkingTime(minutes=90)) == wib(2027, 2, 4, 16)


# --- deadlines as people read them ----------------------------------------------------------
# A deadline ending exactly where a day opens is the previous working day's closing: the same
# working instant, but "Friday 08:00" reads as a day later than "Thursday 16:00".


def test_reference_three_days_from_saturday_over_independence_day(cal):
    # Mon 2026-08-17 is Independence Day: counting starts Tue 08:00, three days end Thu 16:00.
    due = cal.add(wib(2026, 8, 15, 10), WorkingTime(days=3))
    assert due == wib(2026, 8, 20, 16)
    assert due.astimezone(WIB).isoformat() == "2026-08-20T16:00:00+07:00"


REFERENCE_DEADLINES = [
    # (start WIB, amount, due WIB, what it shows)
    (wib(2026, 8, 15, 10), WorkingTime(days=3), wib(2026, 8, 20, 16), "Saturday + 3 days over Independence Day"),
    (wib(2026, 7, 6, 8), WorkingTime(days=1), wib(2026, 7, 6, 16), "Monday 08:00 + 1 day: Monday closing"),
    (wib(2026, 7, 3, 16), WorkingTime(days=1), wib(2026, 7, 6, 16), "Friday 16:00 + 1 day: over the weekend"),
    (wib(2026, 7, 6, 12), WorkingTime(minutes=240), wib(2026, 7, 6, 16), "12:00 + 4 hours: same day closing"),
    (wib(2026, 7, 6, 15), WorkingTime(minutes=120), wib(2026, 7, 7, 9), "15:00 + 2 hours: next day 09:00"),
    (wib(2026, 8, 14, 16), WorkingTime(days=1), wib(2026, 8, 18, 16), "Friday 16:00 + 1 day: weekend + holiday"),
    (wib(2026, 7, 4, 10), WorkingTime(days=1), wib(2026, 7, 6, 16), "Saturday + 1 day: Monday closing"),
    (wib(2026, 7, 3, 8), WorkingTime(days=1), wib(2026, 7, 3, 16), "Friday 08:00 + 1 day: Friday, not Monday"),
    (wib(2026, 7, 6, 17), WorkingTime(days=2), wib(2026, 7, 8, 16), "after closing + 2 days"),
    (wib(2026, 7, 7, 6), WorkingTime(days=1), wib(2026, 7, 7, 16), "before opening + 1 day"),
    (wib(2026, 12, 22, 17), WorkingTime(days=1), wib(2026, 12, 23, 16), "not Mon 12-28 after Christmas"),
    (wib(2026, 7, 4, 10), WorkingTime(minutes=480), wib(2026, 7, 6, 16), "Saturday + 8 hours"),
    (wib(2026, 7, 6, 15), WorkingTime(days=1, minutes=60), wib(2026, 7, 7, 16), "days then minutes to closing"),
]


@pytest.mark.parametrize(("start", "amount", "due", "label"), REFERENCE_DEADLINES,
                         ids=[row[3] for row in REFERENCE_DEADLINES])
def test_reference_deadlines(cal, start, amount, due, label):
    result = cal.add(start, amount)
    assert result.astimezone(WIB).isoformat() == due.isoformat(), label


def test_previous_closing_is_that_days_own_closing():
    hours = OfficeHours({**{weekday: (time(8), time(16)) for weekday in range(4)}, 4: (time(8), time(11, 30))})
    cal = WorkingCalendar(office_hours=hours)
    # Friday 08:00 + 1 day would be Monday 08:00: shown as Friday's own closing, 11:30.
    assert cal.add(wib(2026, 7, 3, 8), WorkingTime(days=1)) == wib(2026, 7, 3, 11, 30)
    assert cal.subtract(wib(2026, 7, 6, 9), WorkingTime(minutes=60)) == wib(2026, 7, 3, 11, 30)


def test_previous_closing_in_ramadan_is_the_ramadan_closing():
    cal = ramadan_calendar()
    # Fri 2027-03-05 is in Ramadan (08:00-15:00); the office reopens Tue 03-16 after Nyepi and Eid.
    assert cal.add(wib(2027, 3, 5, 8), WorkingTime(days=1)) == wib(2027, 3, 5, 15)
    assert cal.add(wib(2027, 2, 22, 15, 30), WorkingTime(days=1)) == wib(2027, 2, 23, 15)
    assert cal.subtract(wib(2027, 3, 16, 10), WorkingTime(minutes=120)) == wib(2027, 3, 5, 15)


def test_zero_amount_returns_the_start_itself(cal):
    for start in (wib(2026, 7, 6, 8), wib(2026, 7, 6, 12), wib(2026, 7, 6, 16), wib(2026, 7, 4, 10),
                  wib(2026, 7, 6, 17)):
        assert cal.add(start, WorkingTime()) == start
        assert cal.add(start, WorkingTime()).tzinfo is UTC
        assert cal.subtract(start, WorkingTime()) == start
    with pytest.raises(ValueError):
        cal.add(datetime(2026, 7, 6, 9), WorkingTime())


def test_reminder_before_a_morning_deadline_is_the_previous_closing(cal):
    # Two working hours before Monday 10:00 is Friday 16:00, not Monday 08:00.
    assert cal.subtract(wib(2026, 7, 6, 10), WorkingTime(minutes=120)) == wib(2026, 7, 3, 16)
    # ... and before Tuesday 10:00 after Independence Day it is the Friday before.
    assert cal.subtract(wib(2026, 8, 18, 10), WorkingTime(minutes=120)) == wib(2026, 8, 14, 16)
    # A day before Monday 16:00 (the same working instant as Tuesday 08:00) is Friday 16:00.
    assert cal.subtract(wib(2026, 7, 6, 16), WorkingTime(days=1)) == wib(2026, 7, 3, 16)
    assert cal.subtract(wib(2026, 7, 7, 8), WorkingTime(days=1)) == wib(2026, 7, 3, 16)
    # Results inside the day are unchanged.
    assert cal.subtract(wib(2026, 7, 6, 10), WorkingTime(minutes=60)) == wib(2026, 7, 6, 9)


def test_no_deadline_or_reminder_ever_shows_an_opening(cal):
    """Starts every 30 minutes over a fortnight around Independence Day, several amounts: results
    never sit on an opening, stay on the right side of their origin, and keep their working time."""
    amounts = [WorkingTime(days=1), WorkingTime(days=3), WorkingTime(minutes=60), WorkingTime(minutes=480),
               WorkingTime(days=1, minutes=30), WorkingTime(days=2, minutes=480)]
    moment = wib(2026, 8, 8)
    while moment < wib(2026, 8, 22):
        for amount in amounts:
            due = cal.add(moment, amount)
            remind = cal.subtract(moment, amount)
            for result in (due, remind):
                local = result.astimezone(WIB)
                assert cal.is_working_day(local.date()), (moment, amount, local)
                assert time(8) < local.time() <= time(16), (moment, amount, local)
            assert remind < moment < due
            if not amount.days:
                assert cal.working_minutes_between(moment, due) == amount.minutes
                assert cal.working_minutes_between(remind, moment) == amount.minutes
        moment += timedelta(minutes=30)


def test_seconds_of_the_start_do_not_hide_an_opening(cal):
    # Cases open at workflow.now(), e.g. Thursday 10:00:00.14: counted from 10:00, so two working
    # hours before "Monday 10:00" is Friday 16:00, not Monday 08:00:00.14.
    due = cal.add(wib(2026, 7, 2, 10, 0, 0, 140000), WorkingTime(days=2))
    assert due == wib(2026, 7, 6, 10)
    assert cal.subtract(due, WorkingTime(minutes=120)) == wib(2026, 7, 3, 16)
    assert cal.subtract(wib(2026, 7, 6, 10, 0, 30), WorkingTime(minutes=120)) == wib(2026, 7, 3, 16)
    assert cal.add(wib(2026, 7, 6, 8, 0, 30), WorkingTime(days=1)) == wib(2026, 7, 6, 16)
    # Still strictly after the start, and a zero amount keeps the seconds.
    assert cal.add(wib(2026, 7, 6, 15, 59, 30), WorkingTime(minutes=1)) == wib(2026, 7, 6, 16)
    assert cal.add(wib(2026, 7, 6, 9, 0, 30), WorkingTime()) == wib(2026, 7, 6, 9, 0, 30)


def test_half_of_a_three_minute_standard_is_ninety_seconds_across_the_weekend(cal):
    """A 3-minute step opened Friday 15:58 is due Monday 08:01; its reminder at half time is Friday 15:59:30."""
    due = cal.add(wib(2026, 9, 11, 15, 58, 20), WorkingTime(minutes=3))
    assert due == wib(2026, 9, 14, 8, 1)
    assert cal.subtract(due, WorkingTime(minutes=1, seconds=30)) == wib(2026, 9, 11, 15, 59, 30)
    assert WorkingTime(minutes=7, seconds=30).describe() == "7 menit 30 detik kerja"
    assert WorkingTime(seconds=30).describe() == "30 detik kerja"
    with pytest.raises(ValueError):
        WorkingTime(seconds=-1)

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
    assert cal.add(wib(2026, 7, 4, 10), WorkingTime(days=1)) == wib(2026, 7, 7, 8)
    assert cal.add(wib(2026, 7, 4, 10), WorkingTime(minutes=30)) == wib(2026, 7, 6, 8, 30)


def test_start_after_closing_counts_from_next_morning(cal):
    assert cal.add(wib(2026, 7, 6, 17), WorkingTime(days=1)) == wib(2026, 7, 8, 8)
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

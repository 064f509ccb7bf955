"""Invitations parse back with their zone, their text and their people."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from core.ics import invitation

WIB = timezone(timedelta(hours=7))
STARTS = datetime(2026, 8, 5, 9, 0, tzinfo=WIB)  # as an API client sends it: an ISO time with its offset


def parse(raw: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_an_invitation_parses_back_with_its_zone() -> None:
    raw = invitation("sengketa-2026-000003.schedule.1@alur", STARTS, STARTS + timedelta(hours=2),
                     "Klarifikasi sengketa; pihak A, pihak B", "Ruang Rapat Dinas, Lt. 2", "Bawa bukti\ntransaksi",
                     "noreply@alur.test", organizer_name="Dinas Koperasi",
                     attendees=[("siti@contoh.id", "Siti Aminah")], sequence=1, zone="Asia/Jakarta", stamp=datetime(2026, 8, 1, tzinfo=timezone.utc))
    calendar, event = parse(raw)
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["VERSION"]) == "2.0"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == STARTS and end == STARTS + timedelta(hours=2)  # the same instants
    assert start.tzinfo == ZoneInfo("Asia/Jakarta")  # with their zone's name, not a bare offset
    assert b"DTSTART;TZID=Asia/Jakarta:20260805T090000" in raw
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert str(event["SUMMARY"]) == "Klarifikasi sengketa; pihak A, pihak B"
    assert str(event["LOCATION"]) == "Ruang Rapat Dinas, Lt. 2"
    assert str(event["DESCRIPTION"]) == "Bawa bukti\ntransaksi"
    assert str(event["UID"]) == "sengketa-2026-000003.schedule.1@alur" and event["SEQUENCE"] == 1
    assert str(event["ORGANIZER"]) == "mailto:noreply@alur.test" and event["ORGANIZER"].params["CN"] == "Dinas Koperasi"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:siti@contoh.id" and attendee.params["CN"] == "Siti Aminah"
    assert attendee.params["RSVP"] == "TRUE"
    assert event.decoded("DTSTAMP") == datetime(2026, 8, 1, tzinfo=timezone.utc)


def test_a_time_with_a_zone_keeps_it_and_a_bare_offset_becomes_utc() -> None:
    makassar = datetime(2026, 8, 5, 10, tzinfo=ZoneInfo("Asia/Makassar"))
    _, event = parse(invitation("a@alur", makassar, makassar + timedelta(hours=1), "Rapat", "", "", "x@alur.test"))
    assert event.decoded("DTSTART").tzinfo == ZoneInfo("Asia/Makassar")
    _, event = parse(invitation("b@alur", STARTS, STARTS + timedelta(hours=1), "Rapat", "", "", "x@alur.test"))
    assert event.decoded("DTSTART") == datetime(2026, 8, 5, 2, tzinfo=timezone.utc)


def test_times_without_a_zone_or_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError):
        invitation("c@alur", datetime(2026, 8, 5, 9), datetime(2026, 8, 5, 10), "Rapat", "", "", "x@alur.test")
    with pytest.raises(ValueError):
        invitation("d@alur", STARTS, STARTS, "Rapat", "", "", "x@alur.test")

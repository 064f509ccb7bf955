"""Calendar invitations (RFC 5545, iTIP METHOD:REQUEST) for e-mail attachments, through icalendar.

Times keep their zone: with `zone` (an IANA name such as "Asia/Jakarta") they are written with that
TZID and its VTIMEZONE, so that a calendar in another zone still shows the right moment.
"""

from collections.abc import Sequence
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Alur//Layanan Dinas//ID"


def _zoned(moment: datetime, zone: str | None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an invitation needs timezone-aware times")
    if zone:
        return moment.astimezone(ZoneInfo(zone))
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment
    return moment.astimezone(timezone.utc)  # a bare offset has no TZID to name it: written as UTC


def invitation(uid: str, starts_at: datetime, ends_at: datetime, summary: str, location: str, description: str,
               organizer_email: str, *, organizer_name: str = "", attendees: Sequence[tuple[str, str]] = (),
               sequence: int = 0, zone: str | None = None, stamp: datetime | None = None) -> bytes:
    """One VEVENT in a METHOD:REQUEST calendar. `attendees`: (e-mail, name) pairs; `sequence`: raise it
    (same `uid`) when the meeting moves; `stamp` (DTSTAMP) defaults to now."""
    if ends_at <= starts_at:
        raise ValueError("an invitation ends after it starts")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc))
    event.add("dtstart", _zoned(starts_at, zone))
    event.add("dtend", _zoned(ends_at, zone))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    event.add("sequence", sequence)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    if organizer_name:
        organizer.params["cn"] = vText(organizer_name)
    event.add("organizer", organizer)
    for email, name in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params.update({"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"})
        if name:
            attendee.params["cn"] = vText(name)
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()

"""A meeting as an iCalendar file (RFC 5545), written with the ``icalendar`` library,
which escapes text values and folds lines at 75 octets.

The event's UID is the meeting's stable ``uid``, and its SEQUENCE its version minus
one, so a calendar that imported an earlier download updates the event in place.
Times are written in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from .models import Meeting

PRODID = "-//Collective Impact//Meetings//EN"
UID_DOMAIN = "collective-impact"


def _description(meeting: Meeting, url: str) -> str:
    parts = []
    if meeting.network_id is not None:
        parts.append(f"Action network: {meeting.network.name}")
    if meeting.agenda:
        parts.append(f"Agenda:\n{meeting.agenda}")
    if url:
        parts.append(url)
    return "\n\n".join(parts)


def meeting_ics(meeting: Meeting, *, url: str = "", now: datetime | None = None) -> bytes:
    """The VCALENDAR with one VEVENT for the meeting; ``url`` is its page's address."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"{meeting.uid}@{UID_DOMAIN}")
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("sequence", max(meeting.version - 1, 0))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    description = _description(meeting, url)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()

"""The .ics download: a correct RFC 5545 calendar, parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from outcomes.ics import meeting_ics

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _meeting(world, **kwargs):
    defaults = {
        "partnership": world.partnership,
        "title": "Data walk; budget, and next steps \\ plans",
        "starts_at": dt.datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("America/Chicago")),
        "ends_at": dt.datetime(2026, 12, 3, 11, 0, tzinfo=ZoneInfo("America/Chicago")),
        "location": "Riverside Library, Room 2; 1st floor",
        "agenda": "1. Welcome\n2. Kindergarten readiness: what the data says — " + "é" * 60,
    }
    defaults.update(kwargs)
    return MeetingFactory(**defaults)


def test_download_is_a_calendar_for_members(client_as, ow):
    response = client_as("viewer").get(f"/p/riverside/meetings/{ow.meeting.pk}/meeting.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="meeting-' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Ready for K: monthly meeting"
    assert str(event["url"]).endswith(f"/p/riverside/meetings/{ow.meeting.pk}/")
    assert "Action network: Ready for K Network" in str(event["description"])
    assert (
        client_as("outsider").get(f"/p/riverside/meetings/{ow.meeting.pk}/meeting.ics").status_code
        == 404
    )


def test_round_trip_times_in_utc_escaping_and_folding(world):
    meeting = _meeting(world)
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    raw = meeting_ics(meeting, url="https://impact.example.org/p/riverside/meetings/1/", now=now)

    # Lines end in CRLF and no line is longer than 75 octets (RFC 5545 3.1).
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description is folded
    assert b"BEGIN:VCALENDAR" in lines and b"VERSION:2.0" in lines
    # Text values are escaped: commas, semicolons and backslashes.
    assert b"SUMMARY:Data walk\\; budget\\, and next steps \\\\ plans" in raw
    assert b"DTSTART:20261203T153000Z" in raw and b"DTEND:20261203T170000Z" in raw
    assert b"DTSTAMP:20261130T120000Z" in raw

    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{meeting.uid}@collective-impact"
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") == meeting.ends_at
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert str(event["summary"]) == meeting.title
    assert str(event["location"]) == meeting.location
    assert meeting.agenda in str(event["description"])
    assert int(event["sequence"]) == 0


def test_uid_is_stable_and_sequence_follows_edits(world):
    from outcomes.meetings import meeting_update

    meeting = _meeting(world)
    first = icalendar.Calendar.from_ical(meeting_ics(meeting)).walk("VEVENT")[0]
    meeting = meeting_update(
        user=world.users["backbone"],
        meeting=meeting,
        expected_version=1,
        values={"location": "City Hall"},
    )
    second = icalendar.Calendar.from_ical(meeting_ics(meeting)).walk("VEVENT")[0]
    assert str(first["uid"]) == str(second["uid"])
    assert int(second["sequence"]) == 1 and str(second["location"]) == "City Hall"


def test_meeting_without_location_or_agenda(world):
    meeting = _meeting(world, location="", agenda="")
    event = icalendar.Calendar.from_ical(meeting_ics(meeting)).walk("VEVENT")[0]
    assert "location" not in event and "description" not in event

"""iCalendar export of sessions, so an agenda lands in the attendee's calendar app."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.domain.views import SessionDetail

PRODID = "-//Symposium Bot//EN"
DEFAULT_LEAD = timedelta(minutes=15)


def build_ics(
    sessions: Sequence[SessionDetail],
    *,
    timezone: str,
    calendar_name: str,
    stamp: datetime,
    uid_domain: str = "symposium-bot",
    lead: timedelta | None = DEFAULT_LEAD,
) -> bytes:
    """One VEVENT per session in the event's zone (with its VTIMEZONE), room as LOCATION,
    speakers in the description, and a display alarm `lead` before the start."""
    zone = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", timezone)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@{uid_domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", session.title)
        if session.room:
            event.add("location", session.room)
        people = ", ".join(p.name for p in session.people)
        event.add("description", "\n\n".join(part for part in (people, session.abstract) if part))
        if session.cancelled:
            event.add("status", "CANCELLED")
        if lead is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", session.title)
            alarm.add("trigger", -lead)
            event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())

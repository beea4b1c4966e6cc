"""iCalendar (.ics) programmes: one session per VEVENT, read with the icalendar package.

Handled: UID as key (else title and start), SUMMARY, DESCRIPTION (HTML stripped), LOCATION as
the room (no LOCATION, no room), the first CATEGORIES value as the track (its words, else a
title prefix such as "Keynote:", give the kind), DTSTART with DTEND or DURATION,
STATUS:CANCELLED as a cancelled session. Times: a TZID is read as an IANA zone even without its
VTIMEZONE (icalendar 6 does so; an unknown name is an error), floating times are in
X-WR-TIMEZONE or else the fallback zone, all-day events run from midnight. The event is named by
X-WR-CALNAME or X-WR-CALDESC.

Speakers come from ATTENDEE (ROLE=CHAIR: moderator) and ORGANIZER common names. Exports such as
linux.conf.au's name them nowhere but in the description; only a first line that is exactly
"Speaker: Name" (one name, commas and all) or "Speakers: A, B and C" is taken (and removed from
the abstract), any other prose is left alone: no speakers is better than invented ones. Not
handled: recurrence rules (only the first occurrence is imported; an occurrence changed with
RECURRENCE-ID is a session of its own), VTODO/VJOURNAL, attachments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.domain.programme import ProgrammeData, SessionData
from bot.importers.base import N_, Msg, Problems, line
from bot.importers.builder import MAX_SESSIONS, ProgrammeBuilder, zone_or_none
from bot.importers.text import content_key, html_to_text, session_kind, slugify

_SPEAKER_LINE = re.compile(r"^(Speaker|Presenter)(s?):\s*(\S.{0,300})$", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")


def parse_ics(
    name: str, data: bytes, *, timezone: str, max_sessions: int = MAX_SESSIONS
) -> ProgrammeData:
    problems = Problems(name)
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        raise problems.fail(
            "", N_("not a readable iCalendar file ({error})", error=str(error))
        ) from None
    declared = _text(calendar.get("X-WR-TIMEZONE")) or None
    floating = zone_or_none(declared or timezone) or ZoneInfo("UTC")
    builder = ProgrammeBuilder(problems, max_sessions)
    tzids: set[str] = set()
    lines = _event_lines(data)
    for event in calendar.walk("VEVENT"):
        number = next(lines, 0)
        uid = _text(event.get("UID"))
        where = N_("line {n} (UID {uid})", n=number, uid=uid) if uid else line(number)
        _event(builder, where, event, floating, tzids)
    if declared is None and len(tzids) == 1 and zone_or_none(next(iter(tzids))):
        declared = tzids.pop()
    title = _text(calendar.get("X-WR-CALNAME")) or _text(calendar.get("X-WR-CALDESC"))
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return builder.finish(
        key=title or stem,
        name=title or stem,
        zone=declared or timezone,  # UTC offsets in an .ics are notation, not the event's zone
        zone_where="X-WR-TIMEZONE" if declared else "",
        fallback=timezone,
    )


def _event(
    b: ProgrammeBuilder, where: Msg, event: Any, floating: ZoneInfo, tzids: set[str]
) -> None:
    for prop, message in getattr(event, "errors", ()):
        if prop in ("DTSTART", "DTEND", "DURATION"):
            b.problems.add(where, N_("{property}: {error}", property=prop, error=message))
    title = _text(event.get("SUMMARY"))
    if not title:
        b.problems.add(where, N_("no SUMMARY (title)"))
    starts = _moment(b, where, event.get("DTSTART"), floating, tzids, "DTSTART")
    if starts is None or not title:
        return
    ends = _moment(b, where, event.get("DTEND"), floating, tzids, "DTEND")
    if ends is None and event.get("DURATION") is not None:
        ends = starts + event["DURATION"].dt
    elif ends is None:
        ends = starts + (timedelta(days=1) if _is_day(event["DTSTART"]) else timedelta(0))
    categories = _categories(event)
    abstract, named = _speakers_from_description(html_to_text(_text(event.get("DESCRIPTION"))))
    speakers, moderators = _people(event)
    location = _text(event.get("LOCATION"))
    b.session(
        where,
        SessionData(
            key=_key(event, title, starts),
            kind=session_kind(" ".join(categories) or _prefix(title)),
            title=title,
            abstract=abstract,
            starts_at=starts,
            ends_at=ends,
            room_key=b.room(slugify(location, 150), location) if location else None,
            track_key=b.track(slugify(categories[0]), categories[0]) if categories else None,
            language="en",
            speaker_keys=_speaker_keys(b, speakers or named),
            moderator_keys=_speaker_keys(b, moderators),
            cancelled=_text(event.get("STATUS")).upper() == "CANCELLED",
        ),
    )


def _moment(
    b: ProgrammeBuilder, where: Msg, prop: Any, floating: ZoneInfo, tzids: set[str], what: str
) -> datetime | None:
    if prop is None:
        if what == "DTSTART":
            b.problems.add(where, N_("no DTSTART (start time)"))
        return None
    value = prop.dt
    if not isinstance(value, datetime):
        if isinstance(value, date):
            return datetime.combine(value, time(0), floating)
        b.problems.add(where, N_("{property} is not a date or time", property=what))
        return None
    tzid = prop.params.get("TZID")
    if value.tzinfo is not None:
        if tzid:
            tzids.add(str(tzid))
        return value  # UTC ("Z") says nothing about the event's own zone
    if not tzid:
        return value.replace(tzinfo=floating)
    zone = zone_or_none(tzid)
    if zone is None:
        b.problems.add(
            where, N_("{property}: unknown time zone {zone}", property=what, zone=repr(tzid))
        )
        return None
    tzids.add(tzid)
    return value.replace(tzinfo=zone)


def _key(event: Any, title: str, starts: datetime) -> str:
    """The UID; a changed occurrence of a recurring event (RECURRENCE-ID) is its own session."""
    uid = _text(event.get("UID"))
    if not uid:
        return content_key(title, starts)
    recurrence = event.get("RECURRENCE-ID")
    return f"{uid}#{recurrence.dt.isoformat()}" if recurrence is not None else uid


def _speaker_keys(b: ProgrammeBuilder, names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(b.speaker(slugify(n), n) for n in names))


def _prefix(title: str) -> str:
    """ "Keynote: Who cares about Democracy?" -> "Keynote"; a title without one -> ""."""
    head, colon, _ = title.partition(":")
    return head if colon else ""


def _is_day(prop: Any) -> bool:
    return not isinstance(prop.dt, datetime)


def _categories(event: Any) -> list[str]:
    found = event.get("CATEGORIES")
    values = found if isinstance(found, list) else [found] if found is not None else []
    return [str(c).strip() for v in values for c in getattr(v, "cats", [v]) if str(c).strip()]


def _people(event: Any) -> tuple[list[str], list[str]]:
    speakers: list[str] = []
    moderators: list[str] = []
    for field in ("ORGANIZER", "ATTENDEE"):
        found = event.get(field)
        for person in found if isinstance(found, list) else [found] if found else []:
            name = str(person.params.get("CN", "")).strip()
            if name:
                chair = str(person.params.get("ROLE", "")).upper() == "CHAIR"
                (moderators if chair else speakers).append(name)
    return list(dict.fromkeys(speakers)), list(dict.fromkeys(moderators))


def _speakers_from_description(text: str) -> tuple[str, list[str]]:
    """Names from a first line "Speaker: …" and the description without it."""
    first, _, rest = text.partition("\n")
    match = _SPEAKER_LINE.match(first.strip())
    if not match:
        return text, []
    listed = match.group(3).strip()
    names = [n for n in _NAME_SEPARATORS.split(listed) if n] if match.group(2) else [listed]
    if not names or any(len(n) > 80 or "<" in n for n in names) or len(names) > 10:
        return text, []
    return rest.strip(), names


def _event_lines(data: bytes) -> Iterator[int]:
    """The line of each BEGIN:VEVENT, in the order icalendar walks them."""
    for number, text in enumerate(data.split(b"\n"), 1):
        if text.strip().upper() == b"BEGIN:VEVENT":
            yield number


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""

"""The frab/Pentabarf schedule family, shared by schedule.xml and schedule.json.

Both files describe the same model (conference, days, rooms, events with guid, date, start,
duration, persons), so the XML reader turns each `<event>` into the dict the JSON already has,
and one function maps it to our session. Locations in errors are paths the organizer can
follow: an element path for XML, a JSON pointer for JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.programme import SessionData
from bot.importers.base import N_
from bot.importers.builder import ProgrammeBuilder
from bot.importers.text import (
    content_key,
    html_to_text,
    join_text,
    language_code,
    parse_duration,
    session_kind,
    slugify,
)

Event = Mapping[str, Any]


@dataclass(frozen=True)
class Day:
    date: date | None
    start: datetime | None  # when the conference day begins (events before it are past midnight)


@dataclass(frozen=True)
class Context:
    builder: ProgrammeBuilder
    zone: ZoneInfo  # for times the file gives without an offset
    track_slugs: Mapping[str, str]  # track name -> slug, from the conference's track list
    people: Mapping[str, tuple[str, str]]  # person id -> (name, biography) from <persons>


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def parse_datetime(value: str, zone: ZoneInfo) -> datetime:
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def add_event(ctx: Context, where: str, event: Event, room_key: str | None, day: Day) -> None:
    """Map one frab event to a session, reporting each bad field at `where`/field."""
    problems = ctx.builder.problems
    title = text(event.get("title"))
    if not title:
        problems.add(f"{where}/title", N_("missing title"))
    starts = _start(ctx, where, event, day)
    ends = _end(ctx, where, event, starts)
    if starts is None or ends is None or not title:
        return
    key = text(event.get("guid")) or text(event.get("code")) or text(event.get("id"))
    speakers = tuple(
        _person(ctx, person) for person in event.get("persons") or () if _person_name(person)
    )
    track = text(event.get("track"))
    track_key = None
    if track:
        slug = text(event.get("track_slug")) or ctx.track_slugs.get(track, "")
        track_key = ctx.builder.track(slug or track, track)
    ctx.builder.session(
        where,
        SessionData(
            key=key or content_key(title, starts),
            kind=session_kind(text(event.get("type"))),
            title=title,
            abstract=join_text(
                html_to_text(text(event.get("subtitle"))),
                html_to_text(text(event.get("abstract"))),
                html_to_text(text(event.get("description"))),
            ),
            starts_at=starts,
            ends_at=ends,
            room_key=room_key,
            track_key=track_key,
            language=language_code(text(event.get("language"))),
            speaker_keys=tuple(dict.fromkeys(speakers)),
        ),
    )


def _start(ctx: Context, where: str, event: Event, day: Day) -> datetime | None:
    problems = ctx.builder.problems
    raw_date, raw_start = text(event.get("date")), text(event.get("start"))
    if raw_date:
        try:
            return parse_datetime(raw_date, ctx.zone)
        except ValueError:
            problems.add(
                f"{where}/date", N_("{value} is not an ISO date and time", value=repr(raw_date))
            )
            return None
    if not raw_start:
        problems.add(f"{where}/start", N_("missing start time (neither date nor start is given)"))
        return None
    if day.date is None:
        problems.add(f"{where}/start", N_("a start time without a date (the day has no date)"))
        return None
    try:
        clock = time.fromisoformat(raw_start if len(raw_start) != 4 else "0" + raw_start)
    except ValueError:
        problems.add(f"{where}/start", N_("{value} is not a time (HH:MM)", value=repr(raw_start)))
        return None
    starts = datetime.combine(day.date, clock, ctx.zone)
    if day.start is not None and starts < day.start:
        starts += timedelta(days=1)  # after midnight, still listed under the previous day
    return starts


def _end(ctx: Context, where: str, event: Event, starts: datetime | None) -> datetime | None:
    problems = ctx.builder.problems
    raw_end = text(event.get("end"))
    if raw_end:
        try:
            return parse_datetime(raw_end, ctx.zone)
        except ValueError:
            problems.add(
                f"{where}/end", N_("{value} is not an ISO date and time", value=repr(raw_end))
            )
            return None
    raw = event.get("duration")
    if not isinstance(raw, str) or not raw.strip():
        problems.add(
            f"{where}/duration",
            N_("duration missing")
            if raw in (None, "")
            else N_("duration {value} is not HH:MM", value=repr(raw)),
        )
        return None
    try:
        length = parse_duration(raw)
    except ValueError:
        problems.add(f"{where}/duration", N_("duration {value} is not HH:MM", value=repr(raw)))
        return None
    return starts + length if starts is not None else None


def _person_name(person: Any) -> str:
    if isinstance(person, Mapping):
        return text(person.get("name") or person.get("public_name") or person.get("full_name"))
    return ""


def _person(ctx: Context, person: Mapping[str, Any]) -> str:
    """A person of the event as a speaker; the id survives renames, the name is the fallback."""
    name = _person_name(person)
    ident = text(person.get("code")) or text(person.get("guid")) or text(person.get("id"))
    known_name, bio = ctx.people.get(text(person.get("id")), (name, ""))
    bio = html_to_text(text(person.get("biography"))) or bio
    return ctx.builder.speaker(ident or slugify(name), name or known_name, bio=bio)

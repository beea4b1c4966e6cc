"""pretalx / frab / c3voc schedule.json (`schedule.conference.days[].rooms{name: [events]}`).

Handled: conference title/acronym, `time_zone_name` (pretalx often omits it: then the
offsets in each event's `date` and the fallback zone decide), the conference's `rooms` list
(guid as key, capacity) and `tracks` list (slugs), events by `guid` (else `code`, else `id`)
with `date`, `end` or `duration`, title, subtitle, abstract, description, track, type,
language and `persons` (`code`/`guid`/`id`, `name`/`public_name`, `biography`). Not used:
links, attachments, answers, recording flags, logos.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.programme import ProgrammeData
from bot.importers.base import N_, Problems
from bot.importers.builder import MAX_SESSIONS, ProgrammeBuilder, zone_or_none
from bot.importers.family import Context, Day, add_event, parse_datetime, text

CONFERENCE = "/schedule/conference"


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a value, for error messages."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def parse_pretalx(
    name: str, data: bytes, *, timezone: str, max_sessions: int = MAX_SESSIONS
) -> ProgrammeData:
    problems = Problems(name)
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise problems.fail(N_("byte {n}", n=error.start), N_("not UTF-8 text")) from None
    except json.JSONDecodeError as error:
        where = N_("line {n} column {column}", n=error.lineno, column=error.colno)
        raise problems.fail(where, N_("not valid JSON: {error}", error=error.msg)) from None
    schedule = raw.get("schedule") if isinstance(raw, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conference, dict):
        raise problems.fail(CONFERENCE, N_("missing: this is not a pretalx/frab schedule.json"))
    declared = text(conference.get("time_zone_name")) or None
    zone = zone_or_none(declared or timezone) or ZoneInfo("UTC")
    builder = ProgrammeBuilder(problems, max_sessions)
    rooms = _rooms(builder, conference.get("rooms"))
    ctx = Context(builder, zone, _track_slugs(conference.get("tracks")), {})
    days = conference.get("days")
    if not isinstance(days, list):
        raise problems.fail(f"{CONFERENCE}/days", N_("missing or not a list of days"))
    for index, day in enumerate(days):
        _day(ctx, pointer("schedule", "conference", "days", index), day, rooms)
    title, acronym = text(conference.get("title")), text(conference.get("acronym"))
    return builder.finish(
        key=acronym or title or name.rsplit(".", 1)[0],
        name=title or acronym or name,
        zone=declared,
        zone_where=f"{CONFERENCE}/time_zone_name",
        fallback=timezone,
    )


def _day(ctx: Context, where: str, day: Any, rooms: Mapping[str, str]) -> None:
    problems = ctx.builder.problems
    if not isinstance(day, dict) or not isinstance(day.get("rooms"), dict):
        problems.add(where, N_("not a day with a rooms object"))
        return
    info = Day(None, None)
    try:
        raw_date, raw_start = text(day.get("date")), text(day.get("day_start"))
        info = Day(
            date.fromisoformat(raw_date) if raw_date else None,
            parse_datetime(raw_start, ctx.zone) if raw_start else None,
        )
    except ValueError:
        problems.add(where, N_("its date or day_start is not an ISO date"))
    for room_name, events in day["rooms"].items():
        room_where = f"{where}/rooms" + pointer(room_name)
        if not isinstance(events, list):
            problems.add(room_where, N_("not a list of events"))
            continue
        room_key = rooms.get(room_name) or ctx.builder.room(room_name, room_name)
        for index, event in enumerate(events):
            if isinstance(event, dict):
                add_event(ctx, f"{room_where}/{index}", event, room_key, info)
            else:
                problems.add(f"{room_where}/{index}", N_("not an event object"))


def _rooms(builder: ProgrammeBuilder, listed: Any) -> dict[str, str]:
    """The conference's own room list, in its order, with guids and capacities."""
    keys: dict[str, str] = {}
    for room in listed if isinstance(listed, list) else ():
        name = text(room.get("name")) if isinstance(room, dict) else ""
        if name:
            capacity = room.get("capacity")
            seats = int(capacity) if isinstance(capacity, int | float) and capacity > 0 else None
            keys[name] = builder.room(text(room.get("guid")) or name, name, seats)
    return keys


def _track_slugs(listed: Any) -> dict[str, str]:
    slugs = {}
    for track in listed if isinstance(listed, list) else ():
        if isinstance(track, dict) and text(track.get("name")) and text(track.get("slug")):
            slugs[text(track.get("name"))] = text(track.get("slug"))
    return slugs

"""frab/Pentabarf schedule.xml, as FOSDEM, CCC events and pretalx publish it.

Read with defusedxml: the file usually comes from a URL, and entity expansion ("billion
laughs") or external entities must not run. Handled: conference title/acronym/venue/city and
`<time_zone_name>` (without one, the offsets in `<date>` and the fallback zone decide), the
top-level `<tracks>` and `<persons>` (for slugs and biographies), per-event `<persons>`, rooms
by `guid` or name, events by `guid` (else `code`, else `id`), start from `<date>` or the day's
date plus `<start>` (past midnight when before the day's start), `<duration>`, track, type,
language, subtitle/abstract/description as plain text. Not used: links, attachments,
recordings, colours, `<logo>`.
"""

from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element, ParseError
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.domain.programme import ProgrammeData
from bot.importers.base import N_, Problems, line
from bot.importers.builder import MAX_SESSIONS, ProgrammeBuilder, zone_or_none
from bot.importers.family import Context, Day, Event, add_event, parse_datetime
from bot.importers.text import html_to_text

_EVENT_FIELDS = (
    *("date", "start", "end", "duration", "title", "subtitle", "abstract", "description"),
    *("type", "language"),
)


def parse_frab(
    name: str, data: bytes, *, timezone: str, max_sessions: int = MAX_SESSIONS
) -> ProgrammeData:
    problems = Problems(name)
    try:
        root = fromstring(data)
    except DefusedXmlException:
        raise problems.fail(
            "", N_("the XML declares entities or a DTD, refused for safety")
        ) from None
    except ParseError as error:
        number, column = error.position
        raise problems.fail(
            line(number), N_("not well-formed XML (column {column})", column=column)
        ) from None
    if root.tag != "schedule":
        raise problems.fail(root.tag, N_("the root element is not <schedule>"))
    conference = root.find("conference")
    if conference is None:
        raise problems.fail("schedule", N_("no <conference> element"))
    declared = _child(conference, "time_zone_name") or None
    zone = zone_or_none(declared or timezone) or ZoneInfo("UTC")
    builder = ProgrammeBuilder(problems, max_sessions)
    ctx = Context(builder, zone, _track_slugs(root), _people(root))
    days = root.findall("day")
    if not days:
        problems.add("schedule", N_("no <day> elements"))
    for position, day in enumerate(days, 1):
        _day(ctx, f"schedule/day[{position}]", day)
    title = _child(conference, "title")
    acronym = _child(conference, "acronym")
    venue, city = _child(conference, "venue"), _child(conference, "city")
    return builder.finish(
        key=acronym or title or name.rsplit(".", 1)[0],
        name=title or acronym or name,
        venue=", ".join(p for p in (venue, city) if p and (p == venue or p not in venue)),
        zone=declared,
        zone_where="schedule/conference/time_zone_name",
        fallback=timezone,
    )


def _day(ctx: Context, where: str, day: Element) -> None:
    info = Day(None, None)
    try:
        raw_date, raw_start = day.get("date"), day.get("start")
        info = Day(
            date.fromisoformat(raw_date) if raw_date else None,
            parse_datetime(raw_start, ctx.zone) if raw_start else None,
        )
    except ValueError:
        ctx.builder.problems.add(where, N_("its date or start attribute is not an ISO date"))
    for room in day.findall("room"):
        room_name = (room.get("name") or "").strip()
        room_where = f"{where}/room[@name={_quote(room_name)}]"
        room_key = ctx.builder.room(room.get("guid") or room_name, room_name) if room_name else None
        for position, event in enumerate(room.findall("event"), 1):
            ident = event.get("guid") or event.get("id")
            selector = f"@guid={_quote(ident)}" if event.get("guid") else f"@id={_quote(ident)}"
            event_where = f"{room_where}/event[{selector if ident else position}]"
            add_event(ctx, event_where, _as_dict(event), room_key, info)


def _as_dict(event: Element) -> Event:
    """The event in the shape schedule.json has, so both share one mapping."""
    found: dict[str, object] = {field: _child(event, field) for field in _EVENT_FIELDS}
    found.update(guid=event.get("guid"), code=event.get("code"), id=event.get("id"))
    track = event.find("track")
    if track is not None:
        found["track"] = (track.text or track.get("name") or "").strip()
        found["track_slug"] = track.get("slug") or ""
    found["persons"] = [
        {"id": p.get("id"), "guid": p.get("guid"), "name": (p.text or "").strip()}
        for p in event.findall("persons/person")
    ]
    return found


def _track_slugs(root: Element) -> dict[str, str]:
    tracks = root.findall("tracks/track") + root.findall("conference/track")
    slugs = {}
    for track in tracks:
        name = (track.get("name") or track.text or "").strip()
        if name and track.get("slug"):
            slugs[name] = track.get("slug") or ""
    return slugs


def _people(root: Element) -> dict[str, tuple[str, str]]:
    people = {}
    for person in root.findall("persons/person"):
        ident = person.get("id")
        if ident:
            bio = html_to_text(_child(person, "biography"))
            people[ident] = (_child(person, "name"), bio)
    return people


def _child(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _quote(value: str | None) -> str:
    value = value or ""
    return f'"{value}"' if "'" in value else f"'{value}'"

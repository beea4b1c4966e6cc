"""Assembling `ProgrammeData` the same way for every format.

Schedules repeat rooms, tracks and people on every session that uses them; the builder keeps
the first of each key (filling in a capacity or biography a later mention adds), refuses a
session key seen twice (the database would merge the two), keeps keys and names within the
column sizes, and settles the event's time zone and days from the sessions themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.programme import (
    EventData,
    ProgrammeData,
    RoomData,
    SessionData,
    SpeakerData,
    TrackData,
    Translations,
)
from bot.domain.text import shorten
from bot.importers.base import N_, Msg, Problems
from bot.importers.text import slugify

KEY_LIMIT = 200  # the `key` columns
NAME_LIMIT = 200  # room, track and speaker names
TITLE_LIMIT = 500
# The most sessions one programme may hold. The largest real programmes have about 1,500
# (FOSDEM); a file with far more is a mistake or an attack, and matching and writing it would
# cost time and memory every attendee shares. Reading stops at the first session beyond.
MAX_SESSIONS = 25_000


def clip_key(key: str) -> str:
    """Keys over the column size keep a readable head and a hash of the whole."""
    key = key.strip()
    if len(key) <= KEY_LIMIT:
        return key
    return f"{key[:180]}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def _ref(key: str, by_name: bool) -> str:
    """Within one file, an entry found by name must not merge with one of the same key."""
    return "=" + clip_key(key) if by_name else clip_key(key)


def _clip_names(names: Translations | None) -> Translations:
    return {loc: shorten(text, NAME_LIMIT) for loc, text in (names or {}).items() if text}


def zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class ProgrammeBuilder:
    def __init__(self, problems: Problems, max_sessions: int = MAX_SESSIONS) -> None:
        self.problems = problems
        self.max_sessions = max_sessions
        self.rooms: dict[str, RoomData] = {}
        self.tracks: dict[str, TrackData] = {}
        self.speakers: dict[str, SpeakerData] = {}
        self.sessions: list[SessionData] = []
        self._seen: dict[str, str | Msg] = {}  # session key -> where it was defined

    def room(
        self,
        key: str,
        name: str,
        capacity: int | None = None,
        *,
        names: Translations | None = None,
        by_name: bool = False,
    ) -> str:
        key = _ref(key, by_name)
        names = _clip_names(names)
        known = self.rooms.get(key)
        if known is None:
            self.rooms[key] = RoomData(
                key, shorten(name, NAME_LIMIT), names, capacity=capacity, by_name=by_name
            )
        else:
            self.rooms[key] = replace(
                known,
                capacity=known.capacity if known.capacity is not None else capacity,
                names=names | known.names,
            )
        return key

    def track(
        self, key: str, name: str, *, names: Translations | None = None, by_name: bool = False
    ) -> str:
        key = _ref(key, by_name)
        names = _clip_names(names)
        known = self.tracks.get(key)
        if known is None:
            self.tracks[key] = TrackData(key, shorten(name, NAME_LIMIT), names, by_name=by_name)
        else:
            self.tracks[key] = replace(known, names=names | known.names)
        return key

    def speaker(
        self,
        key: str,
        name: str,
        *,
        bio: str = "",
        organization: str = "",
        names: Translations | None = None,
        by_name: bool = False,
    ) -> str:
        key = _ref(key, by_name)
        names = _clip_names(names)
        known = self.speakers.get(key)
        if known is None:
            name = shorten(name, NAME_LIMIT)
            self.speakers[key] = SpeakerData(
                key, name, names, bio=bio, organization=organization, by_name=by_name
            )
        else:
            self.speakers[key] = replace(
                known,
                bio=known.bio or bio,
                organization=known.organization or organization,
                names=names | known.names,
            )
        return key

    def session(self, where: str | Msg, session: SessionData) -> None:
        if len(self.sessions) >= self.max_sessions:
            raise self.problems.fail(
                where,
                N_(
                    "more than {limit} sessions: the bot takes at most {limit}",
                    limit=self.max_sessions,
                ),
            )
        key = clip_key(session.key)
        if key in self._seen:
            self.problems.add(
                where,
                N_(
                    "session key {key} repeats the one at {place}",
                    key=repr(key),
                    place=self._seen[key],
                ),
            )
            return
        if session.ends_at < session.starts_at:
            self.problems.add(
                where,
                N_(
                    "ends ({end}) before it starts ({start})",
                    end=f"{session.ends_at:%Y-%m-%d %H:%M}",
                    start=f"{session.starts_at:%Y-%m-%d %H:%M}",
                ),
            )
            return
        self._seen[key] = where
        self.sessions.append(
            replace(session, key=key, title=shorten(session.title, TITLE_LIMIT) or "(untitled)")
        )

    def finish(
        self,
        *,
        key: str,
        name: str,
        venue: str = "",
        zone: str | None,
        zone_where: str = "",
        fallback: str,
    ) -> ProgrammeData:
        """The programme, or every problem found while parsing and here."""
        if not self.sessions and not self.problems:
            self.problems.add("", N_("no sessions found (importing it would empty the programme)"))
        self.problems.raise_if_any()
        zone_name = self._zone(zone, zone_where, fallback)
        tz = ZoneInfo(zone_name)
        sessions = [
            replace(s, starts_at=s.starts_at.astimezone(tz), ends_at=s.ends_at.astimezone(tz))
            for s in self.sessions
        ]
        dates = sorted({s.starts_at.date() for s in sessions})
        event = EventData(
            key=slugify(key, 100),
            name=shorten(name, 300) or key,
            venue=shorten(venue, 300),
            timezone=zone_name,
            start_date=dates[0],
            days=(dates[-1] - dates[0]).days + 1,  # day pages are consecutive, gaps included
        )
        return ProgrammeData(
            event,
            list(self.rooms.values()),
            list(self.tracks.values()),
            list(self.speakers.values()),
            sessions,
        )

    def _zone(self, declared: str | None, where: str, fallback: str) -> str:
        """The declared zone; else the fallback if it agrees with the times' offsets; else a
        fixed-offset zone when all times share one offset; else ask the importer for one."""
        if declared:
            if zone_or_none(declared) is None:
                raise self.problems.fail(where, N_("unknown time zone {zone}", zone=repr(declared)))
            return declared
        fallback_zone = zone_or_none(fallback)
        if fallback_zone is None:
            raise self.problems.fail(
                "", N_("unknown fallback time zone {zone}", zone=repr(fallback))
            )
        starts = [s.starts_at for s in self.sessions]
        if all(t.utcoffset() == t.astimezone(fallback_zone).utcoffset() for t in starts):
            return fallback
        offsets = {t.utcoffset() or timedelta(0) for t in starts}
        if len(offsets) == 1:
            hours, rest = divmod(offsets.pop(), timedelta(hours=1))
            if not rest:
                return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"  # POSIX: sign inverted
        shown = ", ".join(sorted(_offset(o) for o in offsets))
        raise self.problems.fail(
            where,
            N_(
                "no time zone is declared, the times carry UTC offsets {offsets} and the "
                "fallback {zone} does not match them; import it again naming the event's "
                "time zone",
                offsets=shown,
                zone=fallback,
            ),
        )


def _offset(value: timedelta) -> str:
    minutes = int(value.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

"""The programme as the question engine sees it, built once per programme version.

Plain records in, three name indexes (rooms, people, tracks) and a topic index out. The
service builds it from the process's programme snapshot; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.ask.lexicon import lexicon
from bot.domain.ask.names import Named, NameIndex
from bot.domain.ask.topics import Document, TopicIndex


@dataclass(frozen=True)
class SessionFacts:
    id: int
    kind: str
    starts_at: datetime  # aware
    ends_at: datetime
    room_id: int | None
    track_id: int | None
    language: str
    cancelled: bool
    people: tuple[int, ...]  # speakers and moderators
    titles: tuple[str, ...]  # every language
    abstracts: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammeFacts:
    timezone: str
    start_date: date
    days: int
    sessions: Sequence[SessionFacts]  # by start time
    rooms: Sequence[Named]
    people: Sequence[Named]
    tracks: Sequence[Named]


@dataclass
class ProgrammeIndex:
    facts: ProgrammeFacts
    zone: ZoneInfo = field(init=False)
    rooms: NameIndex = field(init=False)
    people: NameIndex = field(init=False)
    tracks: NameIndex = field(init=False)
    topics: TopicIndex = field(init=False)
    by_id: dict[int, SessionFacts] = field(init=False)
    event_days: tuple[date, ...] = field(init=False)
    first_hour: int = field(init=False)  # the programme's daily hours, to read "4" as 16:00
    last_hour: int = field(init=False)
    lunch_end: dict[date, datetime] = field(init=False)  # the first start after the midday break

    def __post_init__(self) -> None:
        facts = self.facts
        words = lexicon()
        self.zone = ZoneInfo(facts.timezone)
        self.rooms = NameIndex(facts.rooms, ignore=words.generic_rooms)
        self.people = NameIndex(facts.people, ignore=words.stop, skip=words.stop)
        self.tracks = NameIndex(facts.tracks, ignore=words.stop, skip=words.stop)
        names = {p.id: p.names for p in facts.people}
        track_names = {t.id: t.names for t in facts.tracks}
        self.topics = TopicIndex(
            Document(
                s.id,
                tuple((t, 3.0) for t in s.titles)
                + tuple((a, 1.0) for a in s.abstracts)
                + tuple((n, 2.0) for p in s.people for n in names.get(p, ()))
                + tuple((n, 2.0) for n in track_names.get(s.track_id or 0, ())),
                content=len(s.titles) + len(s.abstracts),
            )
            for s in facts.sessions
        )
        self.by_id = {s.id: s for s in facts.sessions}
        self.event_days = tuple(facts.start_date + timedelta(days=i) for i in range(facts.days))
        starts = [s.starts_at.astimezone(self.zone) for s in facts.sessions]
        ends = [s.ends_at.astimezone(self.zone) for s in facts.sessions]
        self.first_hour = min((s.hour for s in starts), default=8)
        self.last_hour = max((e.hour + (e.minute > 0) for e in ends), default=18)
        self.lunch_end = _lunch_ends(facts.sessions, self.zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def day_of(self, session: SessionFacts) -> date:
        return self.local(session.starts_at).date()


LUNCH_WORDS = ("lunch", "غداء", "makan tengah hari", "rehat", "لنچ", "کھانا", "break")


def _lunch_ends(sessions: Sequence[SessionFacts], zone: ZoneInfo) -> dict[date, datetime]:
    """Per day, when lunch is over: the end of a session called lunch, or else the end of the
    longest gap of 45 minutes or more between 11:00 and 15:00 (the first start after it)."""
    by_day: dict[date, list[SessionFacts]] = {}
    for s in sessions:
        by_day.setdefault(s.starts_at.astimezone(zone).date(), []).append(s)
    found: dict[date, datetime] = {}
    for day, todays in by_day.items():
        named = [s for s in todays if any(w in t.casefold() for t in s.titles for w in LUNCH_WORDS)]
        if named:
            found[day] = max(s.ends_at for s in named)
            continue
        ordered = sorted(todays, key=lambda s: s.starts_at)
        busy_until: datetime | None = None
        best: tuple[timedelta, datetime] | None = None
        for s in ordered:
            if busy_until is not None and s.starts_at > busy_until:
                gap = s.starts_at - busy_until
                middle = busy_until.astimezone(zone).time()
                if (
                    gap >= timedelta(minutes=45)
                    and time(11) <= middle <= time(15)
                    and (best is None or gap > best[0])
                ):
                    best = (gap, s.starts_at)
            busy_until = s.ends_at if busy_until is None else max(busy_until, s.ends_at)
        if best is not None:
            found[day] = best[1]
    return found

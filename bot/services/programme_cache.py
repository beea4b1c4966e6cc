"""The programme in memory: an immutable snapshot per process, reloaded when it changes.

Nearly every update reads the programme, which changes only when it is imported or an
organizer edits a session. Every such write bumps `events.programme_version` in its own
transaction (`bump_version`), so before each read one indexed `SELECT id, programme_version`
says whether the snapshot is still current. Several instances share the database, so the
check goes to the database every time: an import on one instance is seen by the next
request on any other, with no time-to-live to wait out. An update's first read is spared
that round trip: the user's lookup, which every update runs first, reads the version too
(`observe`).

Per-user data (bookmarks, seats, the agenda) is never cached here.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.db.engine import SessionFactory, engine_of

# A load that raced an import is redone; after this many tries the last one is kept (the
# next request sees the newer version and loads again).
MAX_LOAD_ATTEMPTS = 3
# A version read along with the user (`observe`) stands in for the check of the update's
# first programme read, if that read comes this soon (seconds, monotonic).
OBSERVATION_MAX_AGE = 1.0

# (cache, version, when): set by `ProgrammeCache.observe` in the task handling one update.
_observed: ContextVar[tuple[ProgrammeCache, tuple[int, int], float] | None] = ContextVar(
    "programme_version_observed", default=None
)


class NoEventError(LookupError):
    """No programme has been loaded yet."""


@dataclass(frozen=True)
class EventEntry:
    id: int
    name: str
    venue: str
    timezone: str
    start_date: date
    days: int
    names: Mapping[str, str]  # locale -> name, for every translated locale
    venues: Mapping[str, str]  # locale -> venue ("" falls back to the original)


@dataclass(frozen=True)
class RoomEntry:
    id: int
    key: str
    name: str
    capacity: int | None
    names: Mapping[str, str]


@dataclass(frozen=True)
class TrackEntry:
    id: int
    name: str
    names: Mapping[str, str]


@dataclass(frozen=True)
class SpeakerEntry:
    id: int
    name: str
    organization: str
    bio: str
    search_text: str
    names: Mapping[str, str]
    bios: Mapping[str, str]


@dataclass(frozen=True)
class SessionEntry:
    id: int
    kind: str
    title: str
    abstract: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    track_id: int | None
    language: str
    capacity: int | None
    cancelled: bool
    search_text: str
    titles: Mapping[str, str]
    abstracts: Mapping[str, str]
    people: tuple[tuple[int, str], ...]  # (speaker id, role) in billing order


@dataclass(frozen=True)
class ProgrammeSnapshot:
    """One version of the current event's programme; never changed once built."""

    version: tuple[int, int]  # (event id, programme_version)
    event: EventEntry
    sessions: tuple[SessionEntry, ...]  # by start, room (no room first), id
    rooms: tuple[RoomEntry, ...]  # by position, id
    speakers: tuple[SpeakerEntry, ...]  # by id
    tracks_by_id: Mapping[int, TrackEntry]
    sessions_by_id: Mapping[int, SessionEntry] = field(init=False)
    rooms_by_id: Mapping[int, RoomEntry] = field(init=False)
    speakers_by_id: Mapping[int, SpeakerEntry] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sessions_by_id", {s.id: s for s in self.sessions})
        object.__setattr__(self, "rooms_by_id", {r.id: r for r in self.rooms})
        object.__setattr__(self, "speakers_by_id", {s.id: s for s in self.speakers})

    @property
    def first_start(self) -> datetime | None:
        return self.sessions[0].starts_at if self.sessions else None

    @property
    def last_end(self) -> datetime | None:
        return max((s.ends_at for s in self.sessions), default=None)


class ProgrammeCache:
    """Hands out the current snapshot; one database round trip when nothing changed."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._snapshot: ProgrammeSnapshot | None = None
        self._lock = asyncio.Lock()
        self.loads = 0  # how many times the programme was read in full (tests, diagnostics)

    def observe(self, version: tuple[int, int], read_at: float | None = None) -> None:
        """The current version, read by a statement the update ran anyway (the user's lookup,
        `VERSION_COLUMNS`): the update's first programme read then needs no round trip of its
        own. Scoped to the running task (each update has its own) and used once: later reads
        check again, so a long-lived task never answers from an old observation. `read_at`
        (monotonic) when it was read earlier than now, in the inbox's transaction."""
        _observed.set((self, version, time.monotonic() if read_at is None else read_at))

    async def current(self) -> ProgrammeSnapshot:
        """The programme as committed now; raises NoEventError before the first import."""
        version = self._take_observation() or await self._version()
        snapshot = self._snapshot
        if snapshot is not None and _covers(snapshot.version, version):
            return snapshot
        async with self._lock:  # one load at a time; the others wait and share it
            snapshot = self._snapshot
            if snapshot is None or not _covers(snapshot.version, version):
                snapshot = await self._load()
                self._snapshot = snapshot
            return snapshot

    def _take_observation(self) -> tuple[int, int] | None:
        observed = _observed.get()
        if observed is None or observed[0] is not self:
            return None
        _observed.set(None)
        _, version, when = observed
        return version if time.monotonic() - when <= OBSERVATION_MAX_AGE else None

    def forget(self) -> None:
        """Drop the snapshot (a write in this process); the next read loads afresh."""
        self._snapshot = None

    async def _version(self) -> tuple[int, int]:
        async with engine_of(self._sessions).connect() as connection:
            return _version_from((await connection.execute(VERSION)).first())

    async def _load(self) -> ProgrammeSnapshot:
        async with self._sessions() as db:
            for _ in range(MAX_LOAD_ATTEMPTS):
                version = await _version_of(db)
                snapshot = await _read(db, version)
                await db.rollback()  # the next statement sees what was committed since
                if await _version_of(db) == version:
                    break
        self.loads += 1
        return snapshot


def _covers(have: tuple[int, int], seen: tuple[int, int]) -> bool:
    """A snapshot of `have` answers for `seen`: the same event, as new or newer (a version
    observed at the start of an update may be overtaken by another update's load)."""
    return have[0] == seen[0] and have[1] >= seen[1]


async def bump_version(db: AsyncSession, event_id: int | None = None) -> None:
    """Mark the programme as changed, inside the transaction that changes it.

    Without `event_id`, the current (latest) event's version is bumped."""
    if event_id is None:
        event_id = await db.scalar(select(m.Event.id).order_by(m.Event.id.desc()).limit(1))
        if event_id is None:
            return
    await db.execute(
        update(m.Event)
        .execution_options(synchronize_session=False)
        .where(m.Event.id == event_id)
        .values(programme_version=m.Event.programme_version + 1)
    )


VERSION = select(m.Event.id, m.Event.programme_version).order_by(m.Event.id.desc()).limit(1)
# The same as two scalar subqueries, to ride on another statement (see `observe`).
VERSION_COLUMNS = (
    select(m.Event.id).order_by(m.Event.id.desc()).limit(1).scalar_subquery(),
    select(m.Event.programme_version).order_by(m.Event.id.desc()).limit(1).scalar_subquery(),
)


async def _version_of(db: AsyncSession) -> tuple[int, int]:
    return _version_from((await db.execute(VERSION)).first())


def _version_from(row: Any) -> tuple[int, int]:
    if row is None:
        raise NoEventError("no programme loaded; run `symposium-bot import --sample`")
    return int(row[0]), int(row[1])


async def _rows(db: AsyncSession, statement: Any) -> list[Any]:
    return list((await db.execute(statement)).all())


def _grouped(rows: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """(owner id, locale, value) rows as {owner id: {locale: value}}."""
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for owner, locale, value in rows:
        found[owner][locale] = value
    return found


async def _read(db: AsyncSession, version: tuple[int, int]) -> ProgrammeSnapshot:
    """Everything the schedule answers from, as plain rows (no ORM objects to build)."""
    event_id = version[0]
    e = (
        await db.execute(
            select(
                m.Event.name,
                m.Event.venue,
                m.Event.timezone,
                m.Event.start_date,
                m.Event.days,
            ).where(m.Event.id == event_id)
        )
    ).one()
    et = m.EventTranslation
    event_texts = await _rows(
        db, select(et.locale, et.name, et.venue).where(et.event_id == event_id)
    )
    event = EventEntry(
        event_id,
        e.name,
        e.venue,
        e.timezone,
        e.start_date,
        e.days,
        names={locale: name for locale, name, _ in event_texts},
        venues={locale: venue for locale, _, venue in event_texts},
    )

    rt = m.RoomTranslation
    room_names = _grouped(
        await _rows(
            db,
            select(rt.room_id, rt.locale, rt.name)
            .join(m.Room, m.Room.id == rt.room_id)
            .where(m.Room.event_id == event_id),
        )
    )
    rooms = tuple(
        RoomEntry(r.id, r.key, r.name, r.capacity, room_names.get(r.id, {}))
        for r in await _rows(
            db,
            select(m.Room.id, m.Room.key, m.Room.name, m.Room.capacity)
            .where(m.Room.event_id == event_id)
            .order_by(m.Room.position, m.Room.id),
        )
    )

    tt = m.TrackTranslation
    track_names = _grouped(
        await _rows(
            db,
            select(tt.track_id, tt.locale, tt.name)
            .join(m.Track, m.Track.id == tt.track_id)
            .where(m.Track.event_id == event_id),
        )
    )
    tracks = {
        t.id: TrackEntry(t.id, t.name, track_names.get(t.id, {}))
        for t in await _rows(
            db, select(m.Track.id, m.Track.name).where(m.Track.event_id == event_id)
        )
    }

    st = m.SpeakerTranslation
    speaker_texts = await _rows(
        db,
        select(st.speaker_id, st.locale, st.name, st.bio)
        .join(m.Speaker, m.Speaker.id == st.speaker_id)
        .where(m.Speaker.event_id == event_id),
    )
    speaker_names = _grouped((s, loc, name) for s, loc, name, _ in speaker_texts)
    speaker_bios = _grouped((s, loc, bio) for s, loc, _, bio in speaker_texts)
    speakers = tuple(
        SpeakerEntry(
            s.id,
            s.name,
            s.organization,
            s.bio,
            s.search_text,
            speaker_names.get(s.id, {}),
            speaker_bios.get(s.id, {}),
        )
        for s in await _rows(
            db,
            select(
                m.Speaker.id,
                m.Speaker.name,
                m.Speaker.organization,
                m.Speaker.bio,
                m.Speaker.search_text,
            )
            .where(m.Speaker.event_id == event_id)
            .order_by(m.Speaker.id),
        )
    )

    sst = m.SessionTranslation
    session_texts = await _rows(
        db,
        select(sst.session_id, sst.locale, sst.title, sst.abstract)
        .join(m.Session, m.Session.id == sst.session_id)
        .where(m.Session.event_id == event_id),
    )
    titles = _grouped((s, loc, title) for s, loc, title, _ in session_texts)
    abstracts = _grouped((s, loc, text) for s, loc, _, text in session_texts)
    ss = m.SessionSpeaker
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, speaker_id, role in await _rows(
        db,
        select(ss.session_id, ss.speaker_id, ss.role)
        .join(m.Session, m.Session.id == ss.session_id)
        .where(m.Session.event_id == event_id)
        .order_by(ss.session_id, ss.position, ss.id),
    ):
        people[session_id].append((speaker_id, role))
    s = m.Session
    session_rows = await _rows(
        db,
        select(
            s.id,
            s.kind,
            s.title,
            s.abstract,
            s.starts_at,
            s.ends_at,
            s.room_id,
            s.track_id,
            s.language,
            s.capacity,
            s.cancelled,
            s.search_text,
        ).where(s.event_id == event_id),
    )
    sessions = sorted(
        (
            SessionEntry(
                r.id,
                r.kind,
                r.title,
                r.abstract,
                r.starts_at,
                r.ends_at,
                r.room_id,
                r.track_id,
                r.language,
                r.capacity,
                bool(r.cancelled),
                r.search_text,
                titles.get(r.id, {}),
                abstracts.get(r.id, {}),
                tuple(people.get(r.id, ())),
            )
            for r in session_rows
        ),
        # the order every list shows; a session without a room comes before the rooms
        key=lambda x: (x.starts_at, x.room_id is not None, x.room_id or 0, x.id),
    )
    return ProgrammeSnapshot(
        version=version,
        event=event,
        sessions=tuple(sessions),
        rooms=rooms,
        speakers=speakers,
        tracks_by_id=tracks,
    )


__all__ = [
    "NoEventError",
    "ProgrammeCache",
    "ProgrammeSnapshot",
    "SessionEntry",
    "SpeakerEntry",
    "bump_version",
]

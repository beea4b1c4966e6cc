"""Writing a programme into the database, matched by stable keys so re-imports update in place.

An import is planned before anything is written (`bot/domain/programme_plan.py`): the stored
programme is read with a few plain SELECTs, matched against the file's on a worker thread,
and the plan is written with bulk statements in one transaction, so the SQLite writer is held
for the writes alone, not for the matching. A dry run stops after the plan. Every change of a
session's time or room, and every cancellation, is told to the people who bookmarked it and
their reminders follow, in the same transaction. A session missing from a new import is
deleted, unless someone bookmarked it: then it stays, cancelled, so their agenda can say so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.db.in_lists import in_lists
from bot.domain.changes import SessionChange, SlotState, detect_change
from bot.domain.programme import ProgrammeData
from bot.domain.programme_plan import (
    Entry,
    EventRow,
    ImportSummary,
    Plan,
    Removal,
    SessionRow,
    Stored,
    Texts,
    Writes,
    plan,
)
from bot.domain.speakers import DEFAULT_ALERT_LEADS
from bot.domain.text import search_document
from bot.services import speaker_alerts
from bot.services.changes import concerned, on_session_change, slot_of
from bot.services.programme_cache import bump_version

ATTEMPTS = 3  # plans made afresh when the programme changed between reading and writing


class StaleProgramme(Exception):
    """The programme changed after it was read for the plan (another import, an edit)."""


class ProgrammeService:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        speaker_leads: tuple[int, ...] = DEFAULT_ALERT_LEADS,  # SPEAKER_ALERT_MINUTES
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._speaker_leads = speaker_leads

    async def has_programme(self) -> bool:
        async with self._sessions() as db:
            return await db.scalar(select(m.Session.id).limit(1)) is not None

    async def apply(self, data: ProgrammeData, *, dry_run: bool = False) -> ImportSummary:
        """Write `data` as the event's programme; sessions missing from it are removed.

        The stored programme is read and matched against the file off the write lock (the
        matching on a worker thread); a dry run stops there and writes nothing. Applying
        writes the plan in one transaction that first checks the programme has not changed
        since it was read (else it plans again), so what a dry run says is what an import
        does, and the writer is held only for the bulk statements."""
        if dry_run:
            planned = await self._plan(data)
            return planned.summary(planned.removal(planned.bookmarked), applied=False)
        return await self.write_planned(lambda: self._plan(data))

    async def _plan(self, data: ProgrammeData) -> Plan:
        async with self._sessions() as db:
            stored = await read_stored(db, data.event.key)
        return await asyncio.to_thread(plan, stored, data)

    async def write_planned(self, make: Callable[[], Awaitable[Plan]]) -> ImportSummary:
        """Write the plan `make` makes; if the programme changed between its reading and the
        write (another import, an edit), make it again, up to ATTEMPTS times in all."""
        for _ in range(ATTEMPTS - 1):
            try:
                return await self.write(await make())
            except StaleProgramme:
                continue
        return await self.write(await make())

    async def write(self, planned: Plan) -> ImportSummary:
        """Write a plan made from this database; `StaleProgramme` if the programme changed
        since it was read (make the plan again)."""
        async with self._sessions.begin() as db:
            removal = await _write(db, planned, self._clock.now(), self._speaker_leads)
        return planned.summary(removal, applied=True)

    async def change_session(
        self,
        session_id: int,
        *,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        room_key: str | None = None,
        cancelled: bool | None = None,
    ) -> SessionChange | None:
        """An organizer's edit of one session, told to its bookmarkers like an import's.

        Moving the start without giving an end keeps the session's length.
        """
        now = self._clock.now()
        async with self._sessions.begin() as db:
            row = await db.get(m.Session, session_id)
            if row is None:
                raise LookupError(f"no session {session_id}")
            before = slot_of(row)
            start = starts_at or row.starts_at
            end = ends_at or row.ends_at + (start - row.starts_at)
            if end <= start:
                raise ValueError("a session must end after it starts")
            room = row.room
            if room_key is not None:
                room = await db.scalar(
                    select(m.Room).where(m.Room.event_id == row.event_id, m.Room.key == room_key)
                )
                if room is None:
                    raise LookupError(f"no room {room_key!r}")
            after = SlotState(
                start,
                end,
                room.key if room else None,
                row.cancelled if cancelled is None else cancelled,
            )
            change = detect_change(row.id, row.key, row.title, before, after)
            row.starts_at, row.ends_at, row.cancelled = start, end, after.cancelled
            if room is not row.room:
                row.room = room
                row.search_text = _search_text_of(row)
            await db.flush()
            await bump_version(db, row.event_id)  # every instance's programme cache reloads
            if change is not None:
                await on_session_change(db, row, change, now)
            return change


def _search_text_of(row: m.Session) -> str:
    """The search document of a stored session (after an organizer's edit)."""
    return search_document(
        row.title,
        row.abstract,
        *(t.title for t in _by_locale(row.translations)),
        *(t.abstract for t in _by_locale(row.translations)),
        *_names(row.room, row.track),
        *(text for p in row.people for text in _speaker_texts(p.speaker)),
    )


def _names(room: m.Room | None, track: m.Track | None) -> Iterable[str]:
    if room is not None:
        yield room.name
        yield from (t.name for t in _by_locale(room.translations))
    if track is not None:
        yield track.name
        yield from (t.name for t in _by_locale(track.translations))


def _speaker_texts(speaker: m.Speaker) -> Iterable[str]:
    yield speaker.name
    yield from (t.name for t in _by_locale(speaker.translations))


def _by_locale(translations: Iterable[Any]) -> list[Any]:
    """Translations in a fixed order, so a search document is the same on every import."""
    return sorted(translations, key=lambda t: t.locale)


# --- reading the stored programme --------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """A table of rooms, tracks or speakers and its translations table."""

    table: Table
    translations: Table
    owner: str  # the translations' column naming their row
    fields: tuple[str, ...]  # the translations' texts
    columns: tuple[str, ...]  # the row's own columns besides key and name


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


ROOMS = _Kind(
    _table(m.Room), _table(m.RoomTranslation), "room_id", ("name",), ("capacity", "position")
)
TRACKS = _Kind(_table(m.Track), _table(m.TrackTranslation), "track_id", ("name",), ())
SPEAKERS = _Kind(
    _table(m.Speaker),
    _table(m.SpeakerTranslation),
    "speaker_id",
    ("name", "bio"),
    ("organization", "bio", "search_text"),
)
EVENTS, EVENT_TEXTS = _table(m.Event), _table(m.EventTranslation)
SESSIONS, SESSION_TEXTS = _table(m.Session), _table(m.SessionTranslation)
SESSION_PEOPLE, BOOKMARKS = _table(m.SessionSpeaker), _table(m.Bookmark)
SESSION_FIELDS = ("title", "abstract")
EVENT_FIELDS = ("name", "venue")


async def read_stored(db: AsyncSession, event_key: str) -> Stored:
    """The event's programme as plain rows (a handful of SELECTs, no ORM objects)."""
    found = (
        await db.execute(
            select(
                EVENTS.c.id, EVENTS.c.key, EVENTS.c.name, EVENTS.c.timezone, EVENTS.c.venue,
                EVENTS.c.start_date, EVENTS.c.days, EVENTS.c.original_locale,
                EVENTS.c.programme_version,
            ).where(EVENTS.c.key == event_key)
        )
    ).first()  # fmt: skip
    if found is None:
        return Stored(None)
    event_id = found.id
    texts = await _texts(db, EVENT_TEXTS, "event_id", EVENT_FIELDS, EVENTS.c.id == event_id)
    event = EventRow(
        found.id, found.key, found.name, found.timezone, found.venue, found.start_date,
        found.days, found.original_locale, found.programme_version, texts.get(event_id, {}),
    )  # fmt: skip
    rooms = await _entries(db, ROOMS, event_id)
    tracks = await _entries(db, TRACKS, event_id)
    speakers = await _entries(db, SPEAKERS, event_id)
    in_event = SESSIONS.c.event_id == event_id
    titles = await _texts(db, SESSION_TEXTS, "session_id", SESSION_FIELDS, in_event)
    people: dict[int, list[tuple[str, str]]] = {}
    speaker_key = {row.id: row.key for row in speakers}
    for session_id, speaker_id, role in await db.execute(
        select(SESSION_PEOPLE.c.session_id, SESSION_PEOPLE.c.speaker_id, SESSION_PEOPLE.c.role)
        .join(SESSIONS, SESSIONS.c.id == SESSION_PEOPLE.c.session_id)
        .where(in_event)
        .order_by(SESSION_PEOPLE.c.session_id, SESSION_PEOPLE.c.position)
    ):
        people.setdefault(session_id, []).append((speaker_key[speaker_id], role))
    room_key = {row.id: row.key for row in rooms}
    track_key = {row.id: row.key for row in tracks}
    sessions = [
        SessionRow(
            r.id,
            r.key,
            r.kind,
            r.title,
            r.abstract,
            r.starts_at,
            r.ends_at,
            room_key.get(r.room_id),
            track_key.get(r.track_id),
            r.language,
            r.capacity,
            r.cancelled,
            r.search_text,
            titles.get(r.id, {}),
            tuple(people.get(r.id, ())),
        )
        for r in await db.execute(
            select(
                SESSIONS.c.id,
                SESSIONS.c.key,
                SESSIONS.c.kind,
                SESSIONS.c.title,
                SESSIONS.c.abstract,
                SESSIONS.c.starts_at,
                SESSIONS.c.ends_at,
                SESSIONS.c.room_id,
                SESSIONS.c.track_id,
                SESSIONS.c.language,
                SESSIONS.c.capacity,
                SESSIONS.c.cancelled,
                SESSIONS.c.search_text,
            )
            .where(in_event)
            .order_by(SESSIONS.c.id)
        )
    ]
    bookmarked = frozenset(
        await db.scalars(
            select(BOOKMARKS.c.session_id)
            .join(SESSIONS, SESSIONS.c.id == BOOKMARKS.c.session_id)
            .where(in_event)
            .distinct()
        )
    )
    return Stored(event, rooms, tracks, speakers, sessions, bookmarked)


async def _entries(db: AsyncSession, kind: _Kind, event_id: int) -> list[Entry]:
    table = kind.table
    in_event = table.c.event_id == event_id
    texts = await _texts(db, kind.translations, kind.owner, kind.fields, in_event, table)
    rows = await db.execute(
        select(table.c.id, table.c.key, table.c.name, *(table.c[c] for c in kind.columns))
        .where(in_event)
        .order_by(table.c.id)
    )
    return [
        Entry(r.id, r.key, r.name, texts.get(r.id, {}), {c: r._mapping[c] for c in kind.columns})
        for r in rows
    ]


async def _texts(
    db: AsyncSession,
    translations: Table,
    owner: str,
    fields: Sequence[str],
    where: Any,
    owners: Table | None = None,
) -> dict[int, Texts]:
    """Translations by owner id and locale; `owners` is joined for `where` (the event's)."""
    query = select(
        translations.c[owner], translations.c.locale, *(translations.c[f] for f in fields)
    )
    if owners is None:
        owners = SESSIONS if owner == "session_id" else EVENTS
    query = query.join(owners, owners.c.id == translations.c[owner]).where(where)
    found: dict[int, Texts] = {}
    for row in await db.execute(query):
        found.setdefault(row[0], {})[row[1]] = {f: row[2 + i] for i, f in enumerate(fields)}
    return found


# --- writing a plan ----------------------------------------------------------------------


async def _write(db: AsyncSession, planned: Plan, now: datetime, leads: tuple[int, ...]) -> Removal:
    """Write the plan; raises `StaleProgramme` if the programme changed since it was read. The first
    statement claims the event's version, so on SQLite the writer is taken there (after the
    matching), and on PostgreSQL the event's row lock orders imports and edits."""
    if not planned.writes() and not planned.missing:
        return Removal()  # an unchanged programme: nothing is written, nobody is told
    event_id = await _write_event(db, planned)
    ids = planned.ids
    room_ids = await _write_entries(db, ROOMS, event_id, planned.rooms, ids["rooms"])
    track_ids = await _write_entries(db, TRACKS, event_id, planned.tracks, ids["tracks"])
    speaker_ids = await _write_entries(db, SPEAKERS, event_id, planned.speakers, ids["speakers"])
    session_ids = await _write_sessions(db, event_id, planned, room_ids, track_ids)
    await _write_people(db, planned, session_ids, speaker_ids)
    removal = await _remove_missing(db, planned)
    if planned.people or removal.deleted:  # speakers first, attendees after
        await speaker_alerts.on_people_changes(db, event_id, planned.before, now, leads)
    changes = planned.changes + removal.changes
    told = await concerned(db, [change.session_id for change in changes]) if changes else set()
    for change in changes:
        row = await db.get(m.Session, change.session_id) if change.session_id in told else None
        if row is not None:
            await on_session_change(db, row, change, now)
    return removal


async def _write_event(db: AsyncSession, planned: Plan) -> int:
    writes = planned.event
    if planned.event_id is None:
        try:
            event_id = int(
                (
                    await db.execute(
                        insert(EVENTS).returning(EVENTS.c.id),
                        [{**writes.new[0], "programme_version": 1}],
                    )
                ).scalar_one()
            )
        except IntegrityError as error:  # another import created it meanwhile
            raise StaleProgramme() from error
    else:
        event_id = planned.event_id
        changed = writes.changed[0][1] if writes.changed else {}
        claimed = await db.execute(
            update(EVENTS)
            .where(EVENTS.c.id == event_id, EVENTS.c.programme_version == planned.event_version)
            .values(programme_version=EVENTS.c.programme_version + 1, **changed)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            raise StaleProgramme()
    await _write_texts(
        db, EVENT_TEXTS, "event_id", EVENT_FIELDS, writes, {planned.event_key: event_id}
    )
    return event_id


async def _write_entries(
    db: AsyncSession, kind: _Kind, event_id: int, writes: Writes, stored: Mapping[str, int]
) -> dict[str, int]:
    """Insert and update one kind's rows; returns every row's id by key."""
    ids = dict(stored)
    table = kind.table
    if writes.new:
        rows = [{"event_id": event_id, **row} for row in writes.new]
        for chunk in in_lists(rows):
            result = await db.execute(insert(table).returning(table.c.id, table.c.key), chunk)
            ids.update({key: row_id for row_id, key in result})
    if writes.changed:
        names = ("name", *kind.columns)
        await db.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(f"v_{name}") for name in names}),
            [{"row_id": i, **{f"v_{n}": v[n] for n in names}} for i, v in writes.changed],
        )
    await _write_texts(db, kind.translations, kind.owner, kind.fields, writes, ids)
    return ids


SESSION_COLUMNS = (
    "kind", "title", "abstract", "starts_at", "ends_at", "room_id", "track_id", "language",
    "capacity", "cancelled", "search_text",
)  # fmt: skip


async def _write_sessions(
    db: AsyncSession,
    event_id: int,
    planned: Plan,
    room_ids: Mapping[str, int],
    track_ids: Mapping[str, int],
) -> dict[str, int]:
    writes = planned.sessions
    ids = dict(planned.ids["sessions"])

    def columns(values: dict[str, Any]) -> dict[str, Any]:
        room, track = values["room"], values["track"]
        return {k: v for k, v in values.items() if k not in ("room", "track")} | {
            "room_id": room_ids[room] if room is not None else None,
            "track_id": track_ids[track] if track is not None else None,
        }

    if writes.new:
        rows = [{"event_id": event_id, "key": v["key"], **columns(v)} for v in writes.new]
        for chunk in in_lists(rows):
            result = await db.execute(
                insert(SESSIONS).returning(SESSIONS.c.id, SESSIONS.c.key), chunk
            )
            ids.update({key: row_id for row_id, key in result})
    if writes.changed:
        await db.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == bindparam("row_id"))
            .values({name: bindparam(f"v_{name}") for name in SESSION_COLUMNS}),
            [
                {"row_id": i, **{f"v_{k}": v for k, v in columns(values).items()}}
                for i, values in writes.changed
            ],
        )
    await _write_texts(db, SESSION_TEXTS, "session_id", SESSION_FIELDS, writes, ids)
    return ids


async def _write_people(
    db: AsyncSession, planned: Plan, session_ids: Mapping[str, int], speaker_ids: Mapping[str, int]
) -> None:
    """Replace the speakers and moderators of the sessions whose people changed."""
    if not planned.people:
        return
    stored = planned.ids["sessions"]
    replaced = [stored[key] for key, _ in planned.people if key in stored]
    for chunk in in_lists(replaced):
        await db.execute(delete(SESSION_PEOPLE).where(SESSION_PEOPLE.c.session_id.in_(chunk)))
    rows = [
        {
            "session_id": session_ids[key],
            "speaker_id": speaker_ids[person],
            "role": role,
            "position": position,
        }
        for key, people in planned.people
        for position, (person, role) in enumerate(people)
    ]
    if rows:
        await db.execute(insert(SESSION_PEOPLE), rows)


async def _write_texts(
    db: AsyncSession,
    translations: Table,
    owner: str,
    fields: Sequence[str],
    writes: Writes,
    ids: Mapping[str, int],
) -> None:
    if writes.new_translations:
        rows = [
            {owner: ids[key], "locale": locale, **texts}
            for key, locale, texts in writes.new_translations
        ]
        for chunk in in_lists(rows):
            await db.execute(insert(translations), chunk)
    if writes.changed_translations:
        await db.execute(
            update(translations)
            .where(
                translations.c[owner] == bindparam("owner_id"),
                translations.c.locale == bindparam("of_locale"),
            )
            .values({f: bindparam(f"v_{f}") for f in fields}),
            [
                {"owner_id": ids[key], "of_locale": locale, **{f"v_{f}": t[f] for f in fields}}
                for key, locale, t in writes.changed_translations
            ],
        )


async def _remove_missing(db: AsyncSession, planned: Plan) -> Removal:
    """Delete sessions no longer in the programme; cancel those someone bookmarked (read now,
    under the write lock: a bookmark made while the plan was worked out counts)."""
    missing = [row.id for row in planned.missing if row.id is not None]
    bookmarked: set[int] = set()
    for chunk in in_lists(missing):
        bookmarked.update(
            await db.scalars(
                select(BOOKMARKS.c.session_id).where(BOOKMARKS.c.session_id.in_(chunk)).distinct()
            )
        )
    removal = planned.removal(bookmarked)
    for chunk in in_lists(list(removal.deleted)):
        await db.execute(delete(SESSIONS).where(SESSIONS.c.id.in_(chunk)))
    for chunk in in_lists(list(removal.to_cancel)):
        await db.execute(update(SESSIONS).where(SESSIONS.c.id.in_(chunk)).values(cancelled=True))
    return removal

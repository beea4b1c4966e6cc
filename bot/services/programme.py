"""Writing a programme into the database, matched by stable keys so re-imports update in place.

Every change of a session's time or room, and every cancellation, is detected against what
was stored, so the people who bookmarked it are told and their reminders follow, in the same
transaction. A session missing from a new import is deleted, unless someone bookmarked it:
then it stays, cancelled, so their agenda can say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.changes import SessionChange, SlotState, detect_change
from bot.domain.programme import ProgrammeData, SessionData, SpeakerData, Translations
from bot.domain.speakers import DEFAULT_ALERT_LEADS
from bot.domain.text import search_document
from bot.services import speaker_alerts
from bot.services.changes import on_session_change, slot_of
from bot.services.programme_cache import bump_version


@dataclass(frozen=True)
class ImportSummary:
    rooms: int
    tracks: int
    speakers: int
    sessions: int
    removed_sessions: int  # deleted, or cancelled because someone had bookmarked them
    changes: tuple[SessionChange, ...] = ()  # moved, re-roomed, cancelled or restored sessions
    added: tuple[str, ...] = ()  # titles of sessions new in this import
    renamed: tuple[tuple[str, str], ...] = ()  # (old title, new title)
    removed: tuple[str, ...] = ()  # titles of sessions deleted (nobody had bookmarked them)
    applied: bool = True  # False for a dry run: nothing was written


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back after computing it."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("dry run")
        self.summary = summary


Changed = tuple[m.Session, SessionChange]


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
        """Upsert everything in one transaction; sessions missing from `data` are removed.

        A dry run does the same work, reports it, and rolls the transaction back, so what it
        says is exactly what a real import would do."""
        try:
            return await self._apply(data, dry_run)
        except _DryRun as done:
            return done.summary

    async def _apply(self, data: ProgrammeData, dry_run: bool) -> ImportSummary:
        now = self._clock.now()
        async with self._sessions.begin() as db:
            event = await _upsert_event(db, data)
            rooms = {}
            for position, room in enumerate(data.rooms):
                row = await _upsert(db, m.Room, event.id, room.key)
                row.name, row.capacity, row.position = room.name, room.capacity, position
                _set_translations(row.translations, room.names, m.RoomTranslation, ("name",))
                rooms[room.key] = row
            tracks = {}
            for track in data.tracks:
                track_row = await _upsert(db, m.Track, event.id, track.key)
                track_row.name = track.name
                _set_translations(
                    track_row.translations, track.names, m.TrackTranslation, ("name",)
                )
                tracks[track.key] = track_row
            speakers = {s.key: await _apply_speaker(db, event.id, s) for s in data.speakers}
            await db.flush()
            people_before = await speaker_alerts.people_of_event(db, event.id)
            changed: list[Changed] = []
            added: list[str] = []
            renamed: list[tuple[str, str]] = []
            for session in data.sessions:
                old_title = await db.scalar(
                    select(m.Session.title).where(
                        m.Session.event_id == event.id, m.Session.key == session.key
                    )
                )
                stored, change = await _apply_session(
                    db, event.id, session, rooms, tracks, speakers
                )
                if old_title is None:
                    added.append(session.title)
                elif old_title != session.title:
                    renamed.append((old_title, session.title))
                if change is not None:
                    changed.append((stored, change))
            keep = {s.key for s in data.sessions}
            gone = list(
                await db.scalars(
                    select(m.Session.title).where(
                        m.Session.event_id == event.id, m.Session.key.not_in(keep)
                    )
                )
            )
            deleted, cancelled = await _remove_missing(db, event.id, keep)
            changed += cancelled
            cancelled_titles = {row.title for row, _ in cancelled}
            await speaker_alerts.on_people_changes(  # speakers first, attendees after
                db, event.id, people_before, now, self._speaker_leads
            )
            for stored, change in changed:
                await on_session_change(db, stored, change, now)
            await bump_version(db, event.id)  # every instance's programme cache reloads
            summary = ImportSummary(
                rooms=len(data.rooms),
                tracks=len(data.tracks),
                speakers=len(data.speakers),
                sessions=len(data.sessions),
                removed_sessions=deleted + len(cancelled),
                changes=tuple(change for _, change in changed),
                added=tuple(added),
                renamed=tuple(renamed),
                removed=tuple(t for t in gone if t not in cancelled_titles),
                applied=not dry_run,
            )
            if dry_run:
                raise _DryRun(summary)
        return summary

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


ModelT = TypeVar("ModelT", m.Room, m.Track, m.Speaker, m.Session)


async def _upsert(db: AsyncSession, model: type[ModelT], event_id: int, key: str) -> ModelT:
    row = await db.scalar(select(model).where(model.event_id == event_id, model.key == key))
    if row is None:
        row = model(event_id=event_id, key=key, translations=[])
        db.add(row)
    return row


async def _upsert_event(db: AsyncSession, data: ProgrammeData) -> m.Event:
    info = data.event
    event = await db.scalar(select(m.Event).where(m.Event.key == info.key))
    if event is None:
        event = m.Event(key=info.key, translations=[])
        db.add(event)
    event.name, event.venue, event.timezone = info.name, info.venue, info.timezone
    event.start_date, event.days, event.original_locale = (
        info.start_date,
        info.days,
        info.original_locale,
    )
    merged = {
        locale: {
            "name": info.names.get(locale, info.name),
            "venue": info.venues.get(locale, info.venue),
        }
        for locale in set(info.names) | set(info.venues)
    }
    _replace_translations(event.translations, merged, m.EventTranslation)
    await db.flush()
    return event


async def _apply_speaker(db: AsyncSession, event_id: int, data: SpeakerData) -> m.Speaker:
    row = await _upsert(db, m.Speaker, event_id, data.key)
    row.name, row.organization, row.bio = data.name, data.organization, data.bio
    merged = {
        locale: {"name": data.names.get(locale, data.name), "bio": data.bios.get(locale, "")}
        for locale in set(data.names) | set(data.bios)
    }
    _replace_translations(row.translations, merged, m.SpeakerTranslation)
    row.search_text = search_document(data.name, data.organization, *data.names.values())
    return row


async def _apply_session(
    db: AsyncSession,
    event_id: int,
    data: SessionData,
    rooms: dict[str, m.Room],
    tracks: dict[str, m.Track],
    speakers: dict[str, m.Speaker],
) -> tuple[m.Session, SessionChange | None]:
    row = await _upsert(db, m.Session, event_id, data.key)
    before = slot_of(row) if row.id is not None else None  # read before anything changes
    row.kind, row.title, row.abstract = data.kind.value, data.title, data.abstract
    row.starts_at, row.ends_at, row.language = data.starts_at, data.ends_at, data.language
    row.capacity, row.cancelled = data.capacity, data.cancelled
    room = rooms.get(data.room_key) if data.room_key else None
    track = tracks.get(data.track_key) if data.track_key else None
    row.room_id = room.id if room else None
    row.track_id = track.id if track else None
    merged = {
        locale: {
            "title": data.titles.get(locale, data.title),
            "abstract": data.abstracts.get(locale, ""),
        }
        for locale in set(data.titles) | set(data.abstracts)
    }
    _replace_translations(row.translations, merged, m.SessionTranslation)
    wanted = [(k, "speaker") for k in data.speaker_keys] + [
        (k, "moderator") for k in data.moderator_keys
    ]
    await db.flush()  # gives a new row its id
    await db.execute(delete(m.SessionSpeaker).where(m.SessionSpeaker.session_id == row.id))
    people = [speakers[key] for key, _ in wanted if key in speakers]
    for position, (key, role) in enumerate(k for k in wanted if k[0] in speakers):
        db.add(
            m.SessionSpeaker(
                session_id=row.id, speaker_id=speakers[key].id, role=role, position=position
            )
        )
    db.expire(row, ["people"])
    row.search_text = search_document(
        data.title,
        data.abstract,
        *data.titles.values(),
        *data.abstracts.values(),
        *_names(room, track),
        *(text for p in people for text in _speaker_texts(p)),
    )
    if before is None:
        return row, None
    after = SlotState(data.starts_at, data.ends_at, room.key if room else None, data.cancelled)
    return row, detect_change(row.id, data.key, data.title, before, after)


async def _remove_missing(
    db: AsyncSession, event_id: int, keep: set[str]
) -> tuple[int, list[Changed]]:
    """Delete sessions no longer in the programme; cancel those someone bookmarked."""
    missing = list(
        await db.scalars(
            select(m.Session).where(m.Session.event_id == event_id, m.Session.key.not_in(keep))
        )
    )
    bookmarked = set(
        await db.scalars(
            select(m.Bookmark.session_id)
            .where(m.Bookmark.session_id.in_([row.id for row in missing]))
            .distinct()
        )
    )
    cancelled: list[Changed] = []
    for row in missing:
        if row.id not in bookmarked:
            continue
        before = slot_of(row)
        row.cancelled = True
        change = detect_change(
            row.id, row.key, row.title, before, replace(before, cancelled=True), removed=True
        )
        if change is not None:
            cancelled.append((row, change))
    doomed = [row.id for row in missing if row.id not in bookmarked]
    if doomed:
        await db.execute(delete(m.Session).where(m.Session.id.in_(doomed)))
    return len(doomed), cancelled


def _search_text_of(row: m.Session) -> str:
    """The search document of a stored session (after an organizer's edit)."""
    return search_document(
        row.title,
        row.abstract,
        *(t.title for t in row.translations),
        *(t.abstract for t in row.translations),
        *_names(row.room, row.track),
        *(text for p in row.people for text in _speaker_texts(p.speaker)),
    )


def _names(room: m.Room | None, track: m.Track | None) -> Iterable[str]:
    for row in (room, track):
        if row is not None:
            yield row.name
            yield from (t.name for t in row.translations)


def _speaker_texts(speaker: m.Speaker) -> Iterable[str]:
    yield speaker.name
    yield from (t.name for t in speaker.translations)


def _set_translations(
    current: list[Any],
    names: Translations,
    model: type[m.RoomTranslation] | type[m.TrackTranslation],
    fields: tuple[str, ...],
) -> None:
    _replace_translations(current, {loc: {fields[0]: text} for loc, text in names.items()}, model)


def _replace_translations(
    current: list[Any], wanted: dict[str, dict[str, str]], model: type[Any]
) -> None:
    """Update translations in place, add new locales, drop locales no longer given."""
    by_locale = {t.locale: t for t in current}
    for locale, values in wanted.items():
        row = by_locale.pop(locale, None)
        if row is None:
            current.append(model(locale=locale, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    for stale in by_locale.values():
        current.remove(stale)

"""Writing a programme into the database, matched by stable keys so re-imports update in place.

Every change of a session's time or room, and every cancellation, is detected against what
was stored, so the people who bookmarked it are told and their reminders follow, in the same
transaction. A session missing from a new import is deleted, unless someone bookmarked it:
then it stays, cancelled, so their agenda can say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.changes import SessionChange, SlotState, detect_change
from bot.domain.programme import ProgrammeData, SessionData, SpeakerData, Translations
from bot.domain.speakers import DEFAULT_ALERT_LEADS
from bot.domain.text import search_document
from bot.importers.text import name_key
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
    # room key -> its names ("" the stored name, else by locale): changes name rooms so
    room_names: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    new_rooms: tuple[dict[str, str], ...] = field(default=(), compare=False)  # created now
    new_tracks: tuple[dict[str, str], ...] = field(default=(), compare=False)
    new_speakers: tuple[dict[str, str], ...] = field(default=(), compare=False)


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
            found_rooms = _Known(
                await db.scalars(select(m.Room).where(m.Room.event_id == event.id))
            )
            next_position = max((r.position for r in found_rooms.rows), default=-1) + 1
            rooms: dict[str, m.Room] = {}
            created_rooms: list[m.Room] = []
            created_tracks: list[m.Track] = []
            created_people: list[m.Speaker] = []
            for room in sorted(data.rooms, key=lambda r: r.by_name):  # keyed ones first
                row, trusted = found_rooms.resolve(room.key, room.name, room.names, room.by_name)
                if row is None:
                    row = m.Room(
                        event_id=event.id, key=found_rooms.new_key(room.key), translations=[]
                    )
                    row.position, next_position = next_position, next_position + 1
                    db.add(row)
                    created_rooms.append(row)
                    trusted = True
                if trusted:
                    _rename(row, room.name)
                    _merge_translations(
                        row,
                        {loc: {"name": t} for loc, t in room.names.items()},
                        m.RoomTranslation,
                        {"name": row.name},
                    )
                    if room.capacity is not None:
                        row.capacity = room.capacity
                found_rooms.add(row)
                rooms[room.key] = row
            found_tracks = _Known(
                await db.scalars(select(m.Track).where(m.Track.event_id == event.id))
            )
            tracks: dict[str, m.Track] = {}
            for track in sorted(data.tracks, key=lambda t: t.by_name):
                track_row, trusted = found_tracks.resolve(
                    track.key, track.name, track.names, track.by_name
                )
                if track_row is None:
                    track_row = m.Track(
                        event_id=event.id, key=found_tracks.new_key(track.key), translations=[]
                    )
                    db.add(track_row)
                    created_tracks.append(track_row)
                    trusted = True
                if trusted:
                    _rename(track_row, track.name)
                    _merge_translations(
                        track_row,
                        {loc: {"name": t} for loc, t in track.names.items()},
                        m.TrackTranslation,
                        {"name": track_row.name},
                    )
                found_tracks.add(track_row)
                tracks[track.key] = track_row
            found_people = _Known(
                await db.scalars(select(m.Speaker).where(m.Speaker.event_id == event.id))
            )
            speakers = {}
            for speaker in sorted(data.speakers, key=lambda p: p.by_name):
                speakers[speaker.key] = _apply_speaker(
                    db, event.id, found_people, speaker, created_people
                )
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
                room_names=await _room_names(db, event.id),
                new_rooms=tuple(_names_of(r) for r in created_rooms),
                new_tracks=tuple(_names_of(t) for t in created_tracks),
                new_speakers=tuple(_names_of(p) for p in created_people),
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
    event.name, event.timezone = info.name, info.timezone
    event.venue = info.venue or event.venue or ""
    event.start_date, event.days, event.original_locale = (
        info.start_date,
        info.days,
        info.original_locale,
    )
    wanted = {
        locale: {"name": info.names.get(locale, ""), "venue": info.venues.get(locale, "")}
        for locale in set(info.names) | set(info.venues)
    }
    _merge_translations(event, wanted, m.EventTranslation, {"name": info.name, "venue": ""})
    await db.flush()
    return event


def _apply_speaker(
    db: AsyncSession,
    event_id: int,
    found: _Known[m.Speaker],
    data: SpeakerData,
    created: list[m.Speaker],
) -> m.Speaker:
    row, trusted = found.resolve(data.key, data.name, data.names, data.by_name)
    if row is None:
        row = m.Speaker(event_id=event_id, key=found.new_key(data.key), translations=[])
        db.add(row)
        created.append(row)
        trusted = True
    if trusted:
        _rename(row, data.name)
        row.organization = data.organization or row.organization or ""
        row.bio = data.bio or row.bio or ""
        wanted = {
            locale: {"name": data.names.get(locale, ""), "bio": data.bios.get(locale, "")}
            for locale in set(data.names) | set(data.bios)
        }
        _merge_translations(row, wanted, m.SpeakerTranslation, {"name": row.name, "bio": ""})
    found.add(row)
    row.search_text = search_document(
        row.name, row.organization, *(t.name for t in _by_locale(row.translations))
    )
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
    for translation in row.translations:  # those that repeated the old text follow it
        if before is not None and translation.title == row.title:
            translation.title = data.title
        if before is not None and data.abstract and translation.abstract == row.abstract:
            translation.abstract = data.abstract
    row.kind, row.title = data.kind.value, data.title
    row.abstract = data.abstract or (row.abstract if before is not None else "")
    row.starts_at, row.ends_at, row.language = data.starts_at, data.ends_at, data.language
    row.capacity, row.cancelled = data.capacity, data.cancelled
    room = rooms.get(data.room_key) if data.room_key else None
    track = tracks.get(data.track_key) if data.track_key else None
    row.room_id = room.id if room else None
    row.track_id = track.id if track else None
    wanted = {
        locale: {"title": data.titles.get(locale, ""), "abstract": data.abstracts.get(locale, "")}
        for locale in set(data.titles) | set(data.abstracts)
    }
    _merge_translations(row, wanted, m.SessionTranslation, {"title": data.title, "abstract": ""})
    roles = [(k, "speaker") for k in data.speaker_keys] + [
        (k, "moderator") for k in data.moderator_keys
    ]
    await db.flush()  # gives a new row its id
    await db.execute(delete(m.SessionSpeaker).where(m.SessionSpeaker.session_id == row.id))
    people = [speakers[key] for key, _ in roles if key in speakers]
    for position, (key, role) in enumerate(k for k in roles if k[0] in speakers):
        db.add(
            m.SessionSpeaker(
                session_id=row.id, speaker_id=speakers[key].id, role=role, position=position
            )
        )
    db.expire(row, ["people"])
    row.search_text = search_document(
        row.title,
        row.abstract,
        *(t.title for t in _by_locale(row.translations)),
        *(t.abstract for t in _by_locale(row.translations)),
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


RowT = TypeVar("RowT", m.Room, m.Track, m.Speaker)
TranslationT = TypeVar(
    "TranslationT",
    m.RoomTranslation,
    m.TrackTranslation,
    m.SpeakerTranslation,
    m.SessionTranslation,
)


class _Known(Generic[RowT]):
    """The event's stored rooms, tracks or speakers, found by key, then by any known name in
    any language (see `name_key`). A name two of them share finds neither."""

    def __init__(self, rows: Iterable[RowT]) -> None:
        self.rows: list[RowT] = []
        self._by_key: dict[str, RowT] = {}
        self._by_name: dict[str, RowT | None] = {}
        for row in rows:
            self.add(row)

    def add(self, row: RowT) -> None:
        if row.key not in self._by_key:
            self.rows.append(row)
        self._by_key[row.key] = row
        for name in _known_names(row):
            found = self._by_name.get(name, row)
            self._by_name[name] = row if found is row else None

    def named(self, *names: str) -> RowT | None:
        for name in names:
            found = self._by_name.get(name_key(name)) if name_key(name) else None
            if found is not None:
                return found
        return None

    def resolve(
        self, key: str, name: str, names: Translations, by_name: bool
    ) -> tuple[RowT | None, bool]:
        """The stored row meant, if any, and whether the file's name and translations for
        it may be written (not when its name showed that a stale key meant another row)."""
        if by_name:
            return self.named(name, *names.values()), False
        keyed = self._by_key.get(key)
        other = self.named(name) if name else None
        if keyed is not None and other is not None and other is not keyed:
            return other, False  # the name belongs to another: the session moved there
        if keyed is not None:
            return keyed, True
        return self.named(name, *names.values()), True

    def new_key(self, key: str) -> str:
        key = key.lstrip("=")
        if key not in self._by_key:
            return key
        n = 2
        while f"{key}-{n}" in self._by_key:
            n += 1
        return f"{key}-{n}"


def _by_locale(translations: Iterable[TranslationT]) -> list[TranslationT]:
    """Translations in a fixed order, so a search document is the same on every import."""
    return sorted(translations, key=lambda t: t.locale)


def _names_of(row: m.Room | m.Track | m.Speaker) -> dict[str, str]:
    return {"": row.name} | {t.locale: t.name for t in row.translations}


async def _room_names(db: AsyncSession, event_id: int) -> dict[str, dict[str, str]]:
    rooms = await db.scalars(select(m.Room).where(m.Room.event_id == event_id))
    return {room.key: _names_of(room) for room in rooms}


def _known_names(row: m.Room | m.Track | m.Speaker) -> set[str]:
    return {name_key(n) for n in (row.name, *(t.name for t in row.translations)) if n} - {""}


def _rename(row: m.Room | m.Track | m.Speaker, name: str) -> None:
    """A new name (none the row is known by, in any language) renames it; translations that
    repeated the old name follow it. A known name (an English name of a speaker stored in
    Arabic) changes nothing."""
    if not name:
        if not row.name:
            row.name = row.key
        return
    if row.name and name_key(name) in _known_names(row):
        return
    old = name_key(row.name) if row.name else None
    for translation in row.translations:
        if old and name_key(translation.name) == old:
            translation.name = name
    row.name = name


def _merge_translations(
    row: Any, wanted: dict[str, dict[str, str]], model: type[Any], defaults: dict[str, str]
) -> None:
    """Update the given fields of the given locales; add new locales (their missing fields
    from `defaults`). Never delete: a locale or field the file leaves out or empty stays."""
    by_locale = {t.locale: t for t in row.translations}
    for locale, values in sorted(wanted.items()):
        given = {field: text for field, text in values.items() if text}
        if not given:
            continue
        current = by_locale.get(locale)
        if current is None:
            row.translations.append(model(locale=locale, **(defaults | given)))
        else:
            for field, text in given.items():
                setattr(current, field, text)

"""What an import changes, worked out from plain data before anything is written.

The stored programme is read into plain rows (`Stored`), the file's programme is matched
against them, and the result is a `Plan`: the rows to insert, the columns to update, the
schedule changes bookmarkers hear of, and the summary a dry run shows. Working it out needs
no database and no lock, so an organizer's preview writes nothing (on SQLite it used to hold
the one writer for the whole import, and every attendee's update waited: 36 s for 5,000
sessions), and applying it is a few bulk statements in one short transaction
(`bot/services/programme.py`). An unchanged programme plans no write at all.

The matching rules:
- Rooms, tracks and speakers are found by key, then by any name they are known by in any
  language (`name_key`); a name two of them share finds neither. A key whose name belongs to
  another row meant that other row (the file's key was stale): it is used, not renamed.
- A new name renames a row, and translations that repeated the old name follow it; a name it
  is already known by (an English name of a speaker stored in Arabic) changes nothing.
- Translations are added and updated, never deleted: a locale the file leaves out stays.
- Sessions are matched by key. A session missing from the file is deleted, unless someone
  bookmarked it: then it stays, cancelled, so their agenda can say so.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from bot.domain.changes import SessionChange, SlotState, detect_change
from bot.domain.programme import (
    ProgrammeData,
    RoomData,
    SessionData,
    SpeakerData,
    TrackData,
    Translations,
)
from bot.domain.speakers import Listed
from bot.domain.text import name_key, search_document

Fields = dict[str, str]  # one translation's texts by column ("name", "bio", "title", ...)
Texts = dict[str, Fields]  # locale -> its translation
Person = tuple[str, str]  # (speaker key, "speaker" | "moderator")


@dataclass
class Entry:
    """A room, track or speaker: as stored (`id` set) or created by this import. `columns`
    holds the kind's own columns (a room's capacity and position; a speaker's organization,
    bio and search text)."""

    id: int | None
    key: str
    name: str
    translations: Texts = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionRow:
    id: int | None
    key: str
    kind: str
    title: str
    abstract: str
    starts_at: datetime
    ends_at: datetime
    room: str | None  # the room's key
    track: str | None  # the track's key
    language: str
    capacity: int | None
    cancelled: bool
    search_text: str = ""
    translations: Texts = field(default_factory=dict)
    people: tuple[Person, ...] = ()

    def slot(self) -> SlotState:
        return SlotState(self.starts_at, self.ends_at, self.room, self.cancelled)

    def columns(self) -> dict[str, Any]:
        """The session's own columns, as compared and written (room and track by key)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "abstract": self.abstract,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "room": self.room,
            "track": self.track,
            "language": self.language,
            "capacity": self.capacity,
            "cancelled": self.cancelled,
            "search_text": self.search_text,
        }


@dataclass
class EventRow:
    id: int | None
    key: str
    name: str
    timezone: str
    venue: str
    start_date: date
    days: int
    original_locale: str
    version: int = 0
    translations: Texts = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "timezone": self.timezone,
            "venue": self.venue,
            "start_date": self.start_date,
            "days": self.days,
            "original_locale": self.original_locale,
        }


@dataclass(frozen=True)
class Stored:
    """The event's programme as read before an import (None: the event is new)."""

    event: EventRow | None
    rooms: list[Entry] = field(default_factory=list)
    tracks: list[Entry] = field(default_factory=list)
    speakers: list[Entry] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)  # in id order
    bookmarked: frozenset[int] = frozenset()  # ids of sessions someone bookmarked


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


@dataclass(frozen=True)
class Writes:
    """One kind's writes: new rows (with their key), stored rows whose columns differ (all
    their columns, by id), and translations to insert or update (by owner key and locale)."""

    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_translations: list[tuple[str, str, Fields]] = field(default_factory=list)
    changed_translations: list[tuple[str, str, Fields]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.new_translations or self.changed_translations)


@dataclass(frozen=True)
class Removal:
    """Sessions missing from the file: deleted, or kept cancelled for their bookmarkers."""

    deleted: tuple[int, ...] = ()
    to_cancel: tuple[int, ...] = ()  # kept, and not cancelled yet
    changes: tuple[SessionChange, ...] = ()  # what their bookmarkers hear

    def __bool__(self) -> bool:
        return bool(self.deleted or self.to_cancel)


@dataclass(frozen=True)
class Plan:
    event_key: str
    event: Writes  # at most one row
    rooms: Writes
    tracks: Writes
    speakers: Writes
    sessions: Writes  # columns "room" and "track" hold keys
    people: list[tuple[str, tuple[Person, ...]]]  # sessions (by key) whose people are replaced
    changes: tuple[SessionChange, ...]  # of sessions in the file, in the file's order
    missing: tuple[SessionRow, ...]
    event_id: int | None  # None: the event is new
    event_version: int  # the programme version the plan was made from
    ids: dict[str, dict[str, int]]  # "rooms", "tracks", "speakers", "sessions": stored ids by key
    before: dict[int, Listed]  # sessions and their people as read, if any people change
    bookmarked: frozenset[int] = frozenset()  # as read (the dry run's guess)
    added: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # rooms, tracks, speakers, sessions
    room_names: dict[str, dict[str, str]] = field(default_factory=dict)
    new_rooms: tuple[dict[str, str], ...] = ()
    new_tracks: tuple[dict[str, str], ...] = ()
    new_speakers: tuple[dict[str, str], ...] = ()

    def writes(self) -> bool:
        """Whether anything but the missing sessions is to be written."""
        kinds = (self.event, self.rooms, self.tracks, self.speakers, self.sessions)
        return any(kinds) or bool(self.people)

    def removal(self, bookmarked: Iterable[int]) -> Removal:
        """What becomes of the missing sessions, given who has bookmarked what (read again,
        under the write lock, when the plan is applied)."""
        marked = set(bookmarked)
        changes: list[SessionChange] = []
        for row in self.missing:
            if row.id not in marked or row.id is None:
                continue
            before = row.slot()
            after = replace(before, cancelled=True)
            change = detect_change(row.id, row.key, row.title, before, after, removed=True)
            if change is not None:
                changes.append(change)
        return Removal(
            deleted=tuple(r.id for r in self.missing if r.id is not None and r.id not in marked),
            to_cancel=tuple(
                r.id
                for r in self.missing
                if r.id is not None and r.id in marked and not r.cancelled
            ),
            changes=tuple(changes),
        )

    def summary(self, removal: Removal, *, applied: bool) -> ImportSummary:
        cancelled_titles = {change.title for change in removal.changes}
        rooms, tracks, speakers, sessions = self.counts
        return ImportSummary(
            rooms=rooms,
            tracks=tracks,
            speakers=speakers,
            sessions=sessions,
            removed_sessions=len(removal.deleted) + len(removal.changes),
            changes=self.changes + removal.changes,
            added=self.added,
            renamed=self.renamed,
            removed=tuple(r.title for r in self.missing if r.title not in cancelled_titles),
            applied=applied,
            room_names=self.room_names,
            new_rooms=self.new_rooms,
            new_tracks=self.new_tracks,
            new_speakers=self.new_speakers,
        )


def plan(stored: Stored, data: ProgrammeData) -> Plan:
    """Match the file's programme against the stored one (neither is changed)."""
    work = copy.deepcopy(stored)
    event = _plan_event(work.event, data)
    rooms, created_rooms, room_rows = _plan_rooms(work.rooms, data)
    tracks, created_tracks, track_rows = _plan_tracks(work.tracks, data)
    speakers, created_speakers, speaker_rows = _plan_speakers(work.speakers, data)
    by_key = {row.key: row for row in work.sessions}
    changes: list[SessionChange] = []
    added: list[str] = []
    renamed: list[tuple[str, str]] = []
    for session in data.sessions:
        row = by_key.get(session.key)
        if row is None:
            row = by_key[session.key] = _new_session(session)
            added.append(session.title)
        elif row.id is not None and row.title != session.title:
            renamed.append((row.title, session.title))
        change = _plan_session(row, session, rooms, tracks, speakers)
        if change is not None:
            changes.append(change)
    keep = {s.key for s in data.sessions}
    originals = {row.key: row for row in stored.sessions}
    session_writes, people = _session_writes(
        originals, [r for r in by_key.values() if r.key in keep]
    )
    people_change = bool(people) or bool(stored.sessions and set(originals) - keep)
    return Plan(
        event_key=data.event.key,
        event=_event_writes(stored.event, event),
        rooms=_entry_writes(stored.rooms, room_rows),
        tracks=_entry_writes(stored.tracks, track_rows),
        speakers=_entry_writes(stored.speakers, speaker_rows),
        sessions=session_writes,
        people=people,
        changes=tuple(changes),
        missing=tuple(row for row in stored.sessions if row.key not in keep),
        event_id=stored.event.id if stored.event else None,
        event_version=stored.event.version if stored.event else 0,
        ids={
            "rooms": _ids(stored.rooms),
            "tracks": _ids(stored.tracks),
            "speakers": _ids(stored.speakers),
            "sessions": _ids(stored.sessions),
        },
        before=_listed(stored) if people_change else {},
        bookmarked=stored.bookmarked,
        added=tuple(added),
        renamed=tuple(renamed),
        counts=(len(data.rooms), len(data.tracks), len(data.speakers), len(data.sessions)),
        room_names={row.key: _names_of(row) for row in room_rows},
        new_rooms=tuple(_names_of(r) for r in created_rooms),
        new_tracks=tuple(_names_of(t) for t in created_tracks),
        new_speakers=tuple(_names_of(p) for p in created_speakers),
    )


def _ids(rows: Iterable[Entry | SessionRow]) -> dict[str, int]:
    return {row.key: row.id for row in rows if row.id is not None}


def _listed(stored: Stored) -> dict[int, Listed]:
    """The sessions and their people as they were, for telling speakers what changed."""
    speaker_ids = _ids(stored.speakers)
    return {
        row.id: Listed(
            row.title,
            row.starts_at,
            row.ends_at,
            row.cancelled,
            tuple((speaker_ids[key], role) for key, role in row.people),
            {locale: texts["title"] for locale, texts in row.translations.items()},
        )
        for row in stored.sessions
        if row.id is not None
    }


# --- matching ----------------------------------------------------------------------------


def _plan_event(row: EventRow | None, data: ProgrammeData) -> EventRow:
    info = data.event
    if row is None or row.key != info.key:
        row = EventRow(None, info.key, "", "", "", info.start_date, info.days, "en", 0)
    row.name, row.timezone = info.name, info.timezone
    row.venue = info.venue or row.venue or ""
    row.start_date, row.days, row.original_locale = info.start_date, info.days, info.original_locale
    wanted = {
        locale: {"name": info.names.get(locale, ""), "venue": info.venues.get(locale, "")}
        for locale in set(info.names) | set(info.venues)
    }
    _merge_translations(row.translations, wanted, {"name": info.name, "venue": ""})
    return row


def _plan_rooms(
    stored: list[Entry], data: ProgrammeData
) -> tuple[dict[str, Entry], list[Entry], list[Entry]]:
    positions = itertools.count(
        max((int(r.columns.get("position") or 0) for r in stored), default=-1) + 1
    )

    def write(row: Entry, room: RoomData) -> None:
        names = {loc: {"name": t} for loc, t in room.names.items()}
        _merge_translations(row.translations, names, {"name": row.name})
        if room.capacity is not None:
            row.columns["capacity"] = room.capacity

    return _match(
        stored, data.rooms, lambda: {"capacity": None, "position": next(positions)}, write
    )


def _plan_tracks(
    stored: list[Entry], data: ProgrammeData
) -> tuple[dict[str, Entry], list[Entry], list[Entry]]:
    def write(row: Entry, track: TrackData) -> None:
        names = {loc: {"name": t} for loc, t in track.names.items()}
        _merge_translations(row.translations, names, {"name": row.name})

    return _match(stored, data.tracks, dict, write)


def _plan_speakers(
    stored: list[Entry], data: ProgrammeData
) -> tuple[dict[str, Entry], list[Entry], list[Entry]]:
    def write(row: Entry, person: SpeakerData) -> None:
        row.columns["organization"] = person.organization or row.columns["organization"]
        row.columns["bio"] = person.bio or row.columns["bio"]
        wanted = {
            locale: {"name": person.names.get(locale, ""), "bio": person.bios.get(locale, "")}
            for locale in set(person.names) | set(person.bios)
        }
        _merge_translations(row.translations, wanted, {"name": row.name, "bio": ""})

    speakers, created, rows = _match(
        stored, data.speakers, lambda: {"organization": "", "bio": ""}, write
    )
    for row in speakers.values():
        row.columns["search_text"] = search_document(
            row.name, row.columns["organization"], *(t["name"] for t in _by_locale(row))
        )
    return speakers, created, rows


Named = TypeVar("Named", RoomData, TrackData, SpeakerData)


def _match(
    stored: list[Entry],
    items: Iterable[Named],
    new_columns: Callable[[], dict[str, Any]],
    write: Callable[[Entry, Named], None],
) -> tuple[dict[str, Entry], list[Entry], list[Entry]]:
    """The rows the file's rooms, tracks or speakers are (by their file key), those created
    for them, and every row of the kind. `write` puts the file's data into a row when it may
    (see `_Known.resolve`)."""
    known = _Known(stored)
    found: dict[str, Entry] = {}
    created: list[Entry] = []
    for item in sorted(items, key=lambda i: i.by_name):  # keyed ones first
        row, trusted = known.resolve(item.key, item.name, item.names, item.by_name)
        if row is None:
            row = Entry(None, known.new_key(item.key), "", {}, new_columns())
            created.append(row)
            trusted = True
        if trusted:
            _rename(row, item.name)
            write(row, item)
        known.add(row)
        found[item.key] = row
    return found, created, known.rows


def _new_session(data: SessionData) -> SessionRow:
    return SessionRow(
        None, data.key, data.kind.value, data.title, "", data.starts_at, data.ends_at,
        None, None, data.language, data.capacity, data.cancelled,
    )  # fmt: skip


def _plan_session(
    row: SessionRow,
    data: SessionData,
    rooms: dict[str, Entry],
    tracks: dict[str, Entry],
    speakers: dict[str, Entry],
) -> SessionChange | None:
    stored = row.id is not None
    before = row.slot() if stored else None
    for translation in row.translations.values():  # those that repeated the old text follow it
        if stored and translation["title"] == row.title:
            translation["title"] = data.title
        if stored and data.abstract and translation["abstract"] == row.abstract:
            translation["abstract"] = data.abstract
    row.kind, row.title = data.kind.value, data.title
    row.abstract = data.abstract or (row.abstract if stored else "")
    row.starts_at, row.ends_at, row.language = data.starts_at, data.ends_at, data.language
    row.capacity, row.cancelled = data.capacity, data.cancelled
    room = rooms.get(data.room_key) if data.room_key else None
    track = tracks.get(data.track_key) if data.track_key else None
    row.room = room.key if room else None
    row.track = track.key if track else None
    wanted = {
        locale: {"title": data.titles.get(locale, ""), "abstract": data.abstracts.get(locale, "")}
        for locale in set(data.titles) | set(data.abstracts)
    }
    _merge_translations(row.translations, wanted, {"title": data.title, "abstract": ""})
    roles = [(k, "speaker") for k in data.speaker_keys] + [
        (k, "moderator") for k in data.moderator_keys
    ]
    people: dict[str, tuple[Entry, str]] = {}
    for key, role in roles:  # a person is on a session once, in their first role
        if key in speakers and speakers[key].key not in people:
            people[speakers[key].key] = (speakers[key], role)
    row.people = tuple((key, role) for key, (_, role) in people.items())
    translations = [row.translations[locale] for locale in sorted(row.translations)]
    row.search_text = search_document(
        row.title,
        row.abstract,
        *(t["title"] for t in translations),
        *(t["abstract"] for t in translations),
        *_names(room),
        *_names(track),
        *(text for person, _ in people.values() for text in _names(person)),
    )
    if before is None or row.id is None:
        return None
    after = SlotState(data.starts_at, data.ends_at, row.room, data.cancelled)
    return detect_change(row.id, data.key, data.title, before, after)


class _Known:
    """The event's rooms, tracks or speakers, found by key, then by any known name in any
    language (see `name_key`). A name two of them share finds neither."""

    def __init__(self, rows: Iterable[Entry]) -> None:
        self.rows: list[Entry] = []
        self._by_key: dict[str, Entry] = {}
        self._by_name: dict[str, Entry | None] = {}
        for row in rows:
            self.add(row)

    def add(self, row: Entry) -> None:
        if row.key not in self._by_key:
            self.rows.append(row)
        self._by_key[row.key] = row
        for name in _known_names(row):
            found = self._by_name.get(name, row)
            self._by_name[name] = row if found is row else None

    def named(self, *names: str) -> Entry | None:
        for name in names:
            key = name_key(name)
            found = self._by_name.get(key) if key else None
            if found is not None:
                return found
        return None

    def resolve(
        self, key: str, name: str, names: Translations, by_name: bool
    ) -> tuple[Entry | None, bool]:
        """The row meant, if any, and whether the file's name and translations for it may be
        written (not when its name showed that a stale key meant another row)."""
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


def _by_locale(row: Entry) -> list[Fields]:
    """Translations in a fixed order, so a search document is the same on every import."""
    return [row.translations[locale] for locale in sorted(row.translations)]


def _names(row: Entry | None) -> Iterator[str]:
    if row is not None:
        yield row.name
        yield from (t["name"] for t in _by_locale(row))


def _names_of(row: Entry) -> dict[str, str]:
    return {"": row.name} | {locale: t["name"] for locale, t in row.translations.items()}


def _known_names(row: Entry) -> set[str]:
    names = (row.name, *(t["name"] for t in row.translations.values()))
    return {name_key(n) for n in names if n} - {""}


def _rename(row: Entry, name: str) -> None:
    """A new name (none the row is known by, in any language) renames it; translations that
    repeated the old name follow it. A known name changes nothing."""
    if not name:
        if not row.name:
            row.name = row.key
        return
    if row.name and name_key(name) in _known_names(row):
        return
    old = name_key(row.name) if row.name else None
    for translation in row.translations.values():
        if old and name_key(translation["name"]) == old:
            translation["name"] = name
    row.name = name


def _merge_translations(
    translations: Texts, wanted: dict[str, dict[str, str]], defaults: dict[str, str]
) -> None:
    """Update the given fields of the given locales; add new locales (their missing fields
    from `defaults`). Never delete: a locale or field the file leaves out or empty stays."""
    for locale, values in sorted(wanted.items()):
        given = {name: text for name, text in values.items() if text}
        if not given:
            continue
        current = translations.get(locale)
        if current is None:
            translations[locale] = defaults | given
        else:
            current.update(given)


# --- what to write -----------------------------------------------------------------------


def _translation_writes(owner: str, before: Texts | None, after: Texts, writes: Writes) -> None:
    for locale, fields in sorted(after.items()):
        old = before.get(locale) if before is not None else None
        if old is None:
            writes.new_translations.append((owner, locale, dict(fields)))
        elif old != fields:
            writes.changed_translations.append((owner, locale, dict(fields)))


def _entry_writes(stored: list[Entry], final: list[Entry]) -> Writes:
    before = {row.key: row for row in stored}
    writes = Writes()
    for row in final:
        columns = {"name": row.name} | row.columns
        old = before.get(row.key)
        if row.id is None or old is None:
            writes.new.append({"key": row.key} | columns)
            _translation_writes(row.key, None, row.translations, writes)
            continue
        if {"name": old.name} | old.columns != columns:
            writes.changed.append((row.id, columns))
        _translation_writes(row.key, old.translations, row.translations, writes)
    return writes


def _event_writes(stored: EventRow | None, final: EventRow) -> Writes:
    writes = Writes()
    if final.id is None or stored is None:
        writes.new.append({"key": final.key} | final.columns())
        _translation_writes(final.key, None, final.translations, writes)
        return writes
    if stored.columns() != final.columns():
        writes.changed.append((final.id, final.columns()))
    _translation_writes(final.key, stored.translations, final.translations, writes)
    return writes


def _session_writes(
    stored: dict[str, SessionRow], final: list[SessionRow]
) -> tuple[Writes, list[tuple[str, tuple[Person, ...]]]]:
    writes = Writes()
    people: list[tuple[str, tuple[Person, ...]]] = []
    for row in final:
        old = stored.get(row.key)
        if row.id is None or old is None:
            writes.new.append({"key": row.key} | row.columns())
            _translation_writes(row.key, None, row.translations, writes)
            if row.people:
                people.append((row.key, row.people))
            continue
        if old.columns() != row.columns():
            writes.changed.append((row.id, row.columns()))
        _translation_writes(row.key, old.translations, row.translations, writes)
        if old.people != row.people:
            people.append((row.key, row.people))
    return writes, people

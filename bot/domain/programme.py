"""The programme as importers produce it: plain data keyed by stable source ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

Translations = dict[str, str]  # locale -> text


class SessionKind(StrEnum):
    KEYNOTE = "keynote"
    PANEL = "panel"
    TALK = "talk"
    WORKSHOP = "workshop"


@dataclass(frozen=True)
class RoomData:
    key: str
    name: str
    names: Translations = field(default_factory=dict)
    capacity: int | None = None
    by_name: bool = False  # found by its name only: the file's key for it was stale


@dataclass(frozen=True)
class TrackData:
    key: str
    name: str
    names: Translations = field(default_factory=dict)
    by_name: bool = False


@dataclass(frozen=True)
class SpeakerData:
    key: str
    name: str
    names: Translations = field(default_factory=dict)
    organization: str = ""
    bio: str = ""
    bios: Translations = field(default_factory=dict)
    by_name: bool = False


@dataclass(frozen=True)
class SessionData:
    key: str
    kind: SessionKind
    title: str
    starts_at: datetime
    ends_at: datetime
    room_key: str | None
    track_key: str | None
    language: str
    abstract: str = ""
    titles: Translations = field(default_factory=dict)
    abstracts: Translations = field(default_factory=dict)
    capacity: int | None = None
    speaker_keys: tuple[str, ...] = ()
    moderator_keys: tuple[str, ...] = ()
    cancelled: bool = False  # still listed, marked cancelled (its bookmarkers are told)


@dataclass(frozen=True)
class EventData:
    key: str
    name: str
    timezone: str
    start_date: date
    days: int
    venue: str = ""
    names: Translations = field(default_factory=dict)
    venues: Translations = field(default_factory=dict)
    original_locale: str = "en"


@dataclass(frozen=True)
class ProgrammeData:
    event: EventData
    rooms: list[RoomData]
    tracks: list[TrackData]
    speakers: list[SpeakerData]
    sessions: list[SessionData]

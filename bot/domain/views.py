"""Read models handed to handlers: already in the reader's language, nothing lazy left."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.programme import SessionKind


@dataclass(frozen=True)
class EventView:
    name: str
    venue: str
    timezone: str
    days: tuple[date, ...]


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    role: str  # "speaker" | "moderator"


@dataclass(frozen=True)
class SessionSummary:
    id: int
    title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    room: str | None
    cancelled: bool


@dataclass(frozen=True)
class SessionDetail:
    id: int
    title: str
    abstract: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    room: str | None
    track: str | None
    language: str
    capacity: int | None
    cancelled: bool
    people: tuple[PersonRef, ...]
    day_index: int


@dataclass(frozen=True)
class SpeakerSummary:
    id: int
    name: str
    organization: str


@dataclass(frozen=True)
class SpeakerDetail:
    id: int
    name: str
    organization: str
    bio: str
    sessions: tuple[SessionSummary, ...]


@dataclass(frozen=True)
class RoomSummary:
    id: int
    name: str
    capacity: int | None


@dataclass(frozen=True)
class RoomDay:
    room: RoomSummary
    day_index: int
    day: date
    sessions: tuple[SessionSummary, ...]


@dataclass(frozen=True)
class NowAndNext:
    now: tuple[SessionSummary, ...]
    next: tuple[SessionSummary, ...]
    before_event: bool
    after_event: bool


@dataclass(frozen=True)
class SearchResults:
    sessions: tuple[SessionSummary, ...]
    speakers: tuple[SpeakerSummary, ...]

    @property
    def empty(self) -> bool:
        return not self.sessions and not self.speakers


@dataclass(frozen=True)
class UserProfile:
    id: int
    display_name: str
    locale: str
    role: str
    blocked: bool
    is_new: bool = False
    locale_certain: bool = True
    # The dialogue under way when the update arrived (registration, a draft, a question…);
    # free text that no dialogue awaits goes straight to the menu and search.
    dialogue: str | None = None


@dataclass(frozen=True)
class SeatState:
    capacity: int
    taken: int
    waiting: int
    status: str | None = None  # the asking user's: confirmed | waitlisted | None
    position: int | None = None  # their place on the waitlist, from 1

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class MySession:
    """What one user has done with a session: for the buttons on its card."""

    bookmarked: bool
    seats: SeatState | None = None
    questions_open: bool = False  # the session takes audience questions now
    rateable: bool = False  # ended, feedback still open, and it was in the agenda


@dataclass(frozen=True)
class AgendaItem:
    session: SessionSummary
    clashes_with: tuple[SessionSummary, ...]


@dataclass(frozen=True)
class RoomNowNext:
    """What is on in one room now, and the next session there (today or a later day)."""

    room: RoomSummary
    now: tuple[SessionSummary, ...]
    next: SessionSummary | None
    day_index: int  # the room's day to show for "the whole day": today's, within the event
    after_event: bool  # the symposium is over


@dataclass(frozen=True)
class RoomNames:
    id: int
    key: str  # the importer's key: stable, but chosen by whoever wrote the programme
    names: Mapping[str, str]  # every supported locale; the original name where untranslated

"""Read models of an answer to a question about the programme, in the asker's language,
handed from `AskService` to the presentation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.ask.select import Overrides
from bot.domain.views import SeatState, SessionSummary, SpeakerSummary


@dataclass(frozen=True)
class Echo:
    """What was understood, in the asker's language, for the line above the answer."""

    day: date | None = None
    day_index: int | None = None  # when the day is one of the event's
    moment: datetime | None = None  # "at 15:00", "in an hour"
    period: str | None = None  # morning, noon, afternoon, late_afternoon, evening, night
    relative: str | None = None  # now, next, later, in_an_hour, after_lunch
    rooms: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    kind: str | None = None
    tracks: tuple[str, ...] = ()
    language: str | None = None
    topic: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    question_id: int | None
    text: str  # the question, cleaned
    echo: Echo
    overrides: Overrides
    sessions: tuple[SessionSummary, ...]  # this page
    total: int
    page: int
    pages: int
    asks: frozenset[str] = frozenset()
    person: SpeakerSummary | None = None  # the one person asked about
    person_sessions: tuple[SessionSummary, ...] = ()  # all of theirs, for the direct line
    choices: tuple[SpeakerSummary, ...] = ()  # several people match: ask which
    choose_day: tuple[date, ...] = ()  # a time without a day: ask which
    nearest: tuple[SessionSummary, ...] = ()
    other_days: tuple[tuple[int, date, int], ...] = ()  # (index, day, count)
    day_outside: bool = False
    event_days: tuple[date, ...] = ()
    unknown_room: str | None = None
    unknown: tuple[str, ...] = ()
    understood_nothing: bool = False
    seats: SeatState | None = None  # asked about seats of the one session found
    speakers_of: tuple[str, ...] = ()  # asked who speaks at the one session found
    language_of: str | None = None  # asked in which language the one session is
    widen: tuple[str, ...] = field(default=())  # constraints a button may drop

    @property
    def answered(self) -> bool:
        return bool(self.sessions or self.choices or self.choose_day or self.person)

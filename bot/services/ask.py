"""Questions about the programme, in the asker's words: understood, answered, logged.

The engine is pure (`bot/domain/ask/`); this service feeds it the process's programme
snapshot (its indexes are built once per programme version), adds what only the database
knows (the asker's agenda, seats left), records the question (so buttons can refine it and
organizers see what went unanswered) and returns read models in the asker's language.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace

from bot.clock import Clock
from bot.domain.ask.names import Named
from bot.domain.ask.programme import ProgrammeFacts, ProgrammeIndex, SessionFacts
from bot.domain.ask.select import Overrides, Selection, apply, select
from bot.domain.ask.tokens import clean
from bot.domain.ask.understand import Understood, understand
from bot.domain.ask_views import Answer, Echo
from bot.domain.views import SessionSummary, SpeakerSummary
from bot.services.agenda import AgendaService
from bot.services.asked import AskedQuestions
from bot.services.programme_cache import NoEventError, ProgrammeSnapshot
from bot.services.schedule import ScheduleService, entry_speaker, entry_summary
from bot.services.seats import SeatService

PAGE_SIZE = 8


@dataclass(frozen=True)
class FoundSessions:
    """One page of sessions matching a question, for inline mode."""

    sessions: tuple[SessionSummary, ...]
    total: int  # how many match in all
    now_and_next: bool  # an empty question: what is on now and next instead


class AskService:
    def __init__(
        self,
        schedule: ScheduleService,
        clock: Clock,
        asked: AskedQuestions,
        agenda: AgendaService,
        seats: SeatService,
    ) -> None:
        self._schedule = schedule
        self._clock = clock
        self._asked = asked
        self._agenda = agenda
        self._seats = seats
        self._index: tuple[tuple[int, int], ProgrammeIndex] | None = None
        self._lock = asyncio.Lock()

    async def index(self) -> tuple[ProgrammeSnapshot, ProgrammeIndex]:
        """The current programme and its question indexes, built once per version."""
        programme = await self._schedule.cache.current()
        cached = self._index
        if cached is not None and cached[0] == programme.version:
            return programme, cached[1]
        async with self._lock:
            cached = self._index
            if cached is None or cached[0] != programme.version:
                # building takes a while for a large programme: off the event loop
                built = await asyncio.to_thread(ProgrammeIndex, facts_of(programme))
                self._index = cached = (programme.version, built)
        return programme, cached[1]

    async def warm(self) -> None:
        """Build the indexes of the current programme ahead of the first question."""
        with contextlib.suppress(NoEventError):  # nothing imported yet: built later
            await self.index()

    async def ask(
        self,
        text: str,
        locale: str,
        *,
        user_id: int | None,
        question_id: int | None = None,
        overrides: Overrides | None = None,
        page: int = 0,
    ) -> Answer:
        """Answer a question; a new one (no `question_id`) is recorded for its buttons and for
        the organizers' list of what went unanswered."""
        answer = await self.answer(text, locale, user_id=user_id, overrides=overrides, page=page)
        if question_id is None:
            question_id = await self._asked.record(
                user_id, locale, answer.text, answered=answer.answered
            )
        return replace(answer, question_id=question_id)

    async def answer(
        self,
        text: str,
        locale: str,
        *,
        user_id: int | None = None,
        overrides: Overrides | None = None,
        page: int = 0,
    ) -> Answer:
        """Understand and answer, recording nothing."""
        overrides = overrides or Overrides()
        text = " ".join(clean(text).split())
        programme, index = await self.index()
        understood = apply(understand(text, index), overrides)
        agenda = None
        if "mine" in understood.asks and user_id is not None:
            agenda = {item.session.id for item in await self._agenda.items(user_id, locale)}
        selection = select(understood, index, self._clock.now(), agenda)
        return await self._answer(programme, index, selection, locale, overrides, page)

    async def find(self, text: str, locale: str, *, offset: int, limit: int) -> FoundSessions:
        """Sessions matching `text`, best first, `limit` from `offset`; with no text, what is
        on now and next."""
        if not clean(text).strip():
            found = await self._schedule.now_and_next(locale)
            every = found.now + found.next
            return FoundSessions(every[offset : offset + limit], len(every), True)
        programme, index = await self.index()
        selection = select(understand(text, index), index, self._clock.now())
        ids = selection.sessions
        page = ids[offset : offset + limit]
        return FoundSessions(
            tuple(entry_summary(programme, programme.sessions_by_id[i], locale) for i in page),
            len(ids),
            False,
        )

    async def question(self, question_id: int, user_id: int) -> str | None:
        """The asker's own earlier question (a forged id gets None)."""
        found = await self._asked.get(question_id, user_id)
        return None if found is None else found.text

    async def _answer(
        self,
        programme: ProgrammeSnapshot,
        index: ProgrammeIndex,
        selection: Selection,
        locale: str,
        overrides: Overrides,
        page: int,
    ) -> Answer:
        understood = selection.understood

        def summary(session_id: int) -> SessionSummary:
            return entry_summary(programme, programme.sessions_by_id[session_id], locale)

        def person(speaker_id: int) -> SpeakerSummary:
            return entry_speaker(programme.speakers_by_id[speaker_id], locale)

        total = len(selection.sessions)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(max(page, 0), pages - 1)
        shown = selection.sessions[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        one = selection.sessions[0] if total == 1 else None
        the_person = (
            person(understood.people[0])
            if len(understood.people) == 1 and understood.people[0] in programme.speakers_by_id
            else None
        )
        seats = None
        if one is not None and "seats" in understood.asks:
            seats = await self._seats.state(one)
        speakers_of: tuple[str, ...] = ()
        if one is not None and "who" in understood.asks and the_person is None:
            speakers_of = tuple(
                person(p).name
                for p, _ in programme.sessions_by_id[one].people
                if p in programme.speakers_by_id
            )
        days = index.event_days
        return Answer(
            question_id=None,
            text=understood.text,
            echo=_echo(programme, index, selection, locale),
            overrides=overrides,
            sessions=tuple(summary(i) for i in shown),
            total=total,
            page=page,
            pages=pages,
            asks=understood.asks | ({"language"} if selection.language_asked else set()),
            person=the_person,
            person_sessions=(
                tuple(summary(i) for i in selection.sessions)
                if the_person is not None and not understood.day and not understood.at
                else ()
            ),
            choices=(
                tuple(person(p) for p in understood.people if p in programme.speakers_by_id)
                if understood.people_ambiguous
                else ()
            ),
            choose_day=days if selection.choose_day else (),
            nearest=tuple(summary(i) for i in selection.nearest),
            other_days=tuple((days.index(d), d, n) for d, n in selection.other_days if d in days),
            day_outside=selection.day_outside,
            event_days=days,
            unknown_room=understood.unknown_room,
            unknown=understood.unknown,
            understood_nothing=selection.understood_nothing,
            seats=seats,
            speakers_of=speakers_of,
            language_of=programme.sessions_by_id[one].language if one is not None else None,
            widen=_widen(understood),
        )


def _widen(understood: Understood) -> tuple[str, ...]:
    """Constraints worth a "widen" button: the time, the room, the day (in that order)."""
    found = []
    if understood.at or understood.period or understood.relative:
        found.append("time")
    if understood.rooms:
        found.append("room")
    if understood.day and (understood.kind or understood.topic or understood.rooms):
        found.append("day")
    if understood.kind and (understood.day or understood.at or understood.rooms):
        found.append("kind")
    return tuple(found)


def _echo(
    programme: ProgrammeSnapshot, index: ProgrammeIndex, selection: Selection, locale: str
) -> Echo:
    understood = selection.understood
    day = selection.day
    days = index.event_days
    rooms = tuple(
        r.names.get(locale, r.name)
        for i in understood.rooms
        if (r := programme.rooms_by_id.get(i)) is not None
    )
    people = tuple(
        entry_speaker(s, locale).name
        for i in understood.people
        if (s := programme.speakers_by_id.get(i)) is not None
    )
    tracks = tuple(
        t.names.get(locale, t.name)
        for i in understood.tracks
        if (t := programme.tracks_by_id.get(i)) is not None
    )
    return Echo(
        day=day,
        day_index=days.index(day) if day in days else None,
        moment=selection.moment,
        period=understood.period.name if understood.period else None,
        relative=understood.relative,
        rooms=rooms,
        people=people if len(people) == 1 else (),
        kind=understood.kind,
        tracks=tracks,
        language=None if selection.language_asked else understood.language,
        topic=understood.topic,
    )


def _alternatives(*names: str) -> tuple[str, ...]:
    """Every name, and both halves of "K.1.105 (La Fontaine)": people use either."""
    found: list[str] = []
    for name in names:
        found.append(name)
        head, bracket, tail = name.partition("(")
        if bracket and tail.rstrip().endswith(")") and head.strip():
            found += [head.strip(), tail.rstrip()[:-1].strip()]
    return tuple(dict.fromkeys(n for n in found if n))


def facts_of(programme: ProgrammeSnapshot) -> ProgrammeFacts:
    """The snapshot as the engine's plain records."""
    event = programme.event
    return ProgrammeFacts(
        timezone=event.timezone,
        start_date=event.start_date,
        days=event.days,
        sessions=tuple(
            SessionFacts(
                id=s.id,
                kind=s.kind,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                room_id=s.room_id,
                track_id=s.track_id,
                language=s.language,
                cancelled=s.cancelled,
                people=tuple(p for p, _ in s.people),
                titles=(s.title, *s.titles.values()),
                abstracts=(s.abstract, *s.abstracts.values()),
            )
            for s in programme.sessions
        ),
        rooms=tuple(
            Named(r.id, _alternatives(r.name, r.key, *r.names.values())) for r in programme.rooms
        ),
        people=tuple(Named(s.id, (s.name, *s.names.values())) for s in programme.speakers),
        tracks=tuple(
            Named(t.id, (t.name, *t.names.values())) for t in programme.tracks_by_id.values()
        ),
    )

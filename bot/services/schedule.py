"""Answers about the programme, already translated into the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.programme import SessionKind
from bot.domain.text import search_words, sort_key
from bot.domain.views import (
    EventView,
    NowAndNext,
    PersonRef,
    RoomDay,
    RoomNowNext,
    RoomSummary,
    SearchResults,
    SessionDetail,
    SessionSummary,
    SpeakerDetail,
    SpeakerSummary,
)
from bot.services.programme_cache import (
    EventEntry,
    NoEventError,
    ProgrammeCache,
    ProgrammeSnapshot,
    RoomEntry,
    SessionEntry,
    SpeakerEntry,
)
from bot.services.translations import pick

SEARCH_LIMIT = 20


NEXT_WINDOW = timedelta(minutes=30)  # "next" is the next slot, not the afternoon


class ScheduleService:
    """Reads the programme from the per-process snapshot (`programme_cache`): one cheap
    version check per call instead of a dozen ORM queries."""

    def __init__(
        self, sessions: SessionFactory, clock: Clock, cache: ProgrammeCache | None = None
    ) -> None:
        self._clock = clock
        self.cache = cache or ProgrammeCache(sessions)

    async def event(self, locale: str) -> EventView:
        return _event_view((await self.cache.current()).event, locale)

    async def day_sessions(self, day_index: int, locale: str) -> tuple[date, list[SessionSummary]]:
        programme = await self.cache.current()
        event = programme.event
        day = event.start_date + timedelta(days=_clamp_day(event, day_index))
        start, end = _day_bounds(event, day)
        return day, [
            entry_summary(programme, s, locale)
            for s in programme.sessions
            if start <= s.starts_at < end
        ]

    async def session(self, session_id: int, locale: str) -> SessionDetail | None:
        programme = await self.cache.current()
        found = programme.sessions_by_id.get(session_id)
        return None if found is None else _entry_detail(programme, found, locale)

    async def now_and_next(self, locale: str) -> NowAndNext:
        now = self._clock.now()
        programme = await self.cache.current()
        live = [s for s in programme.sessions if not s.cancelled]
        running = [s for s in live if s.starts_at <= now < s.ends_at]
        first_next = min((s.starts_at for s in live if s.starts_at > now), default=None)
        upcoming = []
        if first_next is not None:
            upcoming = [s for s in live if first_next <= s.starts_at <= first_next + NEXT_WINDOW]
        first_start, last_end = programme.first_start, programme.last_end
        return NowAndNext(
            now=tuple(entry_summary(programme, s, locale) for s in running),
            next=tuple(entry_summary(programme, s, locale) for s in upcoming),
            before_event=first_start is not None and now < first_start,
            after_event=last_end is None or now >= last_end,
        )

    async def speakers(self, locale: str) -> list[SpeakerSummary]:
        programme = await self.cache.current()
        found = [entry_speaker(s, locale) for s in programme.speakers]
        return sorted(found, key=lambda s: sort_key(s.name, locale))

    async def speaker(self, speaker_id: int, locale: str) -> SpeakerDetail | None:
        programme = await self.cache.current()
        speaker = programme.speakers_by_id.get(speaker_id)
        if speaker is None:
            return None
        return SpeakerDetail(
            id=speaker.id,
            name=speaker.names.get(locale, speaker.name),
            organization=speaker.organization,
            bio=speaker.bios.get(locale) or speaker.bio,
            sessions=tuple(
                entry_summary(programme, s, locale)
                for s in programme.sessions
                if any(person == speaker_id for person, _ in s.people)
            ),
        )

    async def rooms(self, locale: str) -> list[RoomSummary]:
        return [_entry_room(r, locale) for r in (await self.cache.current()).rooms]

    async def room_day(self, room_id: int, day_index: int | None, locale: str) -> RoomDay | None:
        """A room's sessions on one day; without a day, today's (or the first day's)."""
        programme = await self.cache.current()
        room = programme.rooms_by_id.get(room_id)
        if room is None:
            return None
        event = programme.event
        if day_index is None:
            day_index = self._today_index(event)
        index = _clamp_day(event, day_index)
        day = event.start_date + timedelta(days=index)
        start, end = _day_bounds(event, day)
        sessions = tuple(
            entry_summary(programme, s, locale)
            for s in programme.sessions
            if s.room_id == room_id and start <= s.starts_at < end
        )
        return RoomDay(_entry_room(room, locale), index, day, sessions)

    async def session_details(self, session_ids: Sequence[int], locale: str) -> list[SessionDetail]:
        """Several session cards at once (one version check), in the order asked; unknown
        ids are left out."""
        programme = await self.cache.current()
        return [
            _entry_detail(programme, found, locale)
            for session_id in session_ids
            if (found := programme.sessions_by_id.get(session_id)) is not None
        ]

    async def room_now_next(self, room_id: int, locale: str) -> RoomNowNext | None:
        """A room's current session(s) and its next one, for a link or QR code on its door;
        None for a room that does not exist."""
        now = self._clock.now()
        programme = await self.cache.current()
        room = programme.rooms_by_id.get(room_id)
        if room is None:
            return None
        here = [s for s in programme.sessions if s.room_id == room_id and not s.cancelled]
        running = [s for s in here if s.starts_at <= now < s.ends_at]
        upcoming = min(
            (s for s in here if s.starts_at > now), key=lambda s: s.starts_at, default=None
        )
        last_end = programme.last_end
        return RoomNowNext(
            room=_entry_room(room, locale),
            now=tuple(entry_summary(programme, s, locale) for s in running),
            next=None if upcoming is None else entry_summary(programme, upcoming, locale),
            day_index=self._today_index(programme.event),
            after_event=last_end is None or now >= last_end,
        )

    async def today_index(self) -> int:
        return self._today_index((await self.cache.current()).event)

    async def search(self, query: str, locale: str) -> SearchResults:
        """Every word must appear in a session's or speaker's text, in any of our languages."""
        words = search_words(query)
        if not words:
            return SearchResults((), ())
        programme = await self.cache.current()
        sessions = [s for s in programme.sessions if all(w in s.search_text for w in words)]
        speakers = [s for s in programme.speakers if all(w in s.search_text for w in words)]
        return SearchResults(
            sessions=tuple(entry_summary(programme, s, locale) for s in sessions[:SEARCH_LIMIT]),
            speakers=tuple(entry_speaker(s, locale) for s in speakers[:SEARCH_LIMIT]),
        )

    def _today_index(self, event: EventEntry) -> int:
        today = self._clock.now().astimezone(ZoneInfo(event.timezone)).date()
        return _clamp_day(event, (today - event.start_date).days)


def _clamp_day(event: EventEntry, index: int) -> int:
    return min(max(index, 0), max(event.days, 1) - 1)


def _day_bounds(event: EventEntry, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(event.timezone)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start, end


def _event_view(event: EventEntry, locale: str) -> EventView:
    return EventView(
        name=event.names.get(locale, event.name),
        venue=event.venues.get(locale) or event.venue,
        timezone=event.timezone,
        days=tuple(event.start_date + timedelta(days=i) for i in range(event.days)),
    )


def _title(session: m.Session, locale: str) -> str:
    translated = pick(session.translations, locale)
    return translated.title if translated else session.title


def _room_name(room: m.Room | None, locale: str) -> str | None:
    if room is None:
        return None
    translated = pick(room.translations, locale)
    return translated.name if translated else room.name


def summary_of(session: m.Session, locale: str) -> SessionSummary:
    """A session row as a list entry in `locale` (shared with the agenda)."""
    return _summary(session, locale)


def _summary(session: m.Session, locale: str) -> SessionSummary:
    return SessionSummary(
        id=session.id,
        title=_title(session, locale),
        kind=SessionKind(session.kind),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=_room_name(session.room, locale),
        cancelled=session.cancelled,
    )


def entry_summary(
    programme: ProgrammeSnapshot, session: SessionEntry, locale: str
) -> SessionSummary:
    return SessionSummary(
        id=session.id,
        title=session.titles.get(locale, session.title),
        kind=SessionKind(session.kind),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=_entry_room_name(programme, session.room_id, locale),
        cancelled=session.cancelled,
    )


def _entry_room_name(programme: ProgrammeSnapshot, room_id: int | None, locale: str) -> str | None:
    room = programme.rooms_by_id.get(room_id) if room_id is not None else None
    return None if room is None else room.names.get(locale, room.name)


def _entry_detail(
    programme: ProgrammeSnapshot, session: SessionEntry, locale: str
) -> SessionDetail:
    event = programme.event
    local_day = session.starts_at.astimezone(ZoneInfo(event.timezone)).date()
    track = programme.tracks_by_id.get(session.track_id) if session.track_id else None
    people = tuple(
        PersonRef(speaker.id, speaker.names.get(locale, speaker.name), role)
        for speaker_id, role in session.people
        if (speaker := programme.speakers_by_id.get(speaker_id)) is not None
    )
    return SessionDetail(
        id=session.id,
        title=session.titles.get(locale, session.title),
        abstract=session.abstracts.get(locale) or session.abstract,
        kind=SessionKind(session.kind),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room_id=session.room_id,
        room=_entry_room_name(programme, session.room_id, locale),
        track=None if track is None else track.names.get(locale, track.name),
        language=session.language,
        capacity=session.capacity,
        cancelled=session.cancelled,
        people=people,
        day_index=_clamp_day(event, (local_day - event.start_date).days),
    )


def entry_speaker(speaker: SpeakerEntry, locale: str) -> SpeakerSummary:
    return SpeakerSummary(
        id=speaker.id,
        name=speaker.names.get(locale, speaker.name),
        organization=speaker.organization,
    )


def _entry_room(room: RoomEntry, locale: str) -> RoomSummary:
    return RoomSummary(id=room.id, name=room.names.get(locale) or room.name, capacity=room.capacity)


__all__ = ["NoEventError", "ScheduleService", "entry_speaker", "entry_summary"]

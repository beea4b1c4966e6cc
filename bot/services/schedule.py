"""Answers about the programme, already translated into the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

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
    RoomSummary,
    SearchResults,
    SessionDetail,
    SessionSummary,
    SpeakerDetail,
    SpeakerSummary,
)
from bot.services.translations import pick

SEARCH_LIMIT = 20
NEXT_WINDOW = timedelta(minutes=30)  # "next" is the next slot, not the afternoon


class NoEventError(LookupError):
    """No programme has been loaded yet."""


class ScheduleService:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def event(self, locale: str) -> EventView:
        async with self._sessions() as db:
            event = await _current_event(db)
            return _event_view(event, locale)

    async def day_sessions(self, day_index: int, locale: str) -> tuple[date, list[SessionSummary]]:
        async with self._sessions() as db:
            event = await _current_event(db)
            day = event.start_date + timedelta(days=_clamp_day(event, day_index))
            start, end = _day_bounds(event, day)
            rows = await db.scalars(
                _sessions_query(event).where(
                    m.Session.starts_at >= start, m.Session.starts_at < end
                )
            )
            return day, [_summary(s, locale) for s in rows]

    async def session(self, session_id: int, locale: str) -> SessionDetail | None:
        async with self._sessions() as db:
            event = await _current_event(db)
            found = await db.get(m.Session, session_id)
            if found is None or found.event_id != event.id:
                return None
            return _detail(found, event, locale)

    async def now_and_next(self, locale: str) -> NowAndNext:
        now = self._clock.now()
        async with self._sessions() as db:
            event = await _current_event(db)
            running = await db.scalars(
                _sessions_query(event).where(
                    m.Session.starts_at <= now, m.Session.ends_at > now, ~m.Session.cancelled
                )
            )
            first_next = await db.scalar(
                select(m.Session.starts_at)
                .where(
                    m.Session.event_id == event.id, m.Session.starts_at > now, ~m.Session.cancelled
                )
                .order_by(m.Session.starts_at)
                .limit(1)
            )
            upcoming: Sequence[m.Session] = []
            if first_next is not None:
                upcoming = (
                    await db.scalars(
                        _sessions_query(event).where(
                            m.Session.starts_at >= first_next,
                            m.Session.starts_at <= first_next + NEXT_WINDOW,
                            ~m.Session.cancelled,
                        )
                    )
                ).all()
            bounds = await db.execute(
                select(m.Session.starts_at, m.Session.ends_at)
                .where(m.Session.event_id == event.id)
                .order_by(m.Session.starts_at)
            )
            spans = bounds.all()
        return NowAndNext(
            now=tuple(_summary(s, locale) for s in running),
            next=tuple(_summary(s, locale) for s in upcoming),
            before_event=bool(spans) and now < spans[0][0],
            after_event=not spans or now >= max(end for _, end in spans),
        )

    async def speakers(self, locale: str) -> list[SpeakerSummary]:
        async with self._sessions() as db:
            event = await _current_event(db)
            rows = await db.scalars(select(m.Speaker).where(m.Speaker.event_id == event.id))
            found = [_speaker_summary(s, locale) for s in rows]
        return sorted(found, key=lambda s: sort_key(s.name, locale))

    async def speaker(self, speaker_id: int, locale: str) -> SpeakerDetail | None:
        async with self._sessions() as db:
            event = await _current_event(db)
            speaker = await db.get(m.Speaker, speaker_id)
            if speaker is None or speaker.event_id != event.id:
                return None
            rows = await db.scalars(
                _sessions_query(event).where(
                    m.Session.people.any(m.SessionSpeaker.speaker_id == speaker_id)
                )
            )
            translated = pick(speaker.translations, locale)
            return SpeakerDetail(
                id=speaker.id,
                name=translated.name if translated else speaker.name,
                organization=speaker.organization,
                bio=(translated.bio if translated and translated.bio else speaker.bio),
                sessions=tuple(_summary(s, locale) for s in rows),
            )

    async def rooms(self, locale: str) -> list[RoomSummary]:
        async with self._sessions() as db:
            event = await _current_event(db)
            rows = await db.scalars(
                select(m.Room)
                .where(m.Room.event_id == event.id)
                .order_by(m.Room.position, m.Room.id)
            )
            return [_room_summary(r, locale) for r in rows]

    async def room_day(self, room_id: int, day_index: int | None, locale: str) -> RoomDay | None:
        """A room's sessions on one day; without a day, today's (or the first day's)."""
        async with self._sessions() as db:
            event = await _current_event(db)
            room = await db.get(m.Room, room_id)
            if room is None or room.event_id != event.id:
                return None
            if day_index is None:
                day_index = self._today_index(event)
            index = _clamp_day(event, day_index)
            day = event.start_date + timedelta(days=index)
            start, end = _day_bounds(event, day)
            rows = await db.scalars(
                _sessions_query(event).where(
                    m.Session.room_id == room_id,
                    m.Session.starts_at >= start,
                    m.Session.starts_at < end,
                )
            )
            return RoomDay(
                _room_summary(room, locale), index, day, tuple(_summary(s, locale) for s in rows)
            )

    async def today_index(self) -> int:
        async with self._sessions() as db:
            return self._today_index(await _current_event(db))

    async def search(self, query: str, locale: str) -> SearchResults:
        """Every word must appear in a session's or speaker's text, in any of our languages."""
        words = search_words(query)
        if not words:
            return SearchResults((), ())
        async with self._sessions() as db:
            event = await _current_event(db)
            session_rows = await db.scalars(
                _sessions_query(event)
                .where(and_(*(m.Session.search_text.contains(w, autoescape=True) for w in words)))
                .limit(SEARCH_LIMIT)
            )
            speaker_rows = await db.scalars(
                select(m.Speaker)
                .where(
                    m.Speaker.event_id == event.id,
                    and_(*(m.Speaker.search_text.contains(w, autoescape=True) for w in words)),
                )
                .limit(SEARCH_LIMIT)
            )
            return SearchResults(
                sessions=tuple(_summary(s, locale) for s in session_rows),
                speakers=tuple(_speaker_summary(s, locale) for s in speaker_rows),
            )

    def _today_index(self, event: m.Event) -> int:
        today = self._clock.now().astimezone(ZoneInfo(event.timezone)).date()
        return _clamp_day(event, (today - event.start_date).days)


async def _current_event(db: AsyncSession) -> m.Event:
    event = await db.scalar(select(m.Event).order_by(m.Event.id.desc()).limit(1))
    if event is None:
        raise NoEventError("no programme loaded; run `symposium-bot import --sample`")
    return event


def _sessions_query(event: m.Event) -> Select[tuple[m.Session]]:
    return (
        select(m.Session)
        .where(m.Session.event_id == event.id)
        .order_by(m.Session.starts_at, m.Session.room_id, m.Session.id)
    )


def _clamp_day(event: m.Event, index: int) -> int:
    return min(max(index, 0), max(event.days, 1) - 1)


def _day_bounds(event: m.Event, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(event.timezone)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start, end


def _event_view(event: m.Event, locale: str) -> EventView:
    translated = pick(event.translations, locale)
    return EventView(
        name=translated.name if translated else event.name,
        venue=translated.venue if translated and translated.venue else event.venue,
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


def _track_name(track: m.Track | None, locale: str) -> str | None:
    if track is None:
        return None
    translated = pick(track.translations, locale)
    return translated.name if translated else track.name


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


def _detail(session: m.Session, event: m.Event, locale: str) -> SessionDetail:
    translated = pick(session.translations, locale)
    local_day = session.starts_at.astimezone(ZoneInfo(event.timezone)).date()
    people = tuple(
        PersonRef(p.speaker.id, _speaker_summary(p.speaker, locale).name, p.role)
        for p in session.people
    )
    return SessionDetail(
        id=session.id,
        title=translated.title if translated else session.title,
        abstract=translated.abstract if translated and translated.abstract else session.abstract,
        kind=SessionKind(session.kind),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room_id=session.room_id,
        room=_room_name(session.room, locale),
        track=_track_name(session.track, locale),
        language=session.language,
        capacity=session.capacity,
        cancelled=session.cancelled,
        people=people,
        day_index=_clamp_day(event, (local_day - event.start_date).days),
    )


def _speaker_summary(speaker: m.Speaker, locale: str) -> SpeakerSummary:
    translated = pick(speaker.translations, locale)
    return SpeakerSummary(
        id=speaker.id,
        name=translated.name if translated else speaker.name,
        organization=speaker.organization,
    )


def _room_summary(room: m.Room, locale: str) -> RoomSummary:
    return RoomSummary(
        id=room.id, name=_room_name(room, locale) or room.name, capacity=room.capacity
    )


__all__ = ["NoEventError", "ScheduleService"]

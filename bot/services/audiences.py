"""Who a broadcast reaches: each audience as one SQL query over users, blocked users left out.

The same query counts the preview's figures and, at Confirm, lists the recipients inside the
transaction that writes their outbox rows, so what is counted is what is sent.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.domain.broadcast_views import Choice, Reach
from bot.domain.broadcasts import Audience, AudienceKind
from bot.domain.locales import is_supported
from bot.domain.roles import ORGANIZER_ROLES
from bot.services.translations import pick

SPEAKER_ROLE = "speaker"


def recipients(audience: Audience) -> Select[tuple[int, str]]:
    """(user id, locale) of every reachable member of the audience, each once."""
    query = select(m.User.id, m.User.locale).where(m.User.blocked.is_(False))
    kind, value = audience.kind, audience.value
    if kind is AudienceKind.REGISTERED:
        registered = select(m.Registration.user_id).where(m.Registration.status == "confirmed")
        return query.where(m.User.id.in_(registered))
    if kind is AudienceKind.SESSION:
        return query.where(m.User.id.in_(_bookmarked(m.Bookmark.session_id == _id(value))))
    if kind is AudienceKind.TRACK:
        in_track = select(m.Session.id).where(m.Session.track_id == _id(value))
        return query.where(m.User.id.in_(_bookmarked(m.Bookmark.session_id.in_(in_track))))
    if kind is AudienceKind.SPEAKERS:
        return query.where(m.User.role == SPEAKER_ROLE)
    if kind is AudienceKind.ORGANIZERS:
        return query.where(m.User.role.in_(ORGANIZER_ROLES))
    if kind is AudienceKind.LANGUAGE:
        return query.where(m.User.locale == value)
    return query


async def reach(db: AsyncSession, audience: Audience) -> Reach:
    people = recipients(audience).subquery()
    rows = await db.execute(select(people.c.locale, func.count()).group_by(people.c.locale))
    return Reach.of({locale: int(n) for locale, n in rows.all()})


async def tracks(db: AsyncSession, locale: str) -> list[Choice]:
    """The current event's tracks, named in `locale`, in name order."""
    event_id = select(m.Event.id).order_by(m.Event.id.desc()).limit(1).scalar_subquery()
    rows = await db.scalars(select(m.Track).where(m.Track.event_id == event_id))
    choices = [Choice(t.id, _track_name(t, locale)) for t in rows]
    return sorted(choices, key=lambda c: c.label.casefold())


async def valid(db: AsyncSession, audience: Audience) -> bool:
    """The session, track or language picked (from a button) exists."""
    if audience.kind is AudienceKind.SESSION:
        return await db.get(m.Session, _id(audience.value)) is not None
    if audience.kind is AudienceKind.TRACK:
        return await db.get(m.Track, _id(audience.value)) is not None
    if audience.kind is AudienceKind.LANGUAGE:
        return is_supported(audience.value)
    return audience.value == ""


async def label(db: AsyncSession, audience: Audience, locale: str) -> str:
    """The session title or track name in `locale` ('' for the other audiences)."""
    if audience.kind is AudienceKind.SESSION:
        session = await db.get(m.Session, _id(audience.value))
        if session is None:
            return ""
        translated = pick(session.translations, locale)
        return translated.title if translated else session.title
    if audience.kind is AudienceKind.TRACK:
        track = await db.get(m.Track, _id(audience.value))
        return _track_name(track, locale) if track else ""
    return ""


def _bookmarked(condition: ColumnElement[bool]) -> Select[tuple[int]]:
    return select(m.Bookmark.user_id).where(condition)


def _id(value: str) -> int:
    """A record id from callback data; anything else matches nothing."""
    return int(value) if value.isdigit() and len(value) <= 9 else -1


def _track_name(track: m.Track, locale: str) -> str:
    translated = pick(track.translations, locale)
    return translated.name if translated else track.name

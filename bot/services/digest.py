"""The daily digest: each morning, the day's sessions of everyone's agenda.

Planning is idempotent: one outbox row per user and day (`digest:day:<date>:<user>`), so the
periodic planner can run every minute, on every instance, and never plans a digest twice.
What it lists is decided when it is sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.outbox_kinds import DIGEST
from bot.domain.reminder_views import DayDigest, Dropped
from bot.domain.reminders import digest_days, digest_moment, digest_too_late, parse_clock_time
from bot.services.outbox import Envelope, enqueue
from bot.services.schedule import summary_of


def day_subject(day: date) -> str:
    return f"day:{day.isoformat()}"


async def plan_digests(
    db: AsyncSession,
    now: datetime,
    at: time,
    *,
    user_id: int | None = None,
    reschedule: bool = False,
) -> int:
    """Plan today's (until it is too late) and tomorrow's digests, for everyone who wants one
    and has a session that day, or only for `user_id`. Returns the rows added or revived."""
    event = await db.scalar(select(m.Event).order_by(m.Event.id.desc()).limit(1))
    if event is None:
        return 0
    total = 0
    for day in digest_days(now, event.timezone, event.start_date, event.days):
        due = digest_moment(day, at, event.timezone)
        if digest_too_late(due, now):
            continue
        start, end = _day_bounds(day, event.timezone)
        query = (
            select(m.User.id, m.User.locale)
            .join(m.Bookmark, m.Bookmark.user_id == m.User.id)
            .join(m.Session, m.Session.id == m.Bookmark.session_id)
            .where(
                m.User.digest.is_(True),
                m.User.blocked.is_(False),
                m.Session.event_id == event.id,
                m.Session.cancelled.is_(False),
                m.Session.starts_at >= start,
                m.Session.starts_at < end,
            )
            .distinct()
        )
        if user_id is not None:
            query = query.where(m.User.id == user_id)
        envelopes = [
            Envelope(
                kind=DIGEST,
                subject=day_subject(day),
                recipient_id=recipient,
                due_at=due,
                locale=locale,
                payload={"day": day.isoformat()},
            )
            for recipient, locale in (await db.execute(query)).all()
        ]
        if envelopes:
            total += await enqueue(db, envelopes, now, reschedule=reschedule)
    return total


class DigestService:
    def __init__(self, sessions: SessionFactory, clock: Clock, digest_time: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._at = parse_clock_time(digest_time)

    async def plan(self, now: datetime | None = None) -> int:
        """Called every minute by the planner; repeating it changes nothing."""
        async with self._sessions.begin() as db:
            return await plan_digests(db, now or self._clock.now(), self._at)

    async def day(self, user_id: int, day: date, locale: str) -> DayDigest | Dropped:
        """The digest as it can be sent now: the day's sessions that are not over yet."""
        now = self._clock.now()
        async with self._sessions() as db:
            event = await db.scalar(select(m.Event).order_by(m.Event.id.desc()).limit(1))
            user = await db.get(m.User, user_id)
            if event is None or user is None:
                return Dropped("no programme or no such user")
            if not user.digest:
                return Dropped("the user switched the digest off")
            if digest_too_late(digest_moment(day, self._at, event.timezone), now):
                return Dropped("too late for this day's digest")
            start, end = _day_bounds(day, event.timezone)
            rows = list(
                await db.scalars(
                    select(m.Session)
                    .join(m.Bookmark, m.Bookmark.session_id == m.Session.id)
                    .where(
                        m.Bookmark.user_id == user_id,
                        m.Session.event_id == event.id,
                        m.Session.cancelled.is_(False),
                        m.Session.starts_at >= start,
                        m.Session.starts_at < end,
                        m.Session.ends_at > now,
                    )
                    .order_by(m.Session.starts_at, m.Session.id)
                )
            )
        if not rows:
            return Dropped("no sessions of the user's agenda left that day")
        return DayDigest(day, tuple(summary_of(row, locale) for row in rows))


def _day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)

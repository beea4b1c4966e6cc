"""Reminders before bookmarked sessions, and the settings that shape them.

Scheduling runs inside the caller's transaction (bookmarking, a schedule change), like
`outbox.enqueue`, so a bookmark and its reminder are committed together or not at all.
There is one outbox row per user, session and start time: changing the lead time moves the
pending row, and a session that moves gets a new reminder, even if the old one was sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.outbox_kinds import DIGEST, REMINDER
from bot.domain.reminder_views import Dropped, ReminderCard, ReminderSettings
from bot.domain.reminders import LEAD_CHOICES, TooLate, parse_clock_time, reminder_due, timing
from bot.services.digest import plan_digests
from bot.services.outbox import PENDING, Envelope, cancel, enqueue
from bot.services.schedule import ScheduleService

CHUNK = 500  # rows per INSERT: far below SQLite's limit on bound parameters


def session_subject(session_id: int) -> str:
    return f"session:{session_id}"


def reminder_envelope(user: m.User, session: m.Session, due: datetime) -> Envelope:
    start = session.starts_at.astimezone(UTC)
    return Envelope(
        kind=REMINDER,
        subject=session_subject(session.id),
        recipient_id=user.id,
        due_at=due,
        locale=user.locale,
        payload={"session_id": session.id, "starts_at": start.isoformat()},
        variant=start.strftime("%Y%m%dT%H%M"),
    )


async def schedule_reminders(
    db: AsyncSession, users: Iterable[m.User], session: m.Session, now: datetime
) -> int:
    """Schedule (or bring back) each user's reminder for `session`, at their lead time."""
    if session.cancelled:
        return 0
    envelopes = []
    for user in users:
        due = reminder_due(session.starts_at, user.reminder_lead, now)
        if due is not None:
            envelopes.append(reminder_envelope(user, session, due))
    return await enqueue_all(db, envelopes, now)


async def on_bookmark(db: AsyncSession, user_id: int, session: m.Session, now: datetime) -> None:
    user = await db.get(m.User, user_id)
    if user is not None:
        await schedule_reminders(db, [user], session, now)


async def on_unbookmark(db: AsyncSession, user_id: int, session_id: int) -> None:
    await cancel(db, kind=REMINDER, subject=session_subject(session_id), recipient_id=user_id)


async def bookmarkers(db: AsyncSession, session_id: int) -> list[m.User]:
    return list(
        await db.scalars(
            select(m.User)
            .join(m.Bookmark, m.Bookmark.user_id == m.User.id)
            .where(m.Bookmark.session_id == session_id)
            .order_by(m.User.id)
        )
    )


async def follow_session(
    db: AsyncSession, session: m.Session, users: Sequence[m.User], now: datetime
) -> None:
    """The session moved, was cancelled or came back: its reminders follow it."""
    await cancel(db, kind=REMINDER, subject=session_subject(session.id))
    await schedule_reminders(db, users, session, now)


async def cancel_for_user(db: AsyncSession, user_id: int, kinds: Sequence[str]) -> None:
    """Cancel everything of these kinds still pending for one user (e.g. on erasure)."""
    rows = await db.execute(
        select(m.OutboxMessage.kind, m.OutboxMessage.subject)
        .where(
            m.OutboxMessage.recipient_id == user_id,
            m.OutboxMessage.state == PENDING,
            m.OutboxMessage.kind.in_(kinds),
        )
        .distinct()
    )
    for kind, subject in rows.all():
        await cancel(db, kind=kind, subject=subject, recipient_id=user_id)


async def enqueue_all(
    db: AsyncSession, envelopes: Sequence[Envelope], now: datetime, *, reschedule: bool = True
) -> int:
    total = 0
    for start in range(0, len(envelopes), CHUNK):
        total += await enqueue(db, envelopes[start : start + CHUNK], now, reschedule=reschedule)
    return total


class ReminderService:
    """A user's reminder settings, and whether a due reminder is still worth sending."""

    def __init__(
        self, sessions: SessionFactory, clock: Clock, schedule: ScheduleService, digest_time: str
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule
        self._digest_time = parse_clock_time(digest_time)

    async def settings(self, user_id: int) -> ReminderSettings:
        async with self._sessions() as db:
            return self._settings(await _user(db, user_id))

    async def set_lead(self, user_id: int, minutes: int) -> ReminderSettings:
        """Change the lead time; pending reminders move with it (Off cancels them)."""
        if minutes not in LEAD_CHOICES:
            raise ValueError(f"not a lead time we offer: {minutes}")
        now = self._clock.now()
        async with self._sessions.begin() as db:
            user = await _user(db, user_id)
            user.reminder_lead = minutes
            upcoming = await db.scalars(
                select(m.Session)
                .join(m.Bookmark, m.Bookmark.session_id == m.Session.id)
                .where(m.Bookmark.user_id == user_id, m.Session.starts_at > now)
            )
            for session in upcoming:
                if minutes == 0:
                    await on_unbookmark(db, user_id, session.id)
                else:
                    # A moment already passed leaves the pending reminder where it was.
                    await schedule_reminders(db, [user], session, now)
            return self._settings(user)

    async def set_digest(self, user_id: int, on: bool) -> ReminderSettings:
        async with self._sessions.begin() as db:
            user = await _user(db, user_id)
            user.digest = on
            if on:
                await db.flush()
                await plan_digests(
                    db, self._clock.now(), self._digest_time, user_id=user_id, reschedule=True
                )
            else:
                await cancel_for_user(db, user_id, [DIGEST])
            return self._settings(user)

    async def card(
        self, session_id: int, user_id: int, locale: str, planned_start: datetime | None
    ) -> ReminderCard | Dropped:
        """The reminder as it can be sent now, or why it should not be."""
        found = await self._schedule.session(session_id, locale)
        if found is None:
            return Dropped("the session is no longer in the programme")
        if found.cancelled:
            return Dropped("the session was cancelled")
        async with self._sessions() as db:
            bookmarked = await db.scalar(
                select(m.Bookmark.id).where(
                    m.Bookmark.user_id == user_id, m.Bookmark.session_id == session_id
                )
            )
        if bookmarked is None:
            return Dropped("the session is no longer in the user's agenda")
        if planned_start is not None and found.starts_at != planned_start:
            return Dropped("the session moved; a reminder for its new time replaces this one")
        when = timing(found.starts_at, self._clock.now())
        if isinstance(when, TooLate):
            return Dropped(f"too late: the session started {when.minutes_ago} minutes ago")
        return ReminderCard(found, when)

    def _settings(self, user: m.User) -> ReminderSettings:
        return ReminderSettings(user.reminder_lead, user.digest, self._digest_time)


async def _user(db: AsyncSession, user_id: int) -> m.User:
    user = await db.get(m.User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    return user

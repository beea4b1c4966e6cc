"""A user's personal agenda: bookmarked sessions, in their language, with clashes marked.

A bookmark and its reminder are written in one transaction (`bot/services/reminders.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.agenda import Slot, clashes
from bot.domain.views import AgendaItem, SessionDetail
from bot.services import reminders
from bot.services.schedule import ScheduleService, summary_of


class AgendaService:
    def __init__(self, sessions: SessionFactory, clock: Clock, schedule: ScheduleService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule

    async def add(self, user_id: int, session_id: int) -> bool:
        """Bookmark a session and schedule its reminder; True if it was not bookmarked
        before. Safe to repeat."""
        async with self._sessions.begin() as db:
            return await bookmark(db, user_id, session_id, self._clock.now())

    async def remove(self, user_id: int, session_id: int) -> bool:
        async with self._sessions.begin() as db:
            result = await db.execute(
                delete(m.Bookmark).where(
                    m.Bookmark.user_id == user_id, m.Bookmark.session_id == session_id
                )
            )
            await reminders.on_unbookmark(db, user_id, session_id)
            return bool(getattr(result, "rowcount", 0))

    async def items(self, user_id: int, locale: str) -> list[AgendaItem]:
        """The agenda in time order, each session with the bookmarked sessions it overlaps."""
        async with self._sessions() as db:
            rows = list(
                await db.scalars(
                    select(m.Session)
                    .join(m.Bookmark, m.Bookmark.session_id == m.Session.id)
                    .where(m.Bookmark.user_id == user_id)
                    .order_by(m.Session.starts_at, m.Session.id)
                )
            )
        summaries = {row.id: summary_of(row, locale) for row in rows}
        overlaps = clashes([Slot(r.id, r.starts_at, r.ends_at) for r in rows if not r.cancelled])
        return [
            AgendaItem(summaries[r.id], tuple(summaries[other] for other in overlaps.get(r.id, [])))
            for r in rows
        ]

    async def details(self, user_id: int, locale: str) -> list[SessionDetail]:
        """Full cards of the agenda's sessions, for calendar export."""
        found = []
        for item in await self.items(user_id, locale):
            detail = await self._schedule.session(item.session.id, locale)
            if detail is not None:
                found.append(detail)
        return found


async def bookmark(db: AsyncSession, user_id: int, session_id: int, now: datetime) -> bool:
    """In the caller's transaction: bookmark the session and schedule its reminder (a seat
    reservation bookmarks too, in its own unit of work); True if it was not bookmarked."""
    session = await db.get(m.Session, session_id)
    if session is None:
        raise LookupError(f"no session {session_id}")
    insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
    result = await db.execute(
        insert(m.Bookmark)
        .values(user_id=user_id, session_id=session_id, created_at=now)
        .on_conflict_do_nothing()
    )
    await reminders.on_bookmark(db, user_id, session, now)
    return bool(getattr(result, "rowcount", 0))

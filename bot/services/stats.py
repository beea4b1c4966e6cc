"""Figures organizers watch during the event: registrations, activity, agendas, seats, delivery."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.organizer_views import Figures
from bot.domain.retention import ASKED_QUESTIONS as RETENTION
from bot.domain.views import UserProfile
from bot.services.asked import top_unanswered
from bot.services.audit import require_role
from bot.services.feedback import feedback_figures
from bot.services.schedule import summary_of

ACTIVE_WINDOW = timedelta(hours=24)
# Someone given a role before they ever wrote has a last_seen before their first_seen
# (roles.NEVER_SEEN): not a user of the bot, and never active, until they write.
WROTE = m.User.last_seen >= m.User.first_seen
TOP = 5


class StatsService:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def figures(self, actor: UserProfile | None, locale: str) -> Figures:
        """`actor` None is the command line, already trusted."""
        now = self._clock.now()
        await require_role(self._sessions, actor, "stats", at=now)
        async with self._sessions() as db:
            confirmed = m.Registration.status == "confirmed"

            async def grouped(column: object) -> tuple[tuple[str, int], ...]:
                rows = await db.execute(
                    select(column, func.count())  # type: ignore[call-overload]
                    .where(confirmed)
                    .group_by(column)
                    .order_by(func.count().desc(), column)
                )
                return tuple((str(k), int(n)) for k, n in rows.all())

            # Counted in a subquery: PostgreSQL refuses GROUP BY sessions.id next to the
            # room and track the Session model always loads joined.
            bookmarks = (
                select(m.Bookmark.session_id, func.count().label("n"))
                .group_by(m.Bookmark.session_id)
                .subquery()
            )
            top = await db.execute(
                select(m.Session, bookmarks.c.n)
                .join(bookmarks, bookmarks.c.session_id == m.Session.id)
                .where(m.Session.cancelled.is_(False))  # nobody can attend it any more
                .order_by(bookmarks.c.n.desc(), m.Session.starts_at)
                .limit(TOP)
            )
            taken = (
                select(func.count())
                .where(
                    m.Reservation.session_id == m.Session.id, m.Reservation.status == "confirmed"
                )
                .scalar_subquery()
            )
            seats = await db.execute(
                select(m.Session, taken)
                .where(m.Session.capacity.is_not(None))
                .order_by(m.Session.starts_at)
            )
            delivery = await db.execute(
                select(m.OutboxMessage.state, func.count()).group_by(m.OutboxMessage.state)
            )
            return Figures(
                registrations=int(await db.scalar(select(func.count()).where(confirmed)) or 0),
                by_role=await grouped(m.Registration.profession),
                by_country=(await grouped(m.Registration.country))[:10],
                by_language=await grouped(m.Registration.language),
                users=int(await db.scalar(select(func.count()).where(WROTE)) or 0),
                active_today=int(
                    await db.scalar(
                        select(func.count()).where(WROTE, m.User.last_seen >= now - ACTIVE_WINDOW)
                    )
                    or 0
                ),
                top_sessions=tuple((summary_of(s, locale).title, int(n)) for s, n in top.all()),
                seats=tuple(
                    (summary_of(s, locale).title, int(n), int(s.capacity or 0))
                    for s, n in seats.all()
                ),
                delivery=tuple((str(state), int(n)) for state, n in sorted(delivery.all())),
                feedback=await feedback_figures(db, locale),
                unanswered=tuple(await top_unanswered(db, since=now - RETENTION)),
                checked_in=int(
                    await db.scalar(
                        select(func.count()).where(
                            confirmed, m.Registration.checked_in_at.is_not(None)
                        )
                    )
                    or 0
                ),
            )

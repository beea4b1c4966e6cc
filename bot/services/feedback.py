"""Session feedback: the prompt after a session, ratings and comments, the speakers' summary
and the organizers' figures.

Both outbox kinds are planned by the periodic planner with idempotent keys (the session, the
recipient and the session's end), so planning may run anywhere, any number of times; a
session that moves gets new rows. Whether a row is still worth sending is decided when it is
sent: a prompt after the window closed, or for a session no longer in the agenda, is dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.feedback import (
    COMMENT_LIMIT,
    COMMENT_STEP,
    FLOW,
    RATINGS,
    EmptyComment,
    FeedbackCard,
    FeedbackFigures,
    FeedbackSummary,
    Refused,
    SessionRating,
    TooLong,
    clean_comment,
    closes_at,
    stamp,
    summarize,
    window_open,
)
from bot.domain.outbox_kinds import FEEDBACK_PROMPT, FEEDBACK_SUMMARY
from bot.domain.reminder_views import Dropped
from bot.domain.speakers import PLAN_HORIZON
from bot.services import conversations
from bot.services.outbox import Envelope, enqueue
from bot.services.schedule import ScheduleService, summary_of
from bot.services.speaker_alerts import linked_users

STATS_SESSIONS = 40  # at most this many sessions in /stats (the message is trimmed anyway)
EXPORT_COLUMNS = ("session_key", "session_title", "starts", "rating", "comment", "updated_at")


def holds(user_id: Any, session: Any) -> ColumnElement[bool]:
    """The user had the session in their agenda at its end: a bookmark or a confirmed seat
    taken before the end (`user_id` and `session` may be columns or values)."""
    return or_(
        exists().where(
            m.Bookmark.user_id == user_id,
            m.Bookmark.session_id == session.id,
            m.Bookmark.created_at <= session.ends_at,
        ),
        exists().where(
            m.Reservation.user_id == user_id,
            m.Reservation.session_id == session.id,
            m.Reservation.status == "confirmed",
            m.Reservation.created_at <= session.ends_at,
        ),
    )


def prompt_envelope(user: m.User, session: m.Session, due: datetime) -> Envelope:
    end = session.ends_at.astimezone(UTC)
    return Envelope(
        FEEDBACK_PROMPT,
        f"session:{session.id}",
        user.id,
        due,
        user.locale,
        {"session_id": session.id, "ends_at": end.isoformat()},
        stamp(end),
    )


def summary_envelope(user: m.User, session: m.Session, window: timedelta) -> Envelope:
    end = session.ends_at.astimezone(UTC)
    return Envelope(
        FEEDBACK_SUMMARY,
        f"session:{session.id}",
        user.id,
        closes_at(end, window),
        user.locale,
        {"session_id": session.id, "ends_at": end.isoformat()},
        stamp(end),
    )


async def plan_feedback(db: AsyncSession, now: datetime, window: timedelta) -> int:
    """Prompts (due at the end) for agenda holders and summaries (due at the close) for the
    linked speakers and moderators, for sessions ending within the horizon or whose window
    is still open. Sessions whose window has closed are left alone (after downtime too)."""
    sessions = list(
        await db.scalars(
            select(m.Session).where(
                m.Session.ends_at > now - window,
                m.Session.ends_at <= now + PLAN_HORIZON,
                ~m.Session.cancelled,
            )
        )
    )
    envelopes: list[Envelope] = []
    for session in sessions:
        holders = await db.scalars(
            select(m.User).where(~m.User.blocked, holds(m.User.id, session)).order_by(m.User.id)
        )
        envelopes += [prompt_envelope(u, session, session.ends_at) for u in holders]
        envelopes += [
            summary_envelope(u, session, window)
            for u in await linked_users(db, session.id)
            if not u.blocked
        ]
    return await enqueue(db, envelopes, now) if envelopes else 0


async def feedback_figures(db: AsyncSession, locale: str) -> FeedbackFigures:
    """For /stats: all ratings, and per session the count and average, best first."""
    total = int(await db.scalar(select(func.count()).select_from(m.Feedback)) or 0)
    # Aggregated in a subquery: the Session model loads its room and track joined, which
    # PostgreSQL would refuse next to GROUP BY sessions.id.
    per_session = (
        select(
            m.Feedback.session_id,
            func.count().label("n"),
            func.avg(m.Feedback.rating).label("average"),
        )
        .group_by(m.Feedback.session_id)
        .subquery()
    )
    rows = await db.execute(
        select(m.Session, per_session.c.n, per_session.c.average)
        .join(per_session, per_session.c.session_id == m.Session.id)
        .order_by(per_session.c.average.desc(), per_session.c.n.desc(), m.Session.starts_at)
        .limit(STATS_SESSIONS)
    )
    return FeedbackFigures(
        total,
        tuple(
            SessionRating(summary_of(s, locale).title, int(n), float(avg))
            for s, n, avg in rows.all()
        ),
    )


async def export_rows(db: AsyncSession) -> list[tuple[str, ...]]:
    """One row per answer, without who gave it: for `export feedback`."""
    zone = ZoneInfo(
        await db.scalar(select(m.Event.timezone).order_by(m.Event.id.desc()).limit(1)) or "UTC"
    )
    rows = await db.execute(
        select(m.Session, m.Feedback)
        .join(m.Feedback, m.Feedback.session_id == m.Session.id)
        .order_by(m.Session.starts_at, m.Session.key, m.Feedback.updated_at, m.Feedback.id)
    )
    return [
        (
            session.key,
            session.title,
            session.starts_at.astimezone(zone).isoformat(),
            str(answer.rating),
            answer.comment or "",
            answer.updated_at.astimezone(zone).isoformat(),
        )
        for session, answer in rows.all()
    ]


class FeedbackService:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        schedule: ScheduleService,
        window: timedelta,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule
        self.window = window

    async def plan(self, now: datetime | None = None) -> int:
        """The planner's round (idempotent)."""
        async with self._sessions.begin() as db:
            return await plan_feedback(db, now or self._clock.now(), self.window)

    # --- send time ---------------------------------------------------------------------------
    async def prompt(
        self, session_id: int, user_id: int, locale: str, planned_end: datetime
    ) -> FeedbackCard | Dropped:
        """The prompt as it can be sent now, or why not (late after downtime, moved...)."""
        found = await self._card(session_id, user_id, locale)
        if isinstance(found, Refused):
            reasons = {
                "gone": "the session is no longer in the programme or was cancelled",
                "not_yours": "the session is no longer in the user's agenda",
                "closed": "the feedback window has closed",
            }
            return Dropped(reasons[found.reason])
        if found.session.ends_at != planned_end:
            return Dropped("the session moved; a prompt for its new end replaces this one")
        return found

    async def summary(
        self, session_id: int, user_id: int, locale: str, planned_end: datetime
    ) -> FeedbackSummary | Dropped:
        """A speaker's summary: sent whenever it can be, as long as it is still their session."""
        session = await self._schedule.session(session_id, locale)
        if session is None or session.cancelled:
            return Dropped("the session is no longer in the programme or was cancelled")
        if session.ends_at != planned_end:
            return Dropped("the session moved; a summary for its new end replaces this one")
        async with self._sessions() as db:
            if all(u.id != user_id for u in await linked_users(db, session_id)):
                return Dropped("the user no longer speaks at or moderates the session")
            answers = (
                await db.execute(
                    select(m.Feedback.rating, m.Feedback.comment)
                    .where(m.Feedback.session_id == session_id)
                    .order_by(m.Feedback.updated_at, m.Feedback.id)
                )
            ).all()
        ratings = [int(r) for r, _ in answers]
        average, distribution = summarize(ratings)
        comments = tuple(c for _, c in answers if c)
        return FeedbackSummary(session, len(ratings), average, distribution, comments)

    # --- the attendee's answers --------------------------------------------------------------
    async def open(self, user_id: int, session_id: int, locale: str) -> FeedbackCard | Refused:
        return await self._card(session_id, user_id, locale)

    async def rate(
        self, user_id: int, session_id: int, rating: int, locale: str
    ) -> FeedbackCard | Refused:
        """Record or change the rating (one row per attendee and session)."""
        if rating not in RATINGS:
            return Refused("gone")
        now = self._clock.now()
        async with self._sessions.begin() as db:
            refused = await self._check(db, user_id, session_id)
            if refused is not None:
                return refused
            insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
            statement = insert(m.Feedback).values(
                session_id=session_id,
                user_id=user_id,
                rating=rating,
                created_at=now,
                updated_at=now,
            )
            await db.execute(
                statement.on_conflict_do_update(
                    index_elements=["session_id", "user_id"],
                    set_={"rating": rating, "updated_at": statement.excluded.updated_at},
                )
            )
        return await self._card(session_id, user_id, locale)

    async def begin_comment(
        self, user_id: int, session_id: int, locale: str
    ) -> FeedbackCard | Refused:
        """ "Add a comment": the next text the attendee types is the comment (after a rating)."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            refused = await self._check(db, user_id, session_id)
            if refused is not None:
                return refused
            if await self._answer(db, user_id, session_id) is None:
                return Refused("gone")  # a comment goes with a rating
            await conversations.save(
                db, user_id, FLOW, COMMENT_STEP, {"session_id": session_id}, now
            )
        return await self._card(session_id, user_id, locale)

    async def comment(
        self, user_id: int, text: str, locale: str
    ) -> FeedbackCard | Refused | TooLong | EmptyComment | None:
        """Typed text while a comment is awaited; None if none is (the text is something
        else). Too long or empty keeps the question open; a saved comment replaces the old."""
        now = self._clock.now()
        cleaned = clean_comment(text)
        async with self._sessions.begin() as db:
            saved = await conversations.load(db, user_id, FLOW, now)
            if saved is None:
                return None
            if not cleaned:
                return EmptyComment()
            if len(cleaned) > COMMENT_LIMIT:
                return TooLong(COMMENT_LIMIT, len(cleaned))
            session_id = int(saved.data.get("session_id", 0))
            await conversations.drop(db, user_id, FLOW)
            refused = await self._check(db, user_id, session_id)
            if refused is not None:
                return refused
            answer = await self._answer(db, user_id, session_id)
            if answer is None:
                return Refused("gone")
            answer.comment, answer.updated_at = cleaned, now
        return await self._card(session_id, user_id, locale)

    async def cancel_comment(self, user_id: int) -> bool:
        """/cancel: forget the comment being typed; False if none was."""
        async with self._sessions.begin() as db:
            return await conversations.drop(db, user_id, FLOW)

    # --- helpers -----------------------------------------------------------------------------
    async def _card(self, session_id: int, user_id: int, locale: str) -> FeedbackCard | Refused:
        async with self._sessions() as db:
            refused = await self._check(db, user_id, session_id)
            if refused is not None:
                return refused
            answer = await self._answer(db, user_id, session_id)
        session = await self._schedule.session(session_id, locale)
        if session is None:
            return Refused("gone")
        return FeedbackCard(
            session,
            answer.rating if answer else None,
            answer.comment if answer else None,
            closes_at(session.ends_at, self.window),
        )

    async def _check(self, db: AsyncSession, user_id: int, session_id: int) -> Refused | None:
        """None when the user may rate the session now."""
        session = await db.get(m.Session, session_id, options=[raiseload("*")])
        if session is None or session.cancelled:
            return Refused("gone")
        held = await db.scalar(select(holds(user_id, session)))
        if not held:
            return Refused("not_yours")
        if not window_open(session.ends_at, self._clock.now(), self.window):
            return Refused("closed")
        return None

    async def _answer(self, db: AsyncSession, user_id: int, session_id: int) -> m.Feedback | None:
        found: m.Feedback | None = await db.scalar(
            select(m.Feedback).where(
                m.Feedback.session_id == session_id, m.Feedback.user_id == user_id
            )
        )
        return found

"""Audience questions: asking (a durable dialogue, flow "question"), upvoting, hiding by
organizers, and the speakers' ranked list, on demand and through the outbox at the start.

A vote is one row keyed by (question, user): a second press or a redelivered update inserts
nothing. Hiding is an organizer action: checked with `require_role` and audited. Whether the
list at the start is worth sending is decided when it is sent, so questions asked up to the
last minute are in it, and a session nobody asked about sends nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.outbox_kinds import QUESTIONS_START
from bot.domain.questions import (
    FLOW,
    QUESTION_LIMIT,
    STEP_TEXT,
    Asked,
    AskOutcome,
    QuestionBoard,
    QuestionItem,
    Voted,
    VoteOutcome,
    asking_open,
    clean_question,
    ranked,
)
from bot.domain.reminder_views import Dropped
from bot.domain.roles import ORGANIZER_ROLES
from bot.domain.views import SessionDetail, SessionSummary, UserProfile
from bot.services import conversations
from bot.services.audit import record, require_role
from bot.services.outbox import Envelope, enqueue
from bot.services.schedule import ScheduleService
from bot.services.speaker_alerts import linked_within_horizon


class SpeakerRefusal(Enum):
    """Why /questions shows a speaker no list."""

    NOT_SPEAKER = "not_speaker"  # the account is linked to no speaker
    NO_SESSIONS = "no_sessions"  # nothing running or upcoming
    NOT_YOURS = "not_yours"  # a button for a session the speaker no longer takes part in


class QuestionService:
    def __init__(self, sessions: SessionFactory, clock: Clock, schedule: ScheduleService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule

    # --- attendees ------------------------------------------------------------------------
    async def board(
        self, viewer: UserProfile, session_id: int, locale: str
    ) -> QuestionBoard | None:
        """The session's visible questions, ranked, marked with the viewer's own and votes."""
        detail = await self._schedule.session(session_id, locale)
        if detail is None:
            return None
        async with self._sessions() as db:
            items = await _items(db, session_id, viewer.id)
        return QuestionBoard(
            _summary(detail),
            tuple(ranked(items)),
            asking_open(detail.ends_at, detail.cancelled, self._clock.now()),
            can_hide=viewer.role in ORGANIZER_ROLES,
        )

    async def begin(self, user_id: int, session_id: int, origin: str = "") -> bool | None:
        """ "Ask a question": wait for its text. False when asking is closed; None when the
        session is gone. Replaces any other dialogue (there is one at a time)."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            session = await db.get(m.Session, session_id)
            if session is None:
                return None
            if not asking_open(session.ends_at, session.cancelled, now):
                return False
            data = {"session_id": session_id, "origin": origin}
            await conversations.save(db, user_id, FLOW, STEP_TEXT, data, now)
            return True

    async def answer(self, viewer: UserProfile, text: str, locale: str) -> Asked | None:
        """Typed text for the dialogue; None when no question is awaited. A text over the
        limit is not stored and the dialogue keeps waiting, so the attendee can retry."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            saved = await conversations.load(db, viewer.id, FLOW, now)
            if saved is None:
                return None
            session = await db.get(m.Session, int(saved.data.get("session_id", 0)))
            if session is None or not asking_open(session.ends_at, session.cancelled, now):
                await conversations.drop(db, viewer.id, FLOW)
                return Asked(AskOutcome.CLOSED)
            cleaned = clean_question(text)
            if not cleaned:
                return Asked(AskOutcome.EMPTY)
            if len(cleaned) > QUESTION_LIMIT:
                return Asked(AskOutcome.TOO_LONG, length=len(cleaned))
            db.add(
                m.Question(session_id=session.id, author_id=viewer.id, text=cleaned, created_at=now)
            )
            await conversations.drop(db, viewer.id, FLOW)
            session_id = session.id
        origin = str(saved.data.get("origin", ""))
        return Asked(AskOutcome.ASKED, await self.board(viewer, session_id, locale), origin)

    async def cancel(self, user_id: int) -> bool:
        """/cancel or the prompt's Cancel: False when no question was awaited."""
        async with self._sessions.begin() as db:
            return await conversations.drop(db, user_id, FLOW)

    async def vote(self, viewer: UserProfile, question_id: int, locale: str) -> Voted | None:
        """One upvote per person; never on one's own question; None for a hidden or deleted
        question (a stale button)."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            question = await db.get(m.Question, question_id)
            if question is None or question.hidden_at is not None:
                return None
            session = await db.get(m.Session, question.session_id)
            if session is None:
                return None
            session_id = session.id
            if not asking_open(session.ends_at, session.cancelled, now):
                outcome = VoteOutcome.CLOSED
            elif question.author_id == viewer.id:
                outcome = VoteOutcome.OWN
            else:
                insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
                result = await db.execute(
                    insert(m.QuestionVote)
                    .values(question_id=question_id, user_id=viewer.id, created_at=now)
                    .on_conflict_do_nothing(index_elements=["question_id", "user_id"])
                )
                added = int(getattr(result, "rowcount", 0) or 0)
                outcome = VoteOutcome.VOTED if added else VoteOutcome.ALREADY
        board = await self.board(viewer, session_id, locale)
        return Voted(outcome, board) if board is not None else None

    async def hide(self, actor: UserProfile, question_id: int, locale: str) -> QuestionBoard | None:
        """Organizers only (NotAllowed otherwise, the attempt audited): the question leaves
        every list. None when there is no such question."""
        now = self._clock.now()
        subject = f"question:{question_id}"
        await require_role(self._sessions, actor, "question_hide", at=now, subject=subject)
        async with self._sessions.begin() as db:
            question = await db.get(m.Question, question_id)
            if question is None:
                return None
            session_id = question.session_id
            if question.hidden_at is None:
                question.hidden_at, question.hidden_by = now, actor.id
                record(db, actor, "question_hide", at=now, subject=subject)
        return await self.board(actor, session_id, locale)

    # --- speakers and moderators ----------------------------------------------------------
    async def speaker_board(
        self, user_id: int, locale: str, session_id: int | None = None
    ) -> QuestionBoard | SpeakerRefusal:
        """/questions: the given session, else the current or next one; the speaker's other
        current or upcoming sessions come along, to switch to."""
        now = self._clock.now()
        async with self._sessions() as db:
            speaker_id = await _speaker_of(db, user_id)
            if speaker_id is None:
                return SpeakerRefusal.NOT_SPEAKER
            upcoming = list(
                await db.scalars(
                    select(m.Session.id)
                    .join(m.SessionSpeaker, m.SessionSpeaker.session_id == m.Session.id)
                    .where(
                        m.SessionSpeaker.speaker_id == speaker_id,
                        m.Session.ends_at > now,
                        ~m.Session.cancelled,
                    )
                    .order_by(m.Session.starts_at, m.Session.id)
                )
            )
            if session_id is None:
                if not upcoming:
                    return SpeakerRefusal.NO_SESSIONS
                session_id = upcoming[0]
            elif not await _takes_part(db, speaker_id, session_id):
                return SpeakerRefusal.NOT_YOURS
        board = await self._speaker_view(session_id, locale)
        if board is None:
            return SpeakerRefusal.NOT_YOURS
        others = []
        for other in upcoming:
            if other != session_id:
                detail = await self._schedule.session(other, locale)
                if detail is not None:
                    others.append(_summary(detail))
        return QuestionBoard(board.session, board.questions, board.open, others=tuple(others))

    async def mark_answered(
        self, user_id: int, question_id: int, locale: str
    ) -> QuestionBoard | None:
        """A speaker or moderator of the question's session marks it answered (again is a
        no-op); None when it is not theirs, hidden or gone."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            question = await db.get(m.Question, question_id)
            speaker_id = await _speaker_of(db, user_id)
            if question is None or question.hidden_at is not None or speaker_id is None:
                return None
            if not await _takes_part(db, speaker_id, question.session_id):
                return None
            if question.answered_at is None:
                question.answered_at, question.answered_by = now, user_id
            session_id = question.session_id
        found = await self.speaker_board(user_id, locale, session_id)
        return found if isinstance(found, QuestionBoard) else None

    async def at_start(
        self, session_id: int, user_id: int, locale: str, planned: datetime
    ) -> QuestionBoard | Dropped:
        """The outbox row at the start, as it can be sent now, or why not."""
        async with self._sessions() as db:
            speaker_id = await _speaker_of(db, user_id)
            if speaker_id is None:
                return Dropped("the account is no longer linked to a speaker")
            if not await _takes_part(db, speaker_id, session_id):
                return Dropped("the speaker no longer takes part in the session")
        board = await self._speaker_view(session_id, locale)
        if board is None:
            return Dropped("the session is no longer in the programme")
        session = board.session
        if session.cancelled:
            return Dropped("the session was cancelled")
        if session.starts_at != planned:
            return Dropped("the session moved; the list for its new time replaces this one")
        if self._clock.now() >= session.ends_at:
            return Dropped("the session is over")
        if not board.questions:
            return Dropped("nobody asked a question")
        return board

    async def plan(self, now: datetime | None = None) -> int:
        """The planner's round: one list per speaker and moderator of each session starting
        within the horizon, due at its start (idempotent: the key holds the start)."""
        now = now or self._clock.now()
        async with self._sessions.begin() as db:
            rows = await db.execute(linked_within_horizon(now))
            envelopes = []
            for session, user in rows.unique().all():
                start = session.starts_at.astimezone(UTC)
                envelopes.append(
                    Envelope(
                        QUESTIONS_START,
                        f"session:{session.id}",
                        user.id,
                        start,
                        user.locale,
                        {"session_id": session.id, "starts_at": start.isoformat()},
                        start.strftime("%Y%m%dT%H%M"),
                    )
                )
            return await enqueue(db, envelopes, now) if envelopes else 0

    async def _speaker_view(self, session_id: int, locale: str) -> QuestionBoard | None:
        detail = await self._schedule.session(session_id, locale)
        if detail is None:
            return None
        async with self._sessions() as db:
            items = await _items(db, session_id, None)
        open_ = asking_open(detail.ends_at, detail.cancelled, self._clock.now())
        return QuestionBoard(_summary(detail), tuple(ranked(items)), open_)


async def _items(db: AsyncSession, session_id: int, viewer_id: int | None) -> list[QuestionItem]:
    """Visible questions with their vote counts, and which of them the viewer voted for."""
    votes = func.count(m.QuestionVote.user_id)
    rows = await db.execute(
        select(m.Question, votes)
        .outerjoin(m.QuestionVote, m.QuestionVote.question_id == m.Question.id)
        .where(m.Question.session_id == session_id, m.Question.hidden_at.is_(None))
        .group_by(m.Question.id)
    )
    found = rows.all()
    voted: set[int] = set()
    if viewer_id is not None and found:
        voted = set(
            await db.scalars(
                select(m.QuestionVote.question_id).where(
                    m.QuestionVote.user_id == viewer_id,
                    m.QuestionVote.question_id.in_([q.id for q, _ in found]),
                )
            )
        )
    return [
        QuestionItem(
            q.id,
            q.text,
            int(count),
            q.created_at,
            q.answered_at is not None,
            mine=viewer_id is not None and q.author_id == viewer_id,
            voted=q.id in voted,
        )
        for q, count in found
    ]


async def _speaker_of(db: AsyncSession, user_id: int) -> int | None:
    found = await db.scalar(
        select(m.SpeakerLink.speaker_id).where(m.SpeakerLink.user_id == user_id)
    )
    return int(found) if found is not None else None


async def _takes_part(db: AsyncSession, speaker_id: int, session_id: int) -> bool:
    """A speaker or a moderator of the session (any SessionSpeaker role)."""
    found = await db.scalar(
        select(m.SessionSpeaker.id).where(
            m.SessionSpeaker.session_id == session_id, m.SessionSpeaker.speaker_id == speaker_id
        )
    )
    return found is not None


def _summary(s: SessionDetail) -> SessionSummary:
    return SessionSummary(s.id, s.title, s.kind, s.starts_at, s.ends_at, s.room, s.cancelled)

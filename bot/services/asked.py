"""The questions people type to the bot: kept for 90 days so organizers learn what the bot
could not answer (grouped, counted, never with who asked), and so a button under an answer
("widen", "next page", "pick one") can re-ask its question by id, for its asker only.

Retention: every PURGE_EVERY recorded questions (and on the first one after a start), each
process deletes the rows older than RETENTION; /stats counts only rows within RETENTION, so a
late purge never shows older questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.retention import ASKED_QUESTIONS as RETENTION
from bot.domain.text import normalize, strip_controls

TEXT_LIMIT = 300  # the column's length; a longer question is cut
PURGE_EVERY = 500
STATS_TOP = 10

# Bidi embeddings, overrides, isolates and marks typed (or pasted) into a question would
# unbalance the isolates the question is shown in; joiners (ZWNJ in Urdu) stay.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AskedQuestion:
    id: int
    locale: str
    text: str


def clean(text: str) -> str:
    """The question as typed, on one line: no control or bidi characters, spaces collapsed."""
    return " ".join(_BIDI.sub("", strip_controls(text)).split())[:TEXT_LIMIT]


def grouping_key(text: str) -> str:
    """What makes two questions the same one: their normalized words (case, accents,
    Arabic marks and letter variants, punctuation and spacing aside); for a question with no
    word at all (emoji), its normalized text."""
    folded = normalize(text)
    words = _WORD.findall(folded)
    return (" ".join(words) if words else " ".join(folded.split()))[:TEXT_LIMIT]


async def forget(db: AsyncSession, user_id: int) -> None:
    """Erasure, inside the caller's transaction: what the person typed goes (a search may
    hold their own name or e-mail); the organizers' list counts what others asked."""
    await db.execute(delete(m.AskedQuestion).where(m.AskedQuestion.user_id == user_id))


async def top_unanswered(
    db: AsyncSession, limit: int = STATS_TOP, since: datetime | None = None
) -> list[tuple[str, int]]:
    """(the group's most recent wording, how many times asked), most frequent first, then
    most recently asked."""
    t = m.AskedQuestion
    conditions = [t.answered.is_(False), t.normalized != ""]
    if since is not None:
        conditions.append(t.created_at >= since)
    groups = (
        select(
            func.count().label("n"),
            func.max(t.id).label("last_id"),
            func.max(t.created_at).label("last_at"),
        )
        .where(*conditions)
        .group_by(t.normalized)
        .order_by(func.count().desc(), func.max(t.created_at).desc(), func.max(t.id).desc())
        .limit(limit)
        .subquery()
    )
    rows = await db.execute(
        select(t.text, groups.c.n)
        .join(groups, groups.c.last_id == t.id)
        .order_by(groups.c.n.desc(), groups.c.last_at.desc(), groups.c.last_id.desc())
    )
    return [(str(text), int(n)) for text, n in rows.tuples()]


class AskedQuestions:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._until_purge = 0  # the first question after a start purges

    async def record(self, user_id: int | None, locale: str, text: str, *, answered: bool) -> int:
        """Store a question; its id is what a button under the answer carries."""
        row = m.AskedQuestion(
            user_id=user_id,
            locale=locale[:8],
            text=clean(text),
            normalized=grouping_key(clean(text)),
            answered=answered,
            created_at=self._clock.now(),
        )
        async with self._sessions.begin() as db:
            db.add(row)
            await db.flush()
            question_id = row.id
        if self._until_purge <= 0:
            self._until_purge = PURGE_EVERY
            await self.purge(RETENTION)
        self._until_purge -= 1
        return question_id

    async def get(self, question_id: int, user_id: int) -> AskedQuestion | None:
        """The question, if `user_id` asked it: a forged id of someone else's gets None."""
        async with self._sessions() as db:
            row = await db.get(m.AskedQuestion, question_id)
        if row is None or row.user_id is None or row.user_id != user_id:
            return None
        return AskedQuestion(row.id, row.locale, row.text)

    async def unanswered(
        self, limit: int = STATS_TOP, since: datetime | None = None
    ) -> list[tuple[str, int]]:
        """The most frequent questions the bot could not answer, with their counts."""
        async with self._sessions() as db:
            return await top_unanswered(db, limit, since)

    async def purge(self, older_than: timedelta = RETENTION) -> int:
        """Delete questions asked more than `older_than` ago; returns how many went."""
        cutoff = self._clock.now() - older_than
        async with self._sessions.begin() as db:
            result = await db.execute(
                delete(m.AskedQuestion).where(m.AskedQuestion.created_at < cutoff)
            )
        return int(getattr(result, "rowcount", 0) or 0)

"""Session feedback rules: when attendees may rate a session, what a comment may hold, and
the read models of the prompt, the speaker's summary and the organizers' figures.

Feedback is anonymous to speakers and in exports: nothing here carries a user id or name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.views import SessionDetail

FLOW = "feedback"  # the durable conversation of a comment being typed
COMMENT_STEP = "comment"
RATINGS = (1, 2, 3, 4, 5)
COMMENT_LIMIT = 1000  # characters, after cleaning

# Control characters (tabs and line breaks become spaces) and bidi embeddings, overrides
# and isolates: a comment must not change the layout of the summary it is quoted in.
_BIDI_FORMATTING = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def stamp(moment: datetime) -> str:
    """A compact UTC time for outbox keys: a session that moves gets new rows."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M")


def closes_at(ends_at: datetime, window: timedelta) -> datetime:
    return ends_at + window


def window_open(ends_at: datetime, now: datetime, window: timedelta) -> bool:
    """Ratings are taken from the session's end until the window closes."""
    return ends_at <= now < closes_at(ends_at, window)


def clean_comment(text: str) -> str:
    """Free text as it will be stored: no control or bidi formatting characters, one line,
    runs of spaces collapsed. HTML is not escaped here (only when shown)."""
    kept = "".join(
        " " if unicodedata.category(ch) == "Cc" else ch for ch in _BIDI_FORMATTING.sub("", text)
    )
    return " ".join(kept.split())


@dataclass(frozen=True)
class FeedbackCard:
    """One attendee's prompt (or their answer so far) for one session."""

    session: SessionDetail
    rating: int | None
    comment: str | None
    closes_at: datetime


@dataclass(frozen=True)
class Refused:
    """Why a rating or comment is not taken: "closed", "not_yours" or "gone"."""

    reason: str


@dataclass(frozen=True)
class TooLong:
    limit: int
    length: int


@dataclass(frozen=True)
class EmptyComment:
    """The text was nothing but spaces or control characters."""


@dataclass(frozen=True)
class FeedbackSummary:
    """What a speaker (or moderator) learns once the window closes."""

    session: SessionDetail
    count: int
    average: float | None
    distribution: tuple[tuple[int, int], ...]  # (rating, count), 5 down to 1
    comments: tuple[str, ...]


@dataclass(frozen=True)
class SessionRating:
    """One session's figures for organizers."""

    title: str
    count: int
    average: float


@dataclass(frozen=True)
class FeedbackFigures:
    ratings: int
    sessions: tuple[SessionRating, ...]  # sessions with at least one rating, best first


def summarize(ratings: list[int]) -> tuple[float | None, tuple[tuple[int, int], ...]]:
    """Average and distribution (5 first) of a session's ratings."""
    distribution = tuple((r, ratings.count(r)) for r in reversed(RATINGS))
    average = sum(ratings) / len(ratings) if ratings else None
    return average, distribution

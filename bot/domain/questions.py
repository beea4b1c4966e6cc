"""Audience questions: when asking is open, how questions are cleaned and ranked, and the
views their screens are built from. Pure rules: time is always a parameter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.domain.text import strip_controls
from bot.domain.views import SessionSummary

FLOW = "question"  # the durable conversation that waits for the question's text
STEP_TEXT = "text"
QUESTION_LIMIT = 280  # characters, after control characters are stripped
QUESTIONS_PER_PAGE = 8  # 8 questions of 280 characters stay far below a message's 4096


def asking_open(ends_at: datetime, cancelled: bool, now: datetime) -> bool:
    """Questions (and votes) are taken from now until the session ends, never for a
    cancelled one: afterwards nobody is there to answer them."""
    return not cancelled and now < ends_at


def clean_question(text: str) -> str:
    """What is stored: one line, no control characters, runs of spaces and line breaks
    collapsed (a question is short, and one line keeps its bidi isolate whole). Escaping is
    left to rendering, so the limit counts what the attendee typed."""
    return " ".join(strip_controls(text).split())


@dataclass(frozen=True)
class QuestionItem:
    id: int
    text: str
    votes: int
    created_at: datetime
    answered: bool
    mine: bool = False  # the reader asked it
    voted: bool = False  # the reader upvoted it


def ranked(questions: Iterable[QuestionItem]) -> list[QuestionItem]:
    """Unanswered first; then most votes, then oldest (the id breaks a tie in time)."""
    return sorted(questions, key=lambda q: (q.answered, -q.votes, q.created_at, q.id))


@dataclass(frozen=True)
class QuestionBoard:
    """A session's visible questions, ranked, as one reader sees them."""

    session: SessionSummary
    questions: tuple[QuestionItem, ...]
    open: bool  # asking and voting are possible now
    can_hide: bool = False  # the reader is an organizer
    others: tuple[SessionSummary, ...] = ()  # a speaker's other current or upcoming sessions


class AskOutcome(Enum):
    ASKED = "asked"
    TOO_LONG = "too_long"  # nothing stored; the dialogue still waits for a shorter text
    EMPTY = "empty"  # nothing left once control characters were stripped
    CLOSED = "closed"  # the session ended (or was cancelled) meanwhile


@dataclass(frozen=True)
class Asked:
    outcome: AskOutcome
    board: QuestionBoard | None = None
    origin: str = ""  # where the session card was opened from, for "Back"
    length: int = 0  # of the cleaned text, for "too long"


class VoteOutcome(Enum):
    VOTED = "voted"
    ALREADY = "already"
    OWN = "own"
    CLOSED = "closed"


@dataclass(frozen=True)
class Voted:
    outcome: VoteOutcome
    board: QuestionBoard

"""Read models of the organizer's screens (audit log, badge desk, figures), handed from the
services to the presentation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.feedback import FeedbackFigures

# The actions whose subject is a Telegram user id, a speaker (key or id), a registration code.
USER_SUBJECTS = frozenset({"promote", "demote", "speaker_link", "admin_revoked"})
SPEAKER_SUBJECTS = frozenset({"speaker_invite", "speaker_revoke"})
CODE_SUBJECTS = frozenset({"checkin"})


@dataclass(frozen=True)
class AuditRow:
    """One entry, with the names of who acted and on whom, where they are known."""

    at: datetime
    actor_id: int | None  # None: the command line or the bot itself
    actor_name: str  # "" when unknown
    action: str
    subject: str
    subject_name: str  # the person, speaker or attendee the subject stands for; "" if none
    outcome: str
    detail: str


@dataclass(frozen=True)
class CheckIn:
    found: bool
    full_name: str = ""
    profession: str = ""
    first_at: datetime | None = None  # set when this is not the first check-in
    at: datetime | None = None


@dataclass(frozen=True)
class Figures:
    registrations: int
    by_role: tuple[tuple[str, int], ...]
    by_country: tuple[tuple[str, int], ...]
    by_language: tuple[tuple[str, int], ...]
    users: int
    active_today: int
    top_sessions: tuple[tuple[str, int], ...]  # (title in the reader's language, bookmarks)
    seats: tuple[tuple[str, int, int], ...]  # (title, taken, capacity)
    delivery: tuple[tuple[str, int], ...]  # outbox state -> rows
    # ratings in all, and per session (best first)
    feedback: FeedbackFigures = field(default_factory=lambda: FeedbackFigures(0, ()))
    # the questions the bot could not answer (the most recent wording, times asked), most
    # frequent first, over the questions still kept (90 days)
    unanswered: tuple[tuple[str, int], ...] = ()
    checked_in: int = 0  # confirmed registrations checked in at the desk

"""Read models of broadcasts, handed from the services to the presentation and delivery."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.attachments import Attachment
from bot.domain.broadcasts import Audience, Draft, Problem, Step
from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.views import SessionSummary


class State(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Reach:
    """How many people an audience reaches, per language group."""

    per_locale: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, counts: dict[str, int]) -> Reach:
        return cls(tuple((loc, counts.get(loc, 0)) for loc in SUPPORTED_LOCALES))

    @property
    def total(self) -> int:
        return sum(n for _, n in self.per_locale)


@dataclass(frozen=True)
class Choice:
    """A track (or other pick) offered as a button."""

    id: int
    label: str


@dataclass(frozen=True)
class Prompt:
    """Where an organizer is in the broadcast dialogue, and what to show next."""

    step: Step
    draft: Draft
    problem: Problem | None = None
    limit: int = 0  # for TOO_LONG
    audience_label: str = ""  # the session title, track name or language picked
    query: str = ""  # words typed to find a session
    sessions: tuple[SessionSummary, ...] = ()
    tracks: tuple[Choice, ...] = ()
    reach: Reach | None = None  # at the preview and when confirming a time


@dataclass(frozen=True)
class Figures:
    """Delivery so far, from the broadcast's outbox rows."""

    sent: int = 0
    pending: int = 0  # waiting, being sent or retried
    failed: int = 0
    unreachable: int = 0  # the recipient blocked the bot
    skipped: int = 0  # not sent for another reason
    cancelled: int = 0

    @classmethod
    def of(cls, rows: Iterable[tuple[str, bool, int]]) -> Figures:
        """From (outbox state, last error says unreachable, count) rows."""
        totals = dict.fromkeys(("sent", "pending", "failed", "unreachable", "skipped"), 0)
        totals["cancelled"] = 0
        for state, unreachable, n in rows:
            if state in ("pending", "sending"):
                totals["pending"] += n
            elif state == "skipped":
                totals["unreachable" if unreachable else "skipped"] += n
            elif state in totals:
                totals[state] += n
        return cls(**totals)


@dataclass(frozen=True)
class BroadcastView:
    id: int
    audience: Audience
    audience_label: str
    default_locale: str
    versions: tuple[str, ...]  # languages with their own text, default first
    attachment: Attachment | None
    scheduled_at: datetime
    created_at: datetime
    state: State
    total: int
    figures: Figures


@dataclass(frozen=True)
class Confirmation:
    broadcast: BroadcastView
    already: bool = False  # Confirm pressed again (or redelivered): nothing new was made


@dataclass(frozen=True)
class Content:
    """What a recipient receives: their language's version, else the default."""

    texts: dict[str, str]
    default_locale: str
    attachment: Attachment | None

    def version_for(self, locale: str) -> tuple[str, str]:
        """(the language of the version, its text)."""
        if locale in self.texts:
            return locale, self.texts[locale]
        return self.default_locale, self.texts.get(self.default_locale, "")


@dataclass(frozen=True)
class Tracked:
    """An unfinished broadcast the progress monitor keeps an eye on."""

    id: int
    state: State
    scheduled_at: datetime
    creator_id: int
    chat_id: int | None
    message_id: int | None

"""Read models of what the bot sends on its own: reminders, change notices, the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.domain.reminders import JustStarted, StartsIn
from bot.domain.views import SessionDetail, SessionSummary


@dataclass(frozen=True)
class Dropped:
    """Why a scheduled message is no longer worth sending (recorded on its outbox row)."""

    reason: str


@dataclass(frozen=True)
class ReminderCard:
    session: SessionDetail
    timing: StartsIn | JustStarted


@dataclass(frozen=True)
class SlotView:
    """A session's time and room, the room named in the reader's language."""

    starts_at: datetime
    ends_at: datetime
    room: str | None


@dataclass(frozen=True)
class ChangeNotice:
    session: SessionDetail  # as it is now
    before: SlotView
    after: SlotView
    cancelled: bool
    restored: bool
    retimed: bool
    moved_room: bool


@dataclass(frozen=True)
class DayDigest:
    day: date
    sessions: tuple[SessionSummary, ...]


@dataclass(frozen=True)
class ReminderSettings:
    lead: int  # minutes; 0 = off
    digest: bool
    digest_time: time

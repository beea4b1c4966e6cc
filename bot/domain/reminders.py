"""When reminders and the daily digest are due, and what a late one may still say.

Pure rules: every function takes `now` (or a day) as a parameter, so they are tested without
a clock and shared by the scheduling side (services) and the sending side (renderers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LEAD_CHOICES: tuple[int, ...] = (0, 5, 10, 15, 30, 60)  # minutes; 0 switches reminders off
DEFAULT_LEAD = 15
# A reminder sent after the start (the bot was down) still helps for a few minutes: "has just
# started". Later than this it would only be noise, so it is skipped, with the reason recorded.
JUST_STARTED = timedelta(minutes=10)
# A digest planned or sent this long after its morning time is no longer a morning digest.
DIGEST_GRACE = timedelta(hours=2)


def reminder_due(starts_at: datetime, lead_minutes: int, now: datetime) -> datetime | None:
    """When to remind someone `lead_minutes` before `starts_at`; None for no reminder.

    No reminder when reminders are off, or when that moment has already passed: whoever
    bookmarks a session starting in five minutes is looking at it right now.
    """
    if lead_minutes <= 0:
        return None
    due = starts_at - timedelta(minutes=lead_minutes)
    return due if due > now else None


@dataclass(frozen=True)
class StartsIn:
    minutes: int


@dataclass(frozen=True)
class JustStarted:
    minutes_ago: int


@dataclass(frozen=True)
class TooLate:
    minutes_ago: int


Timing = StartsIn | JustStarted | TooLate


def timing(starts_at: datetime, now: datetime) -> Timing:
    """What a reminder sent at `now` can truthfully say (computed at send time)."""
    left = (starts_at - now).total_seconds()
    if left > 0:
        return StartsIn(max(1, math.ceil(left / 60)))
    ago = now - starts_at
    minutes_ago = int(ago.total_seconds() // 60)
    return JustStarted(minutes_ago) if ago < JUST_STARTED else TooLate(minutes_ago)


def parse_clock_time(value: str) -> time:
    """'07:30' -> 07:30 (Settings has already validated the format)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def digest_moment(day: date, at: time, timezone: str) -> datetime:
    """The digest of `day` is due at `at` local event time, returned as aware UTC."""
    return datetime.combine(day, at, ZoneInfo(timezone)).astimezone(UTC)


def digest_days(now: datetime, timezone: str, first: date, count: int) -> list[date]:
    """Today and tomorrow in the event's zone, as far as they are event days."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    last = first + timedelta(days=max(count, 1) - 1)
    return [d for d in (today, today + timedelta(days=1)) if first <= d <= last]


def digest_too_late(due: datetime, now: datetime) -> bool:
    return now >= due + DIGEST_GRACE

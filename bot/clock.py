"""Time as a dependency: the only place that reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock tests (and the playground) move by hand, so time-based features need no sleep."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class OffsetClock:
    """Real time, shifted: it starts at a chosen moment and keeps running from there.

    The playground's `--at` uses it so reminders, summaries and alerts fall due as they
    would in production, and `/wait` moves it on by hand (`advance`) to see them sooner.
    """

    def __init__(self, start: datetime | None, base: Clock) -> None:
        self._base = base
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def set(self, at: datetime) -> None:
        """From now on, time runs from `at`."""
        if at.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self._offset = at.astimezone(UTC) - self._base.now()

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

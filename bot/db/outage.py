"""Database outages as the log and the retry loops see them: one line when it starts, one
when it is over, and a growing pause with jitter in between.

A loop that logs every failed attempt turns a 21-second PostgreSQL restart into thousands of
tracebacks (9,215 of them, 62 MB, before this existed), and one that retries at once keeps a
core busy doing so. Each loop that talks to the database (the inbox worker's claims and
housekeeping, the webhook's stores, the poller's, the dispatcher, the planner, the broadcast
progress) keeps one `Outage` and reports each attempt to it. The loops of a process share
the log of the outage itself: the database is one, so its going away is one line, whichever
loop notices first, and its return another, with every loop's failed attempts counted.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import random
import sqlite3
import time
import weakref
from collections.abc import Callable

from sqlalchemy import exc

FIRST_PAUSE = 0.1  # seconds before the first retry
LONGEST_PAUSE = 5.0  # the pause doubles up to this
# What a database that is away or busy raises; anything else is more likely a bug, and the
# loop it happens in logs it (with its traceback) on its own.
EXPECTED = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,  # the pool's
    exc.DisconnectionError,
    sqlite3.Error,
    OSError,
    TimeoutError,
)


class Outage:
    """Counts the failed attempts of one loop until one succeeds.

    `failed` returns how long to wait before the next attempt: FIRST_PAUSE doubling up to
    LONGEST_PAUSE, each scaled by a random factor between 0.5 and 1 so that instances
    restarted together do not retry in step. The first failure of an outage is logged in one
    line, and the first success after it in one more ("database back after 21.3 s, 212 failed
    attempts"), once for all loops (`_DatabaseLog`). An error that does not look like the
    database being away is this loop's own: its first is logged with its traceback, and the
    loop's next success says it works again. Both calls are cheap enough for a hot loop.
    """

    def __init__(
        self,
        what: str,
        log: logging.Logger,
        *,
        first_pause: float = FIRST_PAUSE,
        longest_pause: float = LONGEST_PAUSE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what  # e.g. "inbox worker: claiming updates"
        self._log = log
        self._first_pause = first_pause
        self._longest_pause = longest_pause
        self._monotonic = monotonic  # durations only: never the wall clock
        self.failures = 0
        self._own = 0  # failures that were not the database being away
        self._own_since = 0.0

    @property
    def down(self) -> bool:
        return self.failures > 0

    def failed(self, error: BaseException) -> float:
        """Record a failed attempt; returns the pause (seconds) before the next one."""
        self.failures += 1
        if isinstance(error, EXPECTED):
            _database_log(self._monotonic).failed(self.what, error, self._log)
        else:
            self._own += 1
            if self._own == 1:
                self._own_since = self._monotonic()
                self._log.error("%s failed; retrying quietly", self.what, exc_info=error)
        doubled = self._first_pause * 2.0 ** min(self.failures - 1, 30)
        return min(self._longest_pause, doubled) * random.uniform(0.5, 1.0)

    def succeeded(self) -> None:
        """Record a successful attempt: the summary line if this ends an outage."""
        if not self.failures:
            return
        self.failures = 0
        _database_log(self._monotonic).back(self.what, self._log)
        if self._own:
            own, self._own = self._own, 0
            lasted = self._monotonic() - self._own_since
            self._log.warning(
                "%s works again after %.1f s, %d failed attempt%s",
                self.what,
                lasted,
                own,
                "" if own == 1 else "s",
            )


class _DatabaseLog:
    """One outage of the database as the log tells it, for all the loops of a process."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._since: float | None = None  # when the outage began; None: no outage
        self._attempts: collections.Counter[str] = collections.Counter()

    def failed(self, what: str, error: BaseException, log: logging.Logger) -> None:
        if self._since is None:
            self._since = self._monotonic()
            log.warning(
                "database unavailable (%s failed: %s); retrying quietly", what, one_line(error)
            )
        self._attempts[what] += 1

    def back(self, what: str, log: logging.Logger) -> None:
        if self._since is None:
            return
        lasted = self._monotonic() - self._since
        total = sum(self._attempts.values())
        by_loop = ", ".join(f"{n} by {loop}" for loop, n in self._attempts.most_common())
        self._since = None
        self._attempts.clear()
        log.warning(
            "database back after %.1f s (%s works again): %d failed attempt%s (%s)",
            lasted,
            what,
            total,
            "" if total == 1 else "s",
            by_loop,
        )


# One per event loop: a process has one, and each test its own.
_LOGS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _DatabaseLog] = (
    weakref.WeakKeyDictionary()
)


def _database_log(monotonic: Callable[[], float]) -> _DatabaseLog:
    loop = asyncio.get_running_loop()
    found = _LOGS.get(loop)
    if found is None:
        found = _LOGS[loop] = _DatabaseLog(monotonic)
    return found


def one_line(error: BaseException) -> str:
    """An error as one short line: SQLAlchemy's messages add the statement, its parameters
    and a link on lines of their own."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}"[:300]

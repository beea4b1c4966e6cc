"""The periodic planner: every minute, plan what the calendar makes due (the daily digest).

Scheduled work is state in the outbox plus this one loop, never an in-memory job per
message: planning is idempotent, so a restart, a second instance or a test calling it again
changes nothing. Time comes from the injectable clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from bot.clock import Clock
from bot.db.outage import Outage

log = logging.getLogger(__name__)

Plan = Callable[[datetime], Awaitable[int]]


class Planner:
    def __init__(
        self,
        plans: Sequence[Plan],
        clock: Clock,
        on_planned: Callable[[], None],
        every: float = 60.0,
    ) -> None:
        self._plans = plans
        self._clock = clock
        self._on_planned = on_planned  # e.g. wake the dispatcher: something may be due now
        self.every = every
        self._outage = Outage("planner: planning", log)  # logs an outage's start and end

    async def run_once(self) -> int:
        now = self._clock.now()
        planned = 0
        for plan in self._plans:
            planned += await plan(now)
        if planned:
            self._on_planned()
        return planned

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as error:  # e.g. the database is away: try again next round
                self._outage.failed(error)
            else:
                self._outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

"""The periodic planner plans with the injectable clock, wakes the dispatcher when something
was planned, and keeps going when a round fails."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.clock import FrozenClock
from bot.delivery.planner import Planner

NOW = datetime(2026, 3, 14, 0, 0, tzinfo=UTC)


class Plans:
    """A fake plan: records when it was asked, answers from a script (or fails)."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.asked: list[datetime] = []

    async def __call__(self, now: datetime) -> int:
        self.asked.append(now)
        answer = self.answers.pop(0) if self.answers else 0
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_a_round_plans_at_the_clocks_time_and_wakes_the_dispatcher() -> None:
    plans, woken = Plans(2, 0), []
    planner = Planner([plans], FrozenClock(NOW), lambda: woken.append(True))

    first, second = await planner.run_once(), await planner.run_once()

    assert (first, second, plans.asked, woken) == (2, 0, [NOW, NOW], [True])


async def test_the_loop_survives_a_failing_round_and_stops_when_told() -> None:
    plans, stop = Plans(RuntimeError("database away"), 1), asyncio.Event()
    planner = Planner([plans], FrozenClock(NOW), stop.set, every=0.01)

    await asyncio.wait_for(planner.run(stop), timeout=5)

    assert len(plans.asked) == 2

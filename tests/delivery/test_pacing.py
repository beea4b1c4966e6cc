"""The pacer on its own: a 429 pause stops every send, and its end is not a burst."""

from __future__ import annotations

import asyncio

from bot.delivery.pacing import Limits, Pacer


async def test_sends_queued_during_a_pause_resume_at_the_configured_pace() -> None:
    rate = 20
    pacer = Pacer(Limits(per_second=rate))
    loop = asyncio.get_running_loop()
    start = loop.time()
    passed: list[float] = []

    async def send(chat_id: int) -> None:
        await pacer.wait_turn(chat_id)
        passed.append(loop.time() - start)

    senders = [asyncio.create_task(send(chat_id)) for chat_id in range(1, 46)]
    await asyncio.sleep(0.05)  # the first second's burst has gone out
    await pacer.pause(1.0)  # a 429 with retry_after=1
    await asyncio.gather(*senders)

    resumed = 0.05 + 1.0 + 0.1  # the pause adds a little
    assert len([t for t in passed if t < 0.05]) == rate  # the bucket's burst, then the 429
    assert [t for t in passed if 0.05 < t < resumed - 0.01] == []
    # About 22 sends queued through the pause. Had they kept the turns the limiter gave them
    # meanwhile, they would all go at once now; instead the pace holds from the first moment.
    first_half_second = [t for t in passed if resumed - 0.01 <= t < resumed + 0.5]
    assert len(first_half_second) <= rate * 0.5 + 2
    assert len(passed) == 45

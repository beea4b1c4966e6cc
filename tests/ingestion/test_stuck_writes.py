"""/readyz tells when updates cannot be stored (issue #16, point 1).

A long write transaction (a big import's, once) held SQLite's writer for minutes: every
webhook post waited and got 503 after 30 s, while /healthz and /readyz stayed green, since
reads still answered. Now readiness reports writes as stuck once storing has been held up
for longer than `WRITES_STUCK_AFTER`, and as ok again once it goes on.
"""

from __future__ import annotations

import asyncio

import pytest

from bot import app
from tests.harness import BotHarness, text_of
from tests.ingestion.conftest import get, writes_held


async def test_readyz_says_writes_are_stuck_while_updates_wait_to_be_stored_then_ok(
    webhook_on_each_db: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = webhook_on_each_db
    monkeypatch.setattr(app, "WRITES_STUCK_AFTER", 0.3)  # seconds (10 in production)
    amina = bot.user(1001, "Amina")
    before = await get(bot, "/readyz")

    async with writes_held(bot):
        writing = asyncio.create_task(bot.fake.send_text(amina, "/help"))
        async with asyncio.timeout(10):
            while (await get(bot, "/readyz"))[1].get("writes") != "stuck":  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        during = await get(bot, "/readyz")
    update = await writing
    await bot.processed(update["update_id"])
    after = await get(bot, "/readyz")

    assert before[0] == 200 and before[1]["writes"] == "ok"
    assert during[0] == 503 and during[1]["writes"] == "stuck" and during[1]["ready"] is False
    assert after[0] == 200 and after[1]["writes"] == "ok" and after[1]["ready"] is True
    assert "/programme" in text_of(bot.fake.messages(amina.id)[-1])  # nothing was lost

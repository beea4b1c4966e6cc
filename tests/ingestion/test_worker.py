"""The inbox worker: each update finishes on its own, so a slow one holds up only its chat."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.db import models as m
from tests.harness import BotHarness


async def state_of(bot: BotHarness, update_id: int) -> str | None:
    async with bot.runtime.services.sessions() as db:
        return await db.scalar(
            select(m.InboxUpdate.state).where(m.InboxUpdate.update_id == update_id)
        )


async def test_a_slow_update_holds_up_only_its_own_chat(bot: BotHarness) -> None:
    slow, quick = bot.user(1001, "Amina"), bot.user(1002, "Omar")
    bot.fake.inject_delay("sendMessage", 3.0)  # Telegram takes its time with Amina's answer
    stuck = await bot.fake.send_text(slow, "/help")
    async with asyncio.timeout(5):
        while await state_of(bot, stuck["update_id"]) != "processing":  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    meanwhile = await bot.fake.send_text(quick, "/help")
    await bot.processed(meanwhile["update_id"])

    assert bot.fake.messages(quick.id)  # answered while Amina's update is still in hand
    assert not bot.fake.messages(slow.id)
    assert await state_of(bot, stuck["update_id"]) == "processing"
    await bot.processed(stuck["update_id"])
    assert bot.fake.messages(slow.id)

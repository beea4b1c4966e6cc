"""Crashes and shutdowns of a real `python -m bot run` process.

Ten attendees keep writing while the bot is SIGKILLed mid-stream and restarted: every update
Telegram considers delivered ends processed and answered, and only the updates that were
being processed at the kill may be answered twice. A SIGTERM drains instead: the process
finishes what it holds within DRAIN_SECONDS and exits cleanly.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import DRAIN_SECONDS
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.ingestion.processes import (
    Attendees,
    BotProcess,
    free_port,
    inbox_rows,
    replies_per_chat,
    wait_until,
)

MESSAGES_EACH = 15


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_killed_bot_loses_nothing_and_repeats_at_most_what_it_was_processing(
    fake: FakeBotApi, sqlite_sample_db: str, tmp_path: Path, mode: str
) -> None:
    port = free_port() if mode == "webhook" else None
    bot = BotProcess(fake, sqlite_sample_db, tmp_path, port=port)
    attendees = Attendees(fake)
    chats = [u.id for u in attendees.users]
    try:
        await bot.start()
        stream = asyncio.create_task(attendees.write(MESSAGES_EACH, pause=0.1))

        async def under_way() -> bool:  # about a third of the stream sent, some answered
            answered = sum(replies_per_chat(fake, chats).values())
            return len(attendees.sent) >= 50 and answered >= 10

        await wait_until(under_way, 15, "the stream under way", [bot])
        fake.inject_delay("sendMessage", 1.0, times=4)  # handlers caught mid-send by the kill
        await asyncio.sleep(0.4)
        bot.kill()
        at_kill = await inbox_rows(sqlite_sample_db)
        await asyncio.sleep(0.5)  # attendees keep writing while the bot is down
        await bot.start()
        await stream

        async def all_answered() -> bool:
            if not set(attendees.sent) <= fake.acknowledged_update_ids():
                return False
            rows = await inbox_rows(sqlite_sample_db)
            if any(rows.get(u, ("",))[0] != "done" for u in attendees.sent):
                return False
            replies = replies_per_chat(fake, chats)
            return all(replies[c] >= n for c, n in attendees.per_chat().items())

        await wait_until(all_answered, 30, "every update answered", [bot])
        await asyncio.sleep(0.3)  # room for a stray second answer, were there one
        code, _ = await bot.terminate(DRAIN_SECONDS + 5)
    finally:
        bot.stop()

    assert code == 0, bot.output
    rows = await inbox_rows(sqlite_sample_db)
    acknowledged = fake.acknowledged_update_ids()
    assert len(attendees.sent) == len(chats) * MESSAGES_EACH
    assert set(attendees.sent) <= acknowledged
    assert all(rows[u][0] == "done" for u in acknowledged)
    assert len(at_kill) < len(attendees.sent)  # the kill came mid-stream
    in_flight = {u for u, (state, _, _) in at_kill.items() if state == "processing"}
    assert in_flight, "no update was being processed at the kill"
    assert {u for u, (_, _, attempts) in rows.items() if attempts > 1} <= in_flight
    replies = replies_per_chat(fake, chats)
    for chat, sent in attendees.per_chat().items():
        twice = sum(1 for u in in_flight if rows[u][1] == chat)
        assert sent <= replies[chat] <= sent + twice, (chat, sent, replies[chat], twice)


async def test_sigterm_drains_what_it_holds_and_exits_cleanly_in_time(
    fake: FakeBotApi, sqlite_sample_db: str, tmp_path: Path
) -> None:
    bot = BotProcess(fake, sqlite_sample_db, tmp_path)
    attendees = Attendees(fake)
    chats = [u.id for u in attendees.users]
    try:
        await bot.start()
        stream = asyncio.create_task(attendees.write(MESSAGES_EACH, pause=0.1))

        async def under_way() -> bool:
            answered = sum(replies_per_chat(fake, chats).values())
            return len(attendees.sent) >= 50 and answered >= 10

        await wait_until(under_way, 15, "the stream under way", [bot])
        fake.inject_delay("sendMessage", 1.0, times=3)  # work in hand when SIGTERM arrives
        await asyncio.sleep(0.3)
        holding = await inbox_rows(sqlite_sample_db)
        code, took = await bot.terminate(DRAIN_SECONDS + 5)
        await stream
    finally:
        bot.stop()

    assert code == 0, bot.output
    assert took < DRAIN_SECONDS + 5
    rows = await inbox_rows(sqlite_sample_db)
    assert "processing" not in {state for state, _, _ in rows.values()}
    in_hand = {u for u, (state, _, _) in holding.items() if state == "processing"}
    assert in_hand and all(rows[u][0] == "done" for u in in_hand)  # finished, not abandoned
    assert "Traceback" not in bot.output

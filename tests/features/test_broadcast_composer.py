"""The broadcast composer asks what fits the audience and takes a changed mind (issue #15,
point 12): a language group is written in its own language, and a second time typed after
one was accepted replaces it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FrozenClock
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.features.test_broadcasts import (
    READERS,
    broadcasts,
    compose,
    deliver,
    last,
    organizer,
    preview,
    readers,
)
from tests.harness import BotHarness, text_of


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(fake, sample_db, clock) as harness:
        yield harness


async def test_a_language_group_is_asked_for_its_own_language_first(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)  # writes in English

    [start] = await bot.send(org, "/broadcast")
    [groups] = await bot.press(org, start, "One language")
    [ask_text] = await bot.press(org, groups, "Melayu")
    [versions] = await bot.send(org, "Sesi bahasa Melayu bermula pukul 14:00.")
    *_, summary = await preview(bot, org, versions)
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    assert "✍️ Now send the message in Malay" in text_of(ask_text)
    assert "English" not in text_of(ask_text)
    assert "Malay: 1 · own version" in text_of(summary)
    assert text_of(last(bot, people["ms"])) == "Sesi bahasa Melayu bermula pukul 14:00."
    assert [len(bot.fake.messages(READERS[x])) for x in ("ar", "en", "ur")] == [1, 1, 1]


async def test_an_arabic_organizer_writing_to_urdu_readers_is_asked_for_urdu(
    bot: BotHarness,
) -> None:
    org = await organizer(bot, lang="ar")

    [start] = await bot.send(org, "/broadcast")
    [groups] = await bot.press_data(org, start, "bc:aud:lang")
    [ask_text] = await bot.press(org, groups, "اردو")

    assert "الأوردية" in text_of(ask_text)
    assert "العربية" not in text_of(ask_text)


async def test_a_second_time_typed_replaces_the_first(bot: BotHarness) -> None:
    await readers(bot)
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "The poster session opens now.")
    *_, summary = await preview(bot, org, versions)

    [_ask] = await bot.press(org, summary, "Schedule")
    [first] = await bot.send(org, "14:30")
    [second] = await bot.send(org, "16:00")
    [unreadable] = await bot.send(org, "after tea")
    [progress] = await bot.press(org, second, "Confirm")

    assert text_of(first).startswith("🕒 Send on Sat, Mar 14 at 14:30")
    assert text_of(second).startswith("🕒 Send on Sat, Mar 14 at 16:00")
    assert "Please use the buttons" not in text_of(second)
    assert text_of(unreadable).startswith("⚠️ I could not read that time.")
    assert "16:00" in text_of(unreadable)  # the time still waiting for Confirm
    assert "🕒 Scheduled for Sat, Mar 14 at 16:00." in text_of(progress)
    [row] = await broadcasts(bot)
    assert row.scheduled_at.hour == 8  # 16:00 in Kuala Lumpur, in UTC

"""What is on now and next, relative to the injectable clock."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import KL
from tests.harness import BotHarness, text_of


async def test_now_lists_the_running_sessions_and_the_next_slot(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 14, 10, 45, tzinfo=KL))
    user = bot.user()

    [reply] = await bot.send(user, "/now")

    now_part, next_part = text_of(reply).split("⏭ Next")
    assert "Platform Rules vs. National Laws" in now_part  # 10:30-11:30
    assert "Trust Is the Story" not in now_part  # the keynote ended at 10:00
    assert "11:45–12:30" in next_part
    assert "14:00" not in next_part  # after lunch is not "next"


async def test_a_break_says_nothing_is_running_and_shows_what_comes_next(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 14, 10, 15, tzinfo=KL))
    user = bot.user()

    [reply] = await bot.send(user, "/now")

    assert "Nothing is running right now." in text_of(reply)
    assert "10:30–11:30" in text_of(reply).split("⏭ Next")[1]


async def test_next_shows_only_the_next_sessions(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 15, 12, 40, tzinfo=KL))
    user = bot.user()

    [reply] = await bot.send(user, "/next")

    assert "⏱ Now" not in text_of(reply)
    assert "14:00" in text_of(reply)


async def test_before_the_symposium_now_says_it_has_not_started(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 13, 18, 0, tzinfo=KL))
    user = bot.user()

    [reply] = await bot.send(user, "/now")

    assert "The symposium has not started yet." in text_of(reply)
    assert "09:00–10:00" in text_of(reply)  # the opening keynote is next


async def test_after_the_symposium_now_says_it_is_over(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 17, 9, 0, tzinfo=KL))
    user = bot.user()

    [reply] = await bot.send(user, "/now")

    assert text_of(reply) == "The symposium is over. Thank you for joining us!"


async def test_refresh_follows_the_clock(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 14, 10, 15, tzinfo=KL))
    user = bot.user()
    [reply] = await bot.send(user, "/now")
    bot.clock.set(datetime(2026, 3, 14, 10, 45, tzinfo=KL))

    [refreshed] = await bot.press(user, reply, "Refresh")

    assert refreshed.message_id == reply.message_id
    assert "Nothing is running right now." not in text_of(refreshed)


async def test_now_and_next_in_malay(bot: BotHarness) -> None:
    bot.clock.set(datetime(2026, 3, 14, 10, 45, tzinfo=KL))
    user = bot.user(lang="ms")

    [reply] = await bot.send(user, "/now")

    assert "Peraturan Platform" in text_of(reply) or "Platform" in text_of(reply)
    assert "⏭" in text_of(reply)

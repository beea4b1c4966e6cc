"""The examples the translations give really work (issue #15, point 15)."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness, text_of


@pytest.mark.parametrize(("lang", "example"), [("ur", "موسمیاتی تبدیلی"), ("ms", "iklim")])
async def test_the_topic_example_of_the_help_finds_sessions(
    bot: BotHarness, lang: str, example: str
) -> None:
    user = bot.user(lang=lang)

    [nothing] = await bot.send(user, "quantum zebra")
    [found] = await bot.send(user, example)

    assert f"“{example}”" in text_of(nothing)  # the example the answer suggests
    assert [b for b in found.button_texts() if b[:1] == "\u2068"]  # session buttons

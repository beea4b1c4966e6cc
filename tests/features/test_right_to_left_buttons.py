"""Buttons read the right way round in Arabic and Urdu (issue #15, point 16).

Telegram lays out a row of buttons left to right whatever the language (bots reverse the row
themselves: tdlib/telegram-bot-api#882), and ◀ ▶ are not mirrored by the bidi algorithm.
"""

from __future__ import annotations

import pytest

from bot.i18n import FSI, PDI, strip_bidi
from bot.sandbox.models import SentMessage
from tests.harness import BotHarness


def _row_with(message: SentMessage, label: str) -> list[str]:
    """The labels of the one button row holding `label`, left to right as Telegram shows it."""
    rows = message.buttons()
    [row] = [[strip_bidi(b["text"]) for b in r] for r in rows if any(label in b["text"] for b in r)]
    return row


@pytest.mark.parametrize(
    ("lang", "next_label", "previous_label"),
    [("ar", "التالي ◀", "▶ السابق"), ("ur", "اگلا ◀", "▶ پچھلا")],
)
async def test_pages_turn_forward_to_the_left_in_right_to_left_languages(
    bot: BotHarness, lang: str, next_label: str, previous_label: str
) -> None:
    user = bot.user(lang=lang)

    [first] = await bot.send(user, "/speakers")
    [second] = await bot.press(user, first, next_label)

    # Read from the right: back (pointing right), the counter, forward (pointing left).
    assert _row_with(first, "1/5") == [next_label, "1/5"]
    assert _row_with(second, "2/5") == [next_label, "2/5", previous_label]


async def test_pages_keep_the_left_to_right_order_in_english(bot: BotHarness) -> None:
    user = bot.user()

    [first] = await bot.send(user, "/speakers")
    [second] = await bot.press(user, first, "Next ▶")

    assert _row_with(second, "2/5") == ["◀ Previous", "2/5", "Next ▶"]


async def test_more_answers_turn_to_the_left_in_arabic(bot: BotHarness) -> None:
    user = bot.user(lang="ar")

    [first] = await bot.send(user, "المناخ")
    [second] = await bot.press(user, first, "المزيد")

    assert _row_with(first, "المزيد") == ["المزيد ◀"]
    assert _row_with(second, "السابق") == ["▶ السابق"]


async def test_a_speakers_latin_organization_is_cut_inside_its_own_isolate(
    bot: BotHarness,
) -> None:
    """Arabic name, Latin organization: the ellipsis ends the organization, not the line."""
    user = bot.user(lang="ar")

    [reply] = await bot.send(user, "Hannah Caldwell")

    label = reply.button_texts()[0]
    assert label.startswith(f"🎤 {FSI}هانا كالدويل{PDI} · {FSI}Westbrook University")
    assert label.endswith(f"…{PDI}")


async def test_speaker_buttons_in_the_list_isolate_name_and_organization(bot: BotHarness) -> None:
    user = bot.user(lang="ar")

    [first] = await bot.send(user, "/speakers")

    speakers = [b for b in first.button_texts() if b.startswith("🎤")]
    assert speakers[0] == f"🎤 {FSI}أحمد فوزي رحمن{PDI} · {FSI}Universiti Media Nusantara{PDI}"

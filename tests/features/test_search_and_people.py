"""Free text searches sessions and speakers in all four languages; speakers and rooms."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness, text_of


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("satellite weather", "Working with Satellite and Weather Data for Climate Stories"),
        ("بيانات الأقمار", "Working with Satellite and Weather Data for Climate Stories"),
        ("satelit", "Working with Satellite and Weather Data for Climate Stories"),
        ("سیٹلائٹ", "Working with Satellite and Weather Data for Climate Stories"),
    ],
)
async def test_search_finds_a_session_by_words_in_any_language(
    bot: BotHarness, query: str, title: str
) -> None:
    user = bot.user()

    [reply] = await bot.send(user, query)

    assert title in text_of(reply)
    assert (
        "Sun, Mar 15" in text_of(reply)
        or "Sat, Mar 14" in text_of(reply)
        or "Mon" in text_of(reply)
    )


async def test_search_finds_speakers_by_name_and_opens_their_card(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "Mariam Obeid")
    [card] = await bot.press(user, reply, "🎤 Mariam Obeid")

    assert text_of(reply).startswith("Mariam Obeid speaks in 3 sessions")
    assert text_of(card).startswith("🎤 Mariam Obeid")
    assert "Sessions" in text_of(card)


async def test_search_by_room_name(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "Immersive Media Lab")

    assert "Build Your First AR News Explainer" in text_of(reply)


async def test_no_match_gets_a_helpful_translated_answer(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "quantum zebra")

    assert text_of(reply).startswith("🤷 Nothing in the programme mentions quantum and zebra.")
    assert [text_of(reply)] and "Browse the programme" in "".join(reply.button_texts())


async def test_html_in_a_query_is_echoed_escaped(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "<3 & <i")

    assert text_of(reply).startswith("🤷 I did not understand “<3 & <i”.")
    assert "&lt;3 &amp; &lt;i" in (reply.text or "")  # escaped, never taken for markup


async def test_an_oversized_message_is_refused_politely(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "climate " * 600)

    assert "too long" in text_of(reply)
    assert "300" in text_of(reply)


async def test_speaker_list_is_alphabetical_and_paginated(bot: BotHarness) -> None:
    user = bot.user()

    [first] = await bot.send(user, "/speakers")
    [second] = await bot.press(user, first, "Next")

    assert "44 speakers" in text_of(first)
    names = [b for b in first.button_texts() if b.startswith("🎤")]
    assert len(names) == 10
    assert names == sorted(names, key=str.casefold)
    assert "Page 2 of 5" in text_of(second)


async def test_rooms_show_what_is_on_today_and_switch_days(bot: BotHarness) -> None:
    user = bot.user()
    [rooms] = await bot.send(user, "/rooms")

    [hall] = await bot.press(user, rooms, "Main Hall")
    [monday] = await bot.press(user, hall, "Mon, Mar 16")

    assert text_of(hall).startswith("🚪 Main Hall · Sat, Mar 14")
    assert "900 seats" in text_of(hall)
    assert "09:00–10:00" in text_of(hall)
    assert text_of(monday).startswith("🚪 Main Hall · Mon, Mar 16")


async def test_a_speakers_card_in_arabic_uses_the_arabic_spelling(bot: BotHarness) -> None:
    user = bot.user(lang="ar")

    [reply] = await bot.send(user, "Mariam Obeid")
    [card] = await bot.press(user, reply, "مريم")

    assert text_of(card).startswith("🎤 مريم")

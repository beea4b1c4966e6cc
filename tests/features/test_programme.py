"""An attendee browses the programme: days, a day's sessions page by page, session cards."""

from __future__ import annotations

import json

from bot.i18n import FSI, PDI, RLM
from tests.harness import BotHarness, text_of, texts


def callback_data(message_buttons: list[list[dict[str, str]]]) -> list[str]:
    return [b["callback_data"] for row in message_buttons for b in row if "callback_data" in b]


async def test_programme_offers_the_three_days_of_the_symposium(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "/programme")

    assert "Global Media Symposium: choose a day." in text_of(reply)
    labels = [text_of_label(t) for t in reply.button_texts()]
    assert labels == ["Day 1 · Sat, Mar 14", "Day 2 · Sun, Mar 15", "Day 3 · Mon, Mar 16"]


async def test_a_day_lists_its_sessions_in_time_order_page_by_page(bot: BotHarness) -> None:
    user = bot.user()
    [days] = await bot.send(user, "/programme")

    [page1] = await bot.press(user, days, "Day 1")
    [page2] = await bot.press(user, page1, "Next")
    [page3] = await bot.press(user, page2, "Next")

    assert page1.message_id == days.message_id  # the same message, edited in place
    assert "Day 1 · Sat, Mar 14" in text_of(page1)
    assert "Page 1 of 3" in text_of(page1)
    assert "Page 3 of 3" in text_of(page3)
    times = [
        line.split(" ", 1)[0]
        for page in (page1, page2, page3)
        for line in text_of(page).splitlines()
        if "–" in line[:12]
    ]
    assert times[0] == "09:00–10:00"
    starts = [t.split("–")[0] for t in times]
    assert starts == sorted(starts)
    assert len(times) == 22  # every session of day 1, none of day 2
    assert "Next ▶" not in [text_of_label(t) for t in page3.button_texts()]


async def test_session_card_shows_time_room_track_speakers_language_and_abstract(
    bot: BotHarness,
) -> None:
    user = bot.user()
    [days] = await bot.send(user, "/programme")
    [page1] = await bot.press(user, days, "Day 1")
    [page2] = await bot.press(user, page1, "Next")

    [card] = await bot.press(user, page2, "Business Models")

    assert text_of(card).splitlines()[:2] == [
        "🎙 Business Models for Independent Arabic Digital Media",
        "Talk",
    ]
    for line in (
        "🗓 Sat, Mar 14, 11:45–12:30",
        "📍 Merdeka Hall",
        "🏷 Online journalism",
        "🗣 In Arabic",
        "🎤 Speakers: Mariam Obeid and Karim Mansour",
    ):
        assert line in text_of(card).splitlines()
    assert "editorial independence" in text_of(card)
    labels = [text_of_label(t) for t in card.button_texts()]
    assert labels == [
        "⭐ Add to my agenda",
        "📅 Add to calendar",
        "✍️ Ask a question",
        "❓ Questions",
        "🎤 Mariam Obeid",
        "🎤 Karim Mansour",
        "🚪 More in this room",
        "📤 Share",
        "« Back",
    ]
    [share] = [b for row in card.buttons() for b in row if "Share" in b["text"]]
    assert share["switch_inline_query"] == "Business Models for Independent Arabic Digital Media"


async def test_back_from_a_session_returns_to_the_same_page(bot: BotHarness) -> None:
    user = bot.user()
    [days] = await bot.send(user, "/programme")
    [page1] = await bot.press(user, days, "Day 1")
    [page2] = await bot.press(user, page1, "Next")
    [card] = await bot.press(user, page2, "Business Models")

    [back] = await bot.press(user, card, "Back")

    assert "Page 2 of 3" in text_of(back)


async def test_a_speaker_button_on_a_card_opens_the_speaker(bot: BotHarness) -> None:
    user = bot.user()
    [found] = await bot.send(user, "Business Models Arabic")
    [card] = await bot.press(user, found, "Business Models")

    [speaker] = await bot.press(user, card, "Mariam Obeid")

    assert text_of(speaker).startswith("🎤 Mariam Obeid")
    assert "Business Models for Independent Arabic Digital Media" in text_of(speaker)


async def test_html_in_titles_is_shown_literally(bot: BotHarness) -> None:
    user = bot.user()

    [found] = await bot.send(user, "fact-checking live")
    [card] = await bot.press(user, found, "Fact-checking")

    assert "Fact-checking <live> & on air" in text_of(card)
    assert "&lt;live&gt; &amp; on air" in (card.text or "")


async def test_every_button_and_message_fits_telegram_limits(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    [days] = await bot.send(user, "/programme")
    screens = [days]
    for day_label in [t for t in days.button_texts()]:
        [page] = await bot.press(user, screens[0], text_of_label(day_label))
        screens.append(page)
        while "▶" in "".join(page.button_texts()):
            [page] = await bot.press(user, page, "▶")
            screens.append(page)
        [screens[0]] = await bot.press(user, page, "«")
    for screen in screens:
        assert len(screen.plain_text) <= 4096
        for data in callback_data(screen.buttons()):
            assert 1 <= len(data.encode()) <= 64
    assert bot.fake.calls  # the strict fake accepted every call on the way
    assert not [c for c in bot.fake.calls if not c.ok]


async def test_arabic_card_is_translated_and_isolated_for_right_to_left(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    [found] = await bot.send(user, "Business Models")
    [card] = await bot.press(user, found, "نماذج")

    raw = card.text or ""
    assert "نماذج الأعمال للإعلام الرقمي العربي المستقل" in text_of(card)
    assert f"{FSI}11:45{PDI}" in raw  # times keep their order inside Arabic text
    assert all(line.startswith(RLM) for line in raw.split("\n") if line)
    assert "السبت" in text_of(card)  # Babel's Arabic weekday


def text_of_label(label: str) -> str:
    from bot.i18n import strip_bidi

    return strip_bidi(label)


__all__ = ["json", "texts"]

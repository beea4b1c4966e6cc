"""Inline mode (`@bot climate` in any chat) and links that open a session, a speaker or a
room's now and next: what an attendee sees, at the fixture's clock (Saturday 14 March 2026,
10:15 in Kuala Lumpur, day 1, between two slots)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.i18n import RLM, plain_text, strip_bidi
from bot.presentation import inline as inline_screens
from bot.sandbox.models import InlineAnswer
from bot.services.inbox import InboxService, chat_of
from tests.conftest import KL
from tests.harness import BotHarness, text_of

CLIMATE_CRISIS = "Reporting the Climate Crisis from the Front Lines of the Global South"
LINK = "https://t.me/symposium_test_bot?start="


async def expected(bot: BotHarness, locale: str, message: str, **values: str) -> str:
    """The catalog's text as the user reads it: no tags, no bidi marks, entities decoded."""
    l10n = await bot.runtime.services.localizer(locale)
    return plain_text(l10n._(message, **values))


def described(answer: InlineAnswer) -> dict[str, str]:
    """Title -> description, as the user reads them above the text field."""
    return {r["title"]: strip_bidi(r["description"]) for r in answer.results}


async def session_id(bot: BotHarness, title: str) -> int:
    found = await bot.runtime.services.schedule.search(title, "en")
    [session] = [s for s in found.sessions if s.title == title]
    return session.id


async def room_id(bot: BotHarness, name: str) -> int:
    [room] = [r for r in await bot.runtime.services.schedule.rooms("en") if r.name == name]
    return room.id


# --------------------------------------------------------------------------- inline mode
async def test_typing_at_bot_climate_in_a_group_lists_climate_sessions_with_day_time_and_room(
    bot: BotHarness,
) -> None:
    amina = bot.user(lang="en")

    answer = await bot.inline(amina, "climate", chat_type="group")

    sessions = described(answer)
    assert sessions[CLIMATE_CRISIS] == "Sat, Mar 14, 14:00–15:00 · Main Hall"
    assert any("Glaciers" in title for title in sessions)
    assert answer.is_personal  # in Amina's language: not to be cached for others
    assert answer.cache_time == 300
    assert answer.next_offset == ""  # one page holds them all


async def test_choosing_a_result_posts_a_compact_card_with_a_button_that_opens_it_in_the_bot(
    bot: BotHarness,
) -> None:
    amina = bot.user(lang="en")
    answer = await bot.inline(amina, "climate")
    wanted = await session_id(bot, CLIMATE_CRISIS)

    posted = answer.chosen(result_id=f"s{wanted}")

    assert text_of(posted).splitlines() == [
        f"👥 {CLIMATE_CRISIS}",
        "🗓 Sat, Mar 14, 14:00–15:00",
        "📍 Main Hall",
        "🎤 Speakers: Sophie Marlowe, Zainab Rizvi, Huda Al-Amiri, and Siti Hajar Ismail",
        "🧭 Moderator: Samuel Okafor",
    ]
    [[button]] = posted.buttons()
    assert strip_bidi(button["text"]) == "🔎 Open in the bot"
    assert button["url"] == f"{LINK}session-{wanted}"

    [card] = await bot.send(amina, f"/start session-{wanted}")  # what that button does

    assert text_of(card).splitlines()[0].endswith(CLIMATE_CRISIS)


async def test_an_arabic_attendee_gets_arabic_titles_days_and_rooms(bot: BotHarness) -> None:
    nour = bot.user(1002, "Nour", lang="ar")
    wanted = await session_id(bot, CLIMATE_CRISIS)
    arabic = await bot.runtime.services.schedule.session(wanted, "ar")
    assert arabic is not None and arabic.room is not None

    answer = await bot.inline(nour, "climate")

    result = answer.result(result_id=f"s{wanted}")
    assert result["title"] == arabic.title
    assert result["description"].startswith(RLM)  # laid out right to left
    description = strip_bidi(result["description"])
    assert "السبت" in description and "14:00–15:00" in description and arabic.room in description
    posted = answer.chosen(result_id=f"s{wanted}")
    assert arabic.title in text_of(posted)
    assert all(line.startswith(RLM) for line in (posted.text or "").splitlines() if line)
    assert posted.button_texts() == [await expected(bot, "ar", "🔎 Open in the bot")]


async def test_a_malay_stranger_who_never_opened_the_bot_gets_malay(bot: BotHarness) -> None:
    siti = bot.fake.user(1003, "Siti", language_code="ms")

    answer = await bot.inline(siti, "climate")

    sessions = described(answer)
    assert sessions["Melaporkan Krisis Iklim dari Barisan Hadapan Dunia Selatan"] == (
        "Sab, 14 Mac, 14:00–15:00 · Dewan Utama"
    )


async def test_the_language_chosen_in_the_bot_wins_over_telegrams_hint(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    [picker] = await bot.send(amina, "/language")
    await bot.press(amina, picker, "العربية")

    answer = await bot.inline(amina, "climate")

    assert "السبت" in " ".join(described(answer).values())


async def test_an_empty_query_shows_what_is_on_now_and_next(bot: BotHarness) -> None:
    amina = bot.user(lang="en")

    answer = await bot.inline(amina, "")

    sessions = described(answer)
    # 10:15 is a break: the 10:30 slot comes next
    assert "Platform Rules vs. National Laws: Who Decides What Stays Online?" in sessions
    assert all("Sat, Mar 14, 10:30–" in d for d in sessions.values())
    assert answer.cache_time == 30  # "now" moves on

    bot.clock.set(datetime(2026, 3, 14, 10, 45, tzinfo=KL))
    later = await bot.inline(amina, "")

    assert "Platform Rules vs. National Laws: Who Decides What Stays Online?" in described(later)
    assert all("11:45–" in d or "10:30–" in d for d in described(later).values())


async def test_results_come_page_by_page_until_the_last_page(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    amina = bot.user(lang="en")
    everything = await bot.inline(amina, "climate")
    monkeypatch.setattr(inline_screens, "PAGE_SIZE", 4)

    pages = [await bot.inline(amina, "climate")]
    while pages[-1].next_offset:
        pages.append(await bot.inline(amina, "climate", offset=pages[-1].next_offset))

    ids = [r["id"] for page in pages for r in page.results]
    assert len(pages) >= 2 and all(len(p.results) <= 4 for p in pages)
    assert len(ids) == len(set(ids))  # no session twice
    assert sorted(ids) == sorted(r["id"] for r in everything.results)
    assert pages[-1].next_offset == ""


@pytest.mark.parametrize("offset", ["abc", "-5", "99999999999", "٣", "1e3"])
async def test_a_forged_offset_starts_from_the_top(bot: BotHarness, offset: str) -> None:
    amina = bot.user(lang="en")
    first = await bot.inline(amina, "climate")

    forged = await bot.inline(amina, "climate", offset=offset)

    assert forged.titles() == first.titles()


async def test_when_nothing_matches_a_button_opens_the_bot(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    bot.clock.set(datetime(2026, 3, 17, 9, 0, tzinfo=KL))  # nothing is on now or next

    answer = await bot.inline(amina, "")

    assert answer.results == []
    assert answer.button == {"text": "Ask the bot", "start_parameter": "inline"}
    [welcome] = await bot.send(amina, "/start inline")  # where the button leads
    assert text_of(welcome).startswith("👋 Welcome, Amina!")


async def test_long_queries_control_and_bidi_characters_are_answered(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    sender = {"id": amina.id, "is_bot": False, "first_name": "Amina", "language_code": "en"}
    weird = "\u202e\x00climate\u2066 " * 40  # 400 characters, more than Telegram sends
    query = {"id": "forged-1", "from": sender, "query": weird, "offset": ""}
    await bot.fake.send_raw_update({"inline_query": query})
    await bot.fake.wait_for(lambda: bot.fake.inline_answer("forged-1") is not None, 10)

    answer = bot.fake.inline_answer("forged-1")

    assert answer is not None and CLIMATE_CRISIS in answer.titles()
    for nasty in ("<b>", "' OR 1=1 --", "🙂🙂", "٣"):
        assert (await bot.inline(amina, nasty)).query == nasty  # answered, nothing crashed


# --------------------------------------------------------------------------- deep links
async def test_a_session_link_opens_its_card_with_a_share_button(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    wanted = await session_id(bot, CLIMATE_CRISIS)

    [card] = await bot.send(amina, f"/start session-{wanted}")

    assert text_of(card).splitlines()[0].endswith(CLIMATE_CRISIS)
    assert "🗓 Sat, Mar 14, 14:00–15:00" in text_of(card).splitlines()
    [share] = [b for row in card.buttons() for b in row if "Share" in b["text"]]
    assert share["switch_inline_query"] == CLIMATE_CRISIS
    assert "⭐ Add to my agenda" in [strip_bidi(t) for t in card.button_texts()]


async def test_the_share_button_leads_to_the_same_session_in_inline_mode(bot: BotHarness) -> None:
    amina = bot.user(lang="ar")
    wanted = await session_id(bot, CLIMATE_CRISIS)
    [card] = await bot.send(amina, f"/start session-{wanted}")
    [share] = [b for row in card.buttons() for b in row if "switch_inline_query" in b]

    answer = await bot.inline(amina, share["switch_inline_query"])

    assert answer.results[0]["id"] == f"s{wanted}"


async def test_a_forged_or_removed_link_gets_a_clear_answer_and_the_menu(bot: BotHarness) -> None:
    nour = bot.user(1002, "Nour", lang="ar")
    not_found = await expected(
        bot,
        "ar",
        "I could not find what this link points to: it may have been removed from the "
        "programme. Here is the menu.",
    )

    for payload in ("session-999999", "speaker-999999", "room-999999"):
        [answer] = await bot.send(nour, f"/start {payload}")
        assert text_of(answer) == not_found
        assert await expected(bot, "ar", "📅 Programme") in answer.keyboard_texts()

    for garbage in ("session-0", "session-1x", "room-" + "9" * 30, "session-"):
        [welcome] = await bot.send(nour, f"/start {garbage}")  # no link at all: a greeting
        assert text_of(welcome).splitlines()[0] == await expected(
            bot, "ar", "👋 Welcome, {name}!", name="Nour"
        )


async def test_a_speaker_link_opens_the_speaker(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    speakers = await bot.runtime.services.schedule.speakers("en")
    [hakimi] = [s for s in speakers if s.name == "Hakimi Yusof"]

    [card] = await bot.send(amina, f"/start speaker-{hakimi.id}")

    assert text_of(card).splitlines()[0] == "🎤 Hakimi Yusof"
    assert "Mapping Urban Floods with Open Data" in text_of(card)


async def test_a_room_link_shows_what_is_on_there_now_and_next(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    rafflesia = await room_id(bot, "Rafflesia Room")

    [sign] = await bot.send(amina, f"/start room-{rafflesia}")

    now_part, next_part = text_of(sign).split("⏭ Next")
    assert text_of(sign).splitlines()[0] == "🚪 Rafflesia Room"
    assert "Nothing is on in this room right now." in now_part  # 10:15, a break
    assert "Sat, Mar 14, 10:30–11:15" in next_part
    assert "Mapping Urban Floods with Open Data" in next_part
    labels = [strip_bidi(t) for t in sign.button_texts()]
    assert labels == [
        "10:30 Mapping Urban Floods with Open Data",
        "📅 The whole day in this room",
        "« All rooms",
    ]

    [day] = await bot.press(amina, sign, "The whole day in this room")
    assert text_of(day).splitlines()[0] == "🚪 Rafflesia Room · Sat, Mar 14"


async def test_a_room_link_during_a_session_and_after_the_symposium(bot: BotHarness) -> None:
    amina = bot.user(lang="en")
    rafflesia = await room_id(bot, "Rafflesia Room")

    bot.clock.set(datetime(2026, 3, 14, 10, 45, tzinfo=KL))
    [during] = await bot.send(amina, f"/start room-{rafflesia}")
    now_part, next_part = text_of(during).split("⏭ Next")
    assert "10:30–11:15" in now_part and "Mapping Urban Floods with Open Data" in now_part
    assert "Mapping Urban Floods" not in next_part and "Sat, Mar 14" in next_part

    [card] = await bot.press(amina, during, "Mapping Urban Floods")
    assert "Mapping Urban Floods with Open Data" in text_of(card).splitlines()[0]

    bot.clock.set(datetime(2026, 3, 17, 9, 0, tzinfo=KL))
    [after] = await bot.send(amina, f"/start room-{rafflesia}")
    assert "The symposium is over. Thank you for joining us!" in text_of(after)


# --------------------------------------------------------------------------- the inbox
def inline_update(update_id: int, user_id: int) -> dict[str, Any]:
    sender = {"id": user_id, "is_bot": False, "first_name": "Amina"}
    query = {"id": f"iq{update_id}", "from": sender, "query": "climate", "offset": ""}
    return {"update_id": update_id, "inline_query": query}


def private_text(update_id: int, user_id: int) -> dict[str, Any]:
    sender = {"id": user_id, "is_bot": False, "first_name": "Amina"}
    chat = {"id": user_id, "type": "private", "first_name": "Amina"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": sender, "text": "/now"}
    return {"update_id": update_id, "message": message}


async def test_an_inline_query_is_stored_and_ordered_with_its_senders_private_chat(
    inbox: InboxService,
) -> None:
    """It has no chat: its key is the sender, so one person's keystrokes are answered in the
    order typed and never beside their private chat's update (their first contact is
    recorded once); other people's updates go on meanwhile."""
    assert chat_of(inline_update(1, 42)) == 42

    await inbox.store([inline_update(1, 42), private_text(2, 42), inline_update(3, 43)])
    first = await inbox.claim()

    assert [(i.update_id, i.chat_id) for i in first] == [(1, 42), (3, 43)]
    assert first[0].payload["inline_query"]["query"] == "climate"
    assert await inbox.claim() == []  # the private message waits for the inline query
    await inbox.finish(1)
    assert [i.update_id for i in await inbox.claim()] == [2]


# --------------------------------------------------------------------------- webhook mode
async def test_inline_queries_are_received_through_the_webhook_too(
    webhook_bot: BotHarness,
) -> None:
    amina = webhook_bot.user(lang="en")

    answer = await webhook_bot.inline(amina, "climate")
    [welcome] = await webhook_bot.send(amina, "/start")  # the private chat is not held up

    assert CLIMATE_CRISIS in answer.titles()
    assert webhook_bot.fake.last_delivery_status == 200
    assert "Welcome, Amina!" in text_of(welcome)
    assert "inline_query" in webhook_bot.fake.hub.allowed_updates

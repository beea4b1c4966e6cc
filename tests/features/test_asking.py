"""Attendees ask the programme in their own words and get a direct answer, what was
understood, the sessions, and buttons to widen or choose (issue #14)."""

from __future__ import annotations

import pytest

from bot.sandbox.fake_bot_api import FakeBotApi
from tests.conftest import ADMIN
from tests.harness import BotHarness, text_of


def data_of(message: object, prefix: str) -> list[str]:
    return [
        str(b.get("callback_data"))
        for row in message.buttons()  # type: ignore[attr-defined]
        for b in row
        if str(b.get("callback_data", "")).startswith(prefix)
    ]


async def test_an_attendee_asking_when_nour_haddad_speaks_gets_a_direct_answer(
    bot: BotHarness,
) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "When does Nour Haddad speak?")

    text = text_of(reply)
    assert text.startswith(
        "Nour Haddad speaks in 4 sessions; the first is on Sat, Mar 14 at 10:30."
    )
    assert "🔎 🎤 Nour Haddad" in text
    assert len(data_of(reply, "ses:")) == 4
    assert data_of(reply, "spk:")  # her card, one press away


async def test_an_urdu_question_about_karim_mansour_is_answered_in_urdu(bot: BotHarness) -> None:
    user = bot.user(lang="ur")

    [reply] = await bot.send(user, "کریم منصور کب بولیں گے؟")

    text = text_of(reply)
    assert "کریم منصور کے 3 سیشنز ہیں" in text
    assert "عربی ڈیجیٹل میڈیا" in text or "عربی" in text  # the titles are the Urdu ones
    assert len(data_of(reply, "ses:")) == 3


async def test_a_room_and_time_tomorrow_in_malay(bot: BotHarness) -> None:
    user = bot.user(lang="ms")

    [reply] = await bot.send(user, "Apa yang berlangsung di Dewan Utama esok pukul 10.30 pagi?")

    text = text_of(reply)
    assert "📍 Dewan Utama" in text
    assert "10:30" in text
    assert "Kewartawanan Imersif" in text  # the Malay title of the 10:30 panel there
    assert len(data_of(reply, "ses:")) == 1
    assert "🕘 Bila-bila masa" in reply.button_texts()


async def test_widening_to_all_rooms_keeps_the_time(bot: BotHarness) -> None:
    user = bot.user()
    [reply] = await bot.send(user, "main hall tomorrow at 10:30")

    [wider] = await bot.press(user, reply, "All rooms")

    assert len(data_of(wider, "ses:")) == 6  # every 10:30 session that Sunday
    assert "Main Hall" not in text_of(wider).split("\n")[0]


async def test_a_shared_name_is_asked_back_and_the_choice_answers(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "when does tariq speak")
    assert text_of(reply).startswith("🤔 2 people match")
    [answer] = await bot.press(user, reply, "Usman Tariq")

    assert text_of(answer).startswith("Usman Tariq speaks in 4 sessions")


async def test_a_time_without_a_day_before_the_event_asks_which_day(
    bot: BotHarness,
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    bot.clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Kuala_Lumpur")))
    user = bot.user()

    [reply] = await bot.send(user, "what is on at 10:30")
    assert text_of(reply).startswith("🤔 Which day do you mean?")
    [answer] = await bot.press(user, reply, "Day 2")

    assert len(data_of(answer, "ses:")) == 6


async def test_no_match_says_what_is_nearest(bot: BotHarness) -> None:
    user = bot.user()

    [hall_b] = await bot.send(user, "what is in Hall B at 3pm tomorrow?")
    [orchid] = await bot.send(user, "orchid room tomorrow at 1pm")

    assert text_of(hall_b).startswith("🤷 There is no room called “hall b”.")
    assert text_of(orchid).startswith("🤷 Nothing for")
    assert "The closest ones in that room:" in text_of(orchid)
    assert len(data_of(orchid, "ses:")) == 2  # before and after lunch in that room


async def test_a_long_list_is_paged_and_says_how_many(bot: BotHarness) -> None:
    user = bot.user()
    [reply] = await bot.send(user, "tomorrow")

    assert "23 sessions, page 1 of 3:" in text_of(reply)
    [page2] = await bot.press(user, reply, "More")
    assert "page 2 of 3" in text_of(page2)
    assert set(data_of(page2, "ses:")).isdisjoint(data_of(reply, "ses:"))


async def test_search_command_and_plain_words_use_the_same_engine(bot: BotHarness) -> None:
    user = bot.user()

    [command] = await bot.send(user, "/search keynote")
    [words] = await bot.send(user, "keynote")

    assert text_of(command) == text_of(words)
    assert len(data_of(words, "ses:")) == 3


@pytest.mark.parametrize(
    "question",
    ["😀🎉", "12345", "‮‏hello‬", "<script>alert(1)</script>", "'; DROP TABLE sessions; --"],
)
async def test_hostile_or_empty_questions_get_a_clear_answer(
    bot: BotHarness, question: str
) -> None:
    user = bot.user()

    [reply] = await bot.send(user, question)

    assert text_of(reply).startswith("🤷")
    assert not data_of(reply, "ses:")


async def test_a_question_of_4096_characters_is_refused_politely(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "climate " * 512)

    assert "too long" in text_of(reply)


async def test_a_forged_or_foreign_refine_button_changes_nothing(
    bot: BotHarness, fake: FakeBotApi
) -> None:
    amina, omar = bot.user(1001, "Amina"), bot.user(1002, "Omar")
    [hers] = await bot.send(amina, "keynote tomorrow at 9")
    [his] = await bot.send(omar, "workshops")
    her_button = data_of(hers, "ak:")[0]

    foreign = await bot.press_forged(omar, his, her_button)
    forged = await bot.press_forged(omar, his, "ak:1:zz:0:x")

    assert foreign == [] and forged == []  # his answer stays as it was, hers is not shown
    toasts = [str(t.get("text", "")) for t in fake.callback_answers(omar.id)]
    assert len(toasts) == 2 and all(toasts)


async def test_organizers_see_the_questions_the_bot_could_not_answer(desk: BotHarness) -> None:
    attendee, organizer = desk.user(1001), desk.user(ADMIN, "Organizer")
    for question in ("wifi password?", "Wifi password", "where is the prayer room"):
        await desk.send(attendee, question)
    await desk.send(attendee, "keynote")  # answered: not listed

    [stats] = await desk.send(organizer, "/stats")

    text = text_of(stats)
    assert "Questions I could not answer" in text
    assert "Asked 2 times: Wifi password" in text
    assert "keynote" not in text.split("Questions I could not answer")[1].split("\n\n")[0]


async def test_the_same_question_on_another_day_is_one_press_away(bot: BotHarness) -> None:
    user = bot.user()
    [reply] = await bot.send(user, "keynote tomorrow")
    assert len(data_of(reply, "ses:")) == 1

    [monday] = await bot.press(user, reply, "Day 3")

    assert "Journalism and Democracy in Southeast Asia" in text_of(monday)
    assert len(data_of(monday, "ses:")) == 1


async def test_whats_next_for_me_reads_my_agenda(bot: BotHarness) -> None:
    user = bot.user()
    [found] = await bot.send(user, "Protecting Confidential Sources")
    [card] = await bot.press(user, found, "Protecting Confidential Sources")
    await bot.press(user, card, "⭐")

    [reply] = await bot.send(user, "what's next for me")

    assert data_of(reply, "ses:") and len(data_of(reply, "ses:")) == 1
    assert "Protecting Confidential Sources in a Surveillance Era" in text_of(reply)


async def test_nothing_that_day_names_the_days_that_have_it(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "keynote on Sunday afternoon")

    text = text_of(reply)
    assert text.startswith("🤷 Nothing for")
    assert "On other days: Sat, Mar 14 (1 session) and Mon, Mar 16 (1 session)." in text


@pytest.mark.parametrize(
    ("lang", "question"), [("en", "Hall B"), ("ms", "Dewan B"), ("ur", "ہال بی")]
)
async def test_a_room_that_does_not_exist_is_named_in_any_language(
    bot: BotHarness, lang: str, question: str
) -> None:
    user = bot.user(lang=lang)

    [reply] = await bot.send(user, question)

    assert text_of(reply).startswith("🤷")
    assert not data_of(reply, "ses:")
    assert data_of(reply, "rooms")

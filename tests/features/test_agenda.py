"""An attendee keeps a personal agenda, reserves workshop seats and exports a calendar."""

from __future__ import annotations

from icalendar import Calendar

from bot.db import models as m
from bot.services.programme_cache import bump_version
from tests.harness import BotHarness, text_of


async def test_adding_and_removing_a_session_from_the_agenda(bot: BotHarness) -> None:
    user = bot.user()
    [found] = await bot.send(user, "Business Models Arabic")
    [card] = await bot.press(user, found, "Business Models")

    [added] = await bot.press(user, card, "Add to my agenda")
    [agenda] = await bot.send(user, "/agenda")
    [removed] = await bot.press(user, added, "Remove from my agenda")
    [empty] = await bot.send(user, "/agenda")

    assert "✖️ Remove from my agenda" in added.button_texts()
    assert bot.fake.callback_answers(1001)[-2]["text"] == "⭐ Added to your agenda."
    assert "My agenda: 1 session" in text_of(agenda)
    assert "Business Models for Independent Arabic Digital Media" in text_of(agenda)
    assert "⭐ Add to my agenda" in removed.button_texts()
    assert text_of(empty).startswith("🗓 Your agenda is empty.")


async def test_overlapping_sessions_are_marked_as_clashes(bot: BotHarness) -> None:
    user = bot.user()
    for query, button in (
        ("Business Models Arabic", "Business Models"),
        ("Covering Elections", "Covering Elections"),
    ):
        [found] = await bot.send(user, query)
        [card] = await bot.press(user, found, button)
        await bot.press(user, card, "Add to my agenda")

    [agenda] = await bot.send(user, "/agenda")

    assert "My agenda: 2 sessions" in text_of(agenda)
    assert "⚠️ Clashes with Covering Elections Without Amplifying Disinformation" in text_of(agenda)
    assert "⚠️ Clashes with Business Models for Independent Arabic Digital Media" in text_of(agenda)


async def test_an_arabic_agenda_is_in_arabic_and_right_to_left(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    [found] = await bot.send(user, "Business Models Arabic")
    [card] = await bot.press(user, found, "نماذج")
    await bot.press(user, card, "⭐")

    [agenda] = await bot.send(user, "/agenda")

    assert "نماذج الأعمال للإعلام الرقمي العربي المستقل" in text_of(agenda)
    assert "السبت" in text_of(agenda)
    assert all(line.startswith("\u200f") for line in (agenda.text or "").split("\n") if line)


async def test_the_agenda_exports_as_an_ics_calendar_with_alarms(bot: BotHarness) -> None:
    user = bot.user()
    [found] = await bot.send(user, "Business Models Arabic")
    [card] = await bot.press(user, found, "Business Models")
    await bot.press(user, card, "Add to my agenda")
    [agenda] = await bot.send(user, "/agenda")

    [document] = await bot.press(user, agenda, "Add all to my calendar")

    assert document.kind == "document"
    assert document.filename == "my-agenda.ics"
    calendar = Calendar.from_ical(document.document or b"")
    [event] = [c for c in calendar.walk("VEVENT")]
    assert str(event["SUMMARY"]) == "Business Models for Independent Arabic Digital Media"
    assert str(event["LOCATION"]) == "Merdeka Hall"
    assert event.decoded("DTSTART").isoformat() == "2026-03-14T11:45:00+08:00"
    assert event["DTSTART"].params["TZID"] == "Asia/Kuala_Lumpur"
    assert "Mariam Obeid" in str(event["DESCRIPTION"])
    [alarm] = [c for c in event.walk("VALARM")]
    assert str(alarm.decoded("TRIGGER")) == "-1 day, 23:45:00"  # 15 minutes before
    assert [c for c in calendar.walk("VTIMEZONE")]


async def test_a_workshop_seat_is_reserved_and_given_back(bot: BotHarness) -> None:
    user = bot.user()
    [found] = await bot.send(user, "5 tools verifying video")
    [card] = await bot.press(user, found, "5 tools")

    [reserved] = await bot.press(user, card, "Reserve a seat")
    [released] = await bot.press(user, reserved, "Cancel my seat")

    assert "seats left of" in text_of(card)
    assert "Your seat is reserved." in text_of(reserved)
    assert "✖️ Remove from my agenda" in reserved.button_texts()  # a seat also bookmarks
    assert "🎟 Reserve a seat" in released.button_texts()


async def test_a_full_workshop_waitlists_and_promotes_in_the_next_persons_language(
    bot: BotHarness,
) -> None:
    services = bot.runtime.services
    found = await services.schedule.search("5 tools verifying video", "en")
    session_id = found.sessions[0].id
    async with services.sessions.begin() as db:
        row = await db.get(m.Session, session_id)
        assert row is not None
        row.capacity = 1
        await bump_version(db, row.event_id)  # edited behind the programme service's back
    first, second = bot.user(1001, "Amina", lang="en"), bot.user(1002, "Omar", lang="ar")
    [found1] = await bot.send(first, "5 tools verifying video")
    [card1] = await bot.press(first, found1, "5 tools")
    [seat1] = await bot.press(first, card1, "Reserve a seat")
    [found2] = await bot.send(second, "5 tools verifying video")
    [card2] = await bot.press(second, found2, "5")

    assert "0 seats left of 1" in text_of(seat1)
    [waiting] = await bot.press(second, card2, "⏳")
    await bot.press(first, seat1, "Cancel my seat")

    waiting_text = text_of(waiting)
    assert "1" in waiting_text
    await bot.fake.wait_for(lambda: text_of(bot.fake.last_message(second.id)).startswith("🎉"))
    news = text_of(bot.fake.last_message(second.id))
    l10n = await services.localizer("ar")
    assert news.startswith("🎉")
    assert news != text_of(seat1)
    assert "5 أدوات" in news  # the title in Arabic
    assert l10n.locale == "ar"


async def test_a_single_session_calendar_file_in_arabic(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    [found] = await bot.send(user, "Business Models Arabic")
    [card] = await bot.press(user, found, "نماذج")

    [document] = await bot.press(user, card, "📅")

    calendar = Calendar.from_ical(document.document or b"")
    [event] = list(calendar.walk("VEVENT"))
    assert str(event["SUMMARY"]) == "نماذج الأعمال للإعلام الرقمي العربي المستقل"
    assert event.decoded("DTEND").isoformat() == "2026-03-14T12:30:00+08:00"
    assert document.filename is not None and document.filename.endswith(".ics")

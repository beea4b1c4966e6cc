"""Attendees are reminded before the sessions in their agenda, told when one moves or is
cancelled, and get a morning summary, in the language they use when it is sent.

Time is the harness's FrozenClock: a test moves it, then sends what is due with
`deliver()`; nothing sleeps until a reminder is due.
"""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.db import models as m
from bot.domain.outbox_kinds import DIGEST, REMINDER
from bot.i18n import plain_text, strip_bidi
from bot.sandbox.models import FakeUser, SentMessage
from tests.conftest import KL
from tests.harness import BotHarness, text_of

ARABIC_TITLE = "نماذج الأعمال للإعلام الرقمي العربي المستقل"
ENGLISH_TITLE = "Business Models for Independent Arabic Digital Media"
START = datetime(2026, 3, 14, 11, 45, tzinfo=KL)  # that session: 11:45-12:30, Merdeka Hall
STARTS_IN = ("⏰ <b>{title}</b> starts in {n} minute.", "⏰ <b>{title}</b> starts in {n} minutes.")


def local(hour: int, minute: int = 0, day: int = 14) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=KL)


async def deliver(bot: BotHarness) -> None:
    """Send everything due at the clock's time; a row the background dispatcher claimed
    first is waited for, so afterwards the fake has every message that was due. Its claim
    may still be uncommitted when `drain` looks (on PostgreSQL the rows are then skipped,
    not waited for), so drain again until no row is due or in flight."""
    outbox = bot.runtime.services.outbox
    async with asyncio.timeout(5):
        while True:
            await bot.runtime.dispatcher.drain()
            due = await outbox.next_due()
            in_flight = (await outbox.counts()).get("sending")
            if not in_flight and (due is None or due > bot.clock.now()):
                break
            await asyncio.sleep(0.01)


def labels(message: SentMessage) -> list[str]:
    return [strip_bidi(label) for label in message.button_texts()]


def readable(text: str) -> str:
    return plain_text(text)


async def expected(bot: BotHarness, locale: str, message: str, **values: str) -> str:
    """The catalog's text as the user reads it: no tags, no bidi marks, entities decoded."""
    l10n = await bot.runtime.services.localizer(locale)
    return readable(l10n._(message, **values))


async def expected_n(
    bot: BotHarness, locale: str, forms: tuple[str, str], n: int, **values: str
) -> str:
    l10n = await bot.runtime.services.localizer(locale)
    return readable(l10n.ngettext(forms[0], forms[1], n, **values))


async def bookmark(bot: BotHarness, user: FakeUser, query: str, button: str) -> SentMessage:
    """Find a session, open its card and add it to the agenda (the card as it is then)."""
    [found] = await bot.send(user, query)
    [card] = await bot.press(user, found, button)
    [added] = await bot.press(user, card, "⭐")
    return added


async def bookmark_business_models(bot: BotHarness, user: FakeUser) -> SentMessage:
    label = "نماذج" if user.language_code == "ar" else "Business Models"
    return await bookmark(bot, user, "Business Models Arabic", label)


async def arrivals(bot: BotHarness, user: FakeUser, at: datetime) -> list[SentMessage]:
    """Move the clock to `at`, deliver what is due, return the messages that arrived."""
    before = len(bot.fake.messages(user.id))
    bot.clock.set(at)
    await deliver(bot)
    return [copy.deepcopy(message) for message in bot.fake.messages(user.id)[before:]]


async def session_id(bot: BotHarness, key: str = "d1-talk-arabic-digital-models") -> int:
    async with bot.runtime.services.sessions() as db:
        found = await db.scalar(select(m.Session.id).where(m.Session.key == key))
    assert found is not None
    return found


async def outbox_rows(bot: BotHarness, kind: str) -> list[m.OutboxMessage]:
    async with bot.runtime.services.sessions() as db:
        return list(
            await db.scalars(
                select(m.OutboxMessage)
                .where(m.OutboxMessage.kind == kind)
                .order_by(m.OutboxMessage.id)
            )
        )


# --- the reminder ---------------------------------------------------------------------------
async def test_an_attendee_who_bookmarked_a_session_gets_an_arabic_reminder_15_minutes_before(
    bot: BotHarness,
) -> None:
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)
    detail = await bot.runtime.services.schedule.session(await session_id(bot), "ar")
    assert detail is not None and detail.room is not None

    early = await arrivals(bot, user, local(11, 29))
    [reminder] = await arrivals(bot, user, local(11, 30))

    lines = text_of(reminder).splitlines()
    assert early == []
    assert lines[0] == await expected_n(bot, "ar", STARTS_IN, 15, title=ARABIC_TITLE)
    assert "15 دقيقة" in lines[0]  # 11-99 take the singular accusative: the "many" form
    assert "11:45" in lines[2] and "12:30" in lines[2] and "السبت" in lines[2]
    assert detail.room in lines[3]
    assert all(person.name in text_of(reminder) for person in detail.people)
    assert reminder.button_texts() == [
        await expected(bot, "ar", "🔎 Open the session"),
        await expected(bot, "ar", "✖️ Remove from my agenda"),
    ]
    assert all(line.startswith("\u200f") for line in (reminder.text or "").split("\n") if line)


async def test_pressing_remove_on_a_reminder_takes_the_session_out_of_the_agenda(
    bot: BotHarness,
) -> None:
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)
    [reminder] = await arrivals(bot, user, local(11, 30))

    [card] = await bot.press(user, reminder, await expected(bot, "ar", "✖️ Remove from my agenda"))
    [agenda] = await bot.send(user, "/agenda")

    assert await expected(bot, "ar", "⭐ Add to my agenda") in card.button_texts()
    assert bot.fake.callback_answers(user.id)[-1]["text"] == await expected(
        bot, "ar", "Removed from your agenda."
    )
    empty = await expected(
        bot, "ar", "🗓 Your agenda is empty. Open a session and press “⭐ Add to my agenda”."
    )
    assert text_of(agenda) == empty


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(15, "15 دقيقة"), (5, "5 دقائق"), (2, "دقيقتين"), (1, "دقيقة واحدة")],
    ids=["many", "few", "two", "one"],
)
async def test_an_arabic_reminder_says_the_minutes_left_in_the_right_plural_form(
    bot: BotHarness, minutes: int, words: str
) -> None:
    """Counted when sent: a reminder sent late says how many minutes are really left."""
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)

    [reminder] = await arrivals(bot, user, START - timedelta(minutes=minutes))

    headline = text_of(reminder).splitlines()[0]
    assert headline == await expected_n(bot, "ar", STARTS_IN, minutes, title=ARABIC_TITLE)
    assert words in headline


async def test_an_english_reminder_opens_the_session_card(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)

    [reminder] = await arrivals(bot, user, local(11, 30))
    [card] = await bot.press(user, reminder, "Open the session")

    assert text_of(reminder).splitlines()[0] == f"⏰ {ENGLISH_TITLE} starts in 15 minutes."
    assert "📍 Merdeka Hall" in text_of(reminder)
    assert "🎤 Speakers: Mariam Obeid and Karim Mansour" in text_of(reminder)
    assert ENGLISH_TITLE in text_of(card)
    assert "✖️ Remove from my agenda" in card.button_texts()


async def test_removing_the_bookmark_cancels_the_reminder(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    card = await bookmark_business_models(bot, user)
    await bot.press(user, card, "Remove from my agenda")

    sent = await arrivals(bot, user, local(11, 30))

    assert sent == []
    assert [r.state for r in await outbox_rows(bot, REMINDER)] == ["cancelled"]


async def test_the_reminder_speaks_the_language_chosen_after_bookmarking(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)
    [picker] = await bot.send(user, "/language")
    await bot.press(user, picker, "اردو")

    [reminder] = await arrivals(bot, user, local(11, 30))

    urdu_title = "آزاد عربی ڈیجیٹل میڈیا کے کاروباری ماڈل"
    assert text_of(reminder).splitlines()[0] == await expected_n(
        bot, "ur", STARTS_IN, 15, title=urdu_title
    )
    assert (reminder.text or "").startswith("\u200f")


# --- settings ---------------------------------------------------------------------------------
async def test_a_lead_time_chosen_in_settings_reschedules_the_reminder(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)
    [agenda] = await bot.send(user, "/agenda")
    [settings] = await bot.press(user, agenda, "⚙️ Settings")

    [changed] = await bot.press(user, settings, "30 minutes")
    early = await arrivals(bot, user, local(11, 14))
    [reminder] = await arrivals(bot, user, local(11, 15))

    assert "✅ 15 minutes" in labels(settings)
    assert "✅ 30 minutes" in labels(changed)
    assert "I remind you 30 minutes before each session" in text_of(changed)
    toast = strip_bidi(bot.fake.callback_answers(user.id)[-1]["text"])
    assert toast == "⏰ I will remind you 30 minutes before."
    assert early == []
    assert text_of(reminder).splitlines()[0] == f"⏰ {ENGLISH_TITLE} starts in 30 minutes."


async def test_switching_reminders_off_cancels_them(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)
    [settings] = await bot.send(user, "/settings")

    [changed] = await bot.press(user, settings, await expected(bot, "ar", "Off"))
    sent = await arrivals(bot, user, local(11, 30))

    assert await expected(bot, "ar", "🔕 Reminders are off.") in text_of(changed)
    assert sent == []
    assert [r.state for r in await outbox_rows(bot, REMINDER)] == ["cancelled"]


async def test_the_calendar_alarm_follows_the_lead_time(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    card = await bookmark_business_models(bot, user)
    [settings] = await bot.send(user, "/settings")
    await bot.press(user, settings, "60 minutes")
    [sixty] = await bot.press(user, card, "Add to calendar")
    await bot.press(user, settings, "Off")
    [none] = await bot.press(user, card, "Add to calendar")

    [alarm] = list(Calendar.from_ical(sixty.document or b"").walk("VALARM"))
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=60)
    assert list(Calendar.from_ical(none.document or b"").walk("VALARM")) == []


async def test_the_settings_language_button_opens_the_language_picker(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    [settings] = await bot.send(user, "/settings")

    [picker] = await bot.press(user, settings, "🌐 Language")

    assert picker.button_texts() == ["العربية", "English", "Melayu", "اردو"]


# --- schedule changes ---------------------------------------------------------------------------
async def test_a_moved_session_sends_a_notice_and_reminds_at_the_new_time(
    bot: BotHarness,
) -> None:
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)

    await bot.runtime.services.programme.change_session(
        await session_id(bot), starts_at=local(14, 30), room_key="main-hall"
    )
    [notice] = await arrivals(bot, user, local(10, 15))
    at_old_time = await arrivals(bot, user, local(11, 30))
    [reminder] = await arrivals(bot, user, local(14, 15))

    assert text_of(notice).splitlines()[0] == (
        f"🔀 {ENGLISH_TITLE} moved from Merdeka Hall to Main Hall, now at 14:30–15:15."
    )
    assert "Open the session" in notice.button_texts()[0]
    assert at_old_time == []
    assert text_of(reminder).splitlines()[0] == f"⏰ {ENGLISH_TITLE} starts in 15 minutes."
    assert "📍 Main Hall" in text_of(reminder)


async def test_an_arabic_notice_for_a_new_time_says_the_old_one(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)

    await bot.runtime.services.programme.change_session(
        await session_id(bot), starts_at=local(16, 0)
    )
    [notice] = await arrivals(bot, user, local(10, 15))

    l10n = await bot.runtime.services.localizer("ar")
    headline = l10n._(
        "🕒 <b>{title}</b> is now at {when} (was {was}).",
        title=ARABIC_TITLE,
        when=l10n._("{start}–{end}", start="16:00", end="16:45"),
        was=l10n._("{start}–{end}", start="11:45", end="12:30"),
    )
    assert text_of(notice).splitlines()[0] == readable(headline)
    assert (notice.text or "").startswith("\u200f")


async def test_a_cancelled_session_sends_a_notice_and_no_reminder(bot: BotHarness) -> None:
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)

    await bot.runtime.services.programme.change_session(await session_id(bot), cancelled=True)
    [notice] = await arrivals(bot, user, local(10, 15))
    later = await arrivals(bot, user, local(11, 30))

    assert ARABIC_TITLE in text_of(notice)
    assert text_of(notice).startswith("❌")
    assert await expected(bot, "ar", "🗓 My agenda") in notice.button_texts()
    assert later == []


# --- after downtime -------------------------------------------------------------------------------
async def test_a_late_reminder_before_the_start_tells_the_true_minutes(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)

    [reminder] = await arrivals(bot, user, local(11, 40))

    assert text_of(reminder).splitlines()[0] == f"⏰ {ENGLISH_TITLE} starts in 5 minutes."


async def test_a_reminder_five_minutes_after_the_start_says_it_has_just_started(
    bot: BotHarness,
) -> None:
    user = bot.user(lang="ar")
    await bookmark_business_models(bot, user)

    [reminder] = await arrivals(bot, user, local(11, 50))

    assert text_of(reminder).splitlines()[0] == await expected(
        bot, "ar", "▶️ <b>{title}</b> has just started.", title=ARABIC_TITLE
    )


async def test_a_reminder_30_minutes_after_the_start_is_skipped_with_a_reason(
    bot: BotHarness,
) -> None:
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)

    sent = await arrivals(bot, user, local(12, 15))

    [row] = await outbox_rows(bot, REMINDER)
    assert sent == []
    assert (row.state, row.last_error) == (
        "skipped",
        "too late: the session started 30 minutes ago",
    )


# --- the morning digest --------------------------------------------------------------------------
async def test_the_morning_digest_lists_the_days_sessions_at_0730(bot: BotHarness) -> None:
    bot.clock.set(local(6, 0))
    amina, omar = bot.user(1001, "Amina", "en"), bot.user(1002, "Omar", "ar")
    sara = bot.user(1003, "Sara", "ms")
    await bookmark_business_models(bot, amina)
    await bookmark_business_models(bot, omar)
    await bookmark(bot, sara, "Business Models Arabic", "Model Perniagaan")
    await bookmark(bot, amina, "Climate Crisis Front Lines", "Reporting the Climate")
    [settings] = await bot.send(sara, "/settings")
    await bot.press_data(sara, settings, "dig:0")  # Sara switches the morning summary off
    await bot.runtime.services.digest.plan(bot.clock.now())

    early = await arrivals(bot, amina, local(7, 29))
    before = {u.id: len(bot.fake.messages(u.id)) for u in (omar, sara)}
    [digest] = await arrivals(bot, amina, local(7, 30))

    assert early == []
    lines = text_of(digest).splitlines()
    assert lines[0] == await expected_n(
        bot,
        "en",
        (
            "☀️ Good morning! <b>{day}</b>: {n} session in your agenda.",
            "☀️ Good morning! <b>{day}</b>: {n} sessions in your agenda.",
        ),
        2,
        day="Sat, Mar 14",
    )
    assert ENGLISH_TITLE in text_of(digest) and "Reporting the Climate Crisis" in text_of(digest)
    assert text_of(digest).index(ENGLISH_TITLE) < text_of(digest).index("Climate Crisis")
    [arabic] = bot.fake.messages(omar.id)[before[omar.id] :]
    assert ARABIC_TITLE in text_of(arabic) and "السبت" in text_of(arabic)
    assert bot.fake.messages(sara.id)[before[sara.id] :] == []


async def test_planning_the_digest_twice_sends_one_digest(bot: BotHarness) -> None:
    bot.clock.set(local(6, 0))
    user = bot.user(lang="en")
    await bookmark_business_models(bot, user)
    digest = bot.runtime.services.digest

    planned = [await digest.plan(bot.clock.now()), await digest.plan(bot.clock.now())]
    sent = await arrivals(bot, user, local(7, 30))

    assert planned == [1, 0]
    assert len(await outbox_rows(bot, DIGEST)) == 1
    assert [text_of(m).startswith("☀️") for m in sent] == [True]

"""Broadcasts: organizers write once (and optionally per language), preview, send now or
later; every recipient gets their language's version, formatting and photos intact; the
progress message counts to the end; Cancel stops what is pending; nobody else may."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.clock import FrozenClock
from bot.db import models as m
from bot.domain.outbox_kinds import BROADCAST
from bot.i18n import RLM, plain_text
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from tests.harness import BotHarness, text_of

ORGANIZER = 800
READERS = {"ar": 5001, "en": 5002, "ms": 5003, "ur": 5004}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    """The real bot on SQLite and on PostgreSQL (when TEST_POSTGRES_URL is set)."""
    async with BotHarness.running(fake, sample_db, clock) as harness:
        yield harness


async def expected(bot: BotHarness, locale: str, message: str, **values: Any) -> str:
    """The catalog's text as the user reads it: no tags, no bidi marks, entities decoded."""
    l10n = await bot.runtime.services.localizer(locale)
    return plain_text(l10n._(message, **values))


async def readers(bot: BotHarness) -> dict[str, FakeUser]:
    """One person per language, each met through /start."""
    found = {}
    for locale, user_id in READERS.items():
        found[locale] = bot.user(user_id, f"Reader {locale}", lang=locale)
        await bot.send(found[locale], "/start")
    return found


async def organizer(bot: BotHarness, lang: str = "en", user_id: int = ORGANIZER) -> FakeUser:
    user = bot.user(user_id, "Nadia", lang=lang)
    await bot.send(user, "/start")
    await set_role(bot, user_id, "organizer")
    return user


async def set_role(bot: BotHarness, user_id: int, role: str) -> None:
    async with bot.runtime.services.sessions.begin() as db:
        await db.execute(update(m.User).where(m.User.id == user_id).values(role=role))


async def compose(
    bot: BotHarness, org: FakeUser, audience: str, text: str, entities: Any = ()
) -> SentMessage:
    """/broadcast, an audience button's callback data, the message; returns the versions step."""
    [start] = await bot.send(org, "/broadcast")
    [_ask] = await bot.press_data(org, start, f"bc:aud:{audience}")
    [versions] = await bot.send_formatted(org, text, list(entities))
    return versions


async def preview(bot: BotHarness, org: FakeUser, versions: SentMessage) -> list[SentMessage]:
    return await bot.press_data(org, versions, "bc:done:")


async def add_version(
    bot: BotHarness, org: FakeUser, versions: SentMessage, locale: str, text: str
) -> SentMessage:
    [_ask] = await bot.press_data(org, versions, f"bc:ver:{locale}")
    [versions] = await bot.send(org, text)
    return versions


async def deliver(bot: BotHarness) -> None:
    """Send what is due, then let the monitor bring the progress message up to date.

    The serving dispatcher may hold a batch of its own when `drain` finds nothing left to
    claim, so wait until no broadcast row is due or in flight before the monitor looks.
    """
    async with asyncio.timeout(10):
        while True:
            await bot.runtime.dispatcher.drain()
            if not await unsettled(bot):
                break
            await asyncio.sleep(0.02)
    await bot.runtime.progress.run_once()


async def unsettled(bot: BotHarness) -> int:
    outbox = m.OutboxMessage
    due = (outbox.state == "pending") & (outbox.due_at <= bot.clock.now())
    async with bot.runtime.services.sessions() as db:
        found = await db.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.kind == BROADCAST, due | (outbox.state == "sending"))
        )
    return int(found or 0)


def last(bot: BotHarness, user: FakeUser) -> SentMessage:
    return bot.fake.last_message(user.id)


def now_showing(bot: BotHarness, message: SentMessage) -> SentMessage:
    """The message in its current state (the progress message is edited as figures change)."""
    [found] = [x for x in bot.fake.messages(message.chat_id) if x.message_id == message.message_id]
    return found


async def broadcasts(bot: BotHarness) -> list[m.Broadcast]:
    async with bot.runtime.services.sessions() as db:
        return list(await db.scalars(select(m.Broadcast).order_by(m.Broadcast.id)))


async def outbox_states(bot: BotHarness) -> dict[str, int]:
    return await bot.runtime.services.outbox.counts(kind=BROADCAST)


# --- everyone, in each reader's language ---------------------------------------------------------
async def test_everyone_gets_their_language_version_or_the_default_with_bold_kept(
    bot: BotHarness,
) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    bold = [{"type": "bold", "offset": 0, "length": 7}]

    versions = await compose(bot, org, "all", "Welcome to day two!", bold)
    versions = await add_version(bot, org, versions, "ar", "مرحبا بكم في اليوم الثاني!")
    versions = await add_version(bot, org, versions, "ms", "Selamat datang ke hari kedua!")
    _intro, *shown, summary = await preview(bot, org, versions)
    pressed = await bot.press(org, summary, "Send now")
    # The summary becomes the progress message; the organizer's own copy of the broadcast
    # (they are one of everyone) may already arrive alongside it.
    [progress] = [m for m in pressed if m.message_id == summary.message_id]
    assert all(
        m.message_id == summary.message_id or m.text == "<b>Welcome</b> to day two!"
        for m in pressed
    )
    await deliver(bot)

    assert [text_of(s) for s in shown] == [
        "Welcome to day two!",
        "مرحبا بكم في اليوم الثاني!",
        "Selamat datang ke hari kedua!",
    ]
    assert "Recipients: 5 people" in text_of(summary)
    assert "Urdu: 1 · the English version" in text_of(summary)
    assert last(bot, people["en"]).text == "<b>Welcome</b> to day two!"
    assert last(bot, people["ur"]).text == "<b>Welcome</b> to day two!"  # no own version
    assert last(bot, people["ar"]).text == RLM + "مرحبا بكم في اليوم الثاني!"
    assert text_of(last(bot, people["ms"])) == "Selamat datang ke hari kedua!"
    assert last(bot, people["en"]).entities == [{"type": "bold", "offset": 0, "length": 7}]
    final = text_of(now_showing(bot, progress))
    assert text_of(last(bot, org)) == "Welcome to day two!"  # the organizer is one of everyone
    assert final.startswith("📣 Broadcast #1 to everyone")
    assert "Sent 5 · pending 0 · failed 0 · unreachable 0" in final
    assert "✅ Finished." in final
    [row] = await broadcasts(bot)
    assert (row.state, row.total, row.finished_at is not None) == ("done", 5, True)
    assert text_of(progress).startswith("📣 Broadcast #1 to everyone")


# --- registered attendees, from an organizer who writes right to left -------------------------
async def register(bot: BotHarness, user_id: int) -> None:
    now = bot.clock.now()
    async with bot.runtime.services.sessions.begin() as db:
        db.add(
            m.Registration(
                user_id=user_id,
                full_name=f"Person {user_id}",
                email=f"p{user_id}@example.org",
                organization="Media",
                profession="journalist",
                country="MY",
                language="en",
                code=f"CODE{user_id}",
                status="confirmed",
                created_at=now,
                updated_at=now,
            )
        )


async def test_an_arabic_organizer_writes_to_registered_attendees_in_arabic(
    bot: BotHarness,
) -> None:
    people = await readers(bot)
    org = await organizer(bot, lang="ar")
    for locale in ("en", "ur"):
        await register(bot, READERS[locale])

    [start] = await bot.send(org, "/broadcast")
    [_ask] = await bot.press_data(org, start, "bc:aud:reg")
    [versions] = await bot.send(org, "الجلسة الختامية في القاعة الكبرى\n17:00 اليوم")
    versions = await add_version(bot, org, versions, "en", "Closing session in the Great Hall")
    _intro, arabic, english, summary = await preview(bot, org, versions)
    [progress] = await bot.press_data(org, summary, "bc:now:")
    await deliver(bot)

    assert text_of(start).startswith(await expected(bot, "ar", "📣 <b>New broadcast</b>"))
    assert all(line.startswith(RLM) for line in (start.text or "").split("\n") if line)
    assert arabic.text == f"{RLM}الجلسة الختامية في القاعة الكبرى\n{RLM}17:00 اليوم"
    assert english.text == "Closing session in the Great Hall"  # laid out left to right
    assert last(bot, people["en"]).text == "Closing session in the Great Hall"
    # No Urdu version: the Arabic default, still right to left for an Urdu reader.
    assert last(bot, people["ur"]).text == arabic.text
    assert [len(bot.fake.messages(READERS[x])) for x in ("ar", "ms")] == [1, 1]  # /start only
    figures = await expected(
        bot,
        "ar",
        "Sent {sent} · pending {pending} · failed {failed} · unreachable {unreachable}",
        sent="2",
        pending="0",
        failed="0",
        unreachable="0",
    )
    assert figures in text_of(now_showing(bot, progress))
    assert text_of(progress).startswith(
        await expected(
            bot,
            "ar",
            "📣 <b>Broadcast #{id}</b> to {audience}",
            id="1",
            audience=await expected(bot, "ar", "registered attendees"),
        )
    )


# --- a session's and a language group's audiences ---------------------------------------------
async def test_people_with_a_session_in_their_agenda_are_found_by_typing_its_title(
    bot: BotHarness,
) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    services = bot.runtime.services
    [floods] = (await services.schedule.search("urban floods", "en")).sessions
    for locale in ("ar", "ms"):
        await services.agenda.add(READERS[locale], floods.id)

    [start] = await bot.send(org, "/broadcast")
    [ask_words] = await bot.press(org, start, "By session")
    [nothing] = await bot.send(org, "zzzz qqqq")
    [matches] = await bot.send(org, "urban floods")
    [ask_text] = await bot.press(org, matches, "Mapping Urban Floods")
    [versions] = await bot.send(org, "The floods session moves to Room B.")
    *_, summary = await preview(bot, org, versions)
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    assert "Type a few words from the session's title." in text_of(ask_words)
    assert text_of(nothing).startswith("No session matches “zzzz qqqq”. Try other words.")
    assert "To: people with “Mapping Urban Floods with Open Data” in their agenda" in text_of(
        ask_text
    )
    assert "Recipients: 2 people" in text_of(summary)
    for locale in ("ar", "ms"):
        assert text_of(last(bot, people[locale])) == "The floods session moves to Room B."
    for locale in ("en", "ur"):
        assert len(bot.fake.messages(READERS[locale])) == 1  # the welcome only


async def test_one_language_group_gets_it_and_nobody_else(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)

    [start] = await bot.send(org, "/broadcast")
    [groups] = await bot.press(org, start, "One language")
    [ask_text] = await bot.press(org, groups, "Melayu")
    [versions] = await bot.send(org, "Sesi bahasa Melayu bermula pukul 14:00.")
    *_, summary = await preview(bot, org, versions)
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    assert groups.button_texts()[:4] == ["العربية", "English", "Melayu", "اردو"]
    assert "To: people who read Malay" in text_of(ask_text)
    assert "Recipients: 1 person" in text_of(summary)
    assert text_of(last(bot, people["ms"])) == "Sesi bahasa Melayu bermula pukul 14:00."
    assert [len(bot.fake.messages(READERS[x])) for x in ("ar", "en", "ur")] == [1, 1, 1]


async def test_a_track_audience_reaches_people_with_any_of_its_sessions(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    services = bot.runtime.services
    [floods] = (await services.schedule.search("urban floods", "en")).sessions
    [crisis] = (await services.schedule.search("climate crisis front lines", "en")).sessions
    await services.agenda.add(READERS["en"], floods.id)
    await services.agenda.add(READERS["ur"], crisis.id)
    await services.agenda.add(READERS["ur"], floods.id)  # counted once

    [start] = await bot.send(org, "/broadcast")
    [tracks] = await bot.press(org, start, "By track")
    [_ask_text] = await bot.press(org, tracks, "Climate reporting")
    [versions] = await bot.send(org, "Climate track: lunch is in the garden.")
    *_, summary = await preview(bot, org, versions)
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    assert "Recipients: 2 people" in text_of(summary)
    assert text_of(last(bot, people["en"])) == "Climate track: lunch is in the garden."
    assert text_of(last(bot, people["ur"])) == "Climate track: lunch is in the garden."
    assert len(bot.fake.messages(READERS["ar"])) == 1


# --- a photo ----------------------------------------------------------------------------------
async def test_a_photo_broadcast_arrives_as_a_photo_with_its_caption(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    [start] = await bot.send(org, "/broadcast")
    await bot.press_data(org, start, "bc:aud:all")

    update = await bot.fake.send_photo(
        org,
        PNG,
        caption="Tonight: gala dinner",
        caption_entities=[{"type": "italic", "offset": 0, "length": 7}],
    )
    await bot.processed(update["update_id"])
    versions = last(bot, org)
    _intro, poster, summary = await preview(bot, org, versions)
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    file_id = update["message"]["photo"][-1]["file_id"]
    assert poster.kind == "photo" and poster.file_id == file_id
    for person in people.values():
        received = last(bot, person)
        assert (received.kind, received.file_id) == ("photo", file_id)
        assert received.caption == "<i>Tonight</i>: gala dinner"


async def test_a_long_text_is_refused_with_telegrams_limit(bot: BotHarness) -> None:
    org = await organizer(bot)
    [start] = await bot.send(org, "/broadcast")
    await bot.press_data(org, start, "bc:aud:all")

    [refused] = await bot.send(org, "x" * 4097)
    [accepted] = await bot.send(org, "x" * 4096)

    assert text_of(refused).startswith(
        "⚠️ That is too long: Telegram allows at most 4,096 characters here."
    )
    assert "Add a version in another language?" in text_of(accepted)


# --- scheduling and cancelling ------------------------------------------------------------------
async def schedule(bot: BotHarness, org: FakeUser, summary: SentMessage, when: str) -> SentMessage:
    [_ask] = await bot.press(org, summary, "Schedule")
    [confirm] = await bot.send(org, when)
    return confirm


async def test_a_scheduled_broadcast_waits_for_its_time(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "The poster session opens now.")
    *_, summary = await preview(bot, org, versions)

    [ask] = await bot.press(org, summary, "Schedule")
    [past] = await bot.send(org, "2026-03-14 09:00")
    [unreadable] = await bot.send(org, "after lunch")
    [confirm] = await bot.send(org, "14:30")
    [progress] = await bot.press(org, confirm, "Confirm")
    await deliver(bot)
    before = {locale: len(bot.fake.messages(u.id)) for locale, u in people.items()}
    waiting = text_of(now_showing(bot, progress))
    bot.clock.advance(timedelta(hours=4, minutes=16))  # 14:31 in Kuala Lumpur
    await deliver(bot)

    assert "Kuala Lumpur" in text_of(ask)
    assert text_of(past).startswith("⚠️ That time has already passed.")
    assert text_of(unreadable).startswith("⚠️ I could not read that time.")
    assert text_of(confirm).startswith("🕒 Send on Sat, Mar 14 at 14:30")
    assert "to 5 people?" in text_of(confirm)
    assert before == dict.fromkeys(READERS, 1)  # nothing before 14:30
    assert "🕒 Scheduled for Sat, Mar 14 at 14:30." in waiting
    assert "Sent 0 · pending 5" in waiting
    for person in people.values():
        assert text_of(last(bot, person)) == "The poster session opens now."
    assert "Sent 5 · pending 0" in text_of(now_showing(bot, progress))
    [row] = await broadcasts(bot)
    assert row.state == "done"


async def test_a_time_already_passed_today_means_tomorrow(bot: BotHarness) -> None:
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Good morning!")
    *_, summary = await preview(bot, org, versions)

    confirm = await schedule(bot, org, summary, "08:00")

    assert text_of(confirm).startswith("🕒 Send on Sun, Mar 15 at 08:00")


async def test_cancel_stops_what_is_still_pending(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Shuttle buses leave at 18:00.")
    *_, summary = await preview(bot, org, versions)
    confirm = await schedule(bot, org, summary, "17:00")
    [progress] = await bot.press(org, confirm, "Confirm")

    [cancelled] = await bot.press(org, progress, "Cancel the broadcast")
    bot.clock.advance(timedelta(hours=8))
    await deliver(bot)

    assert "🚫 Cancelled." in text_of(cancelled)
    assert "Cancelled before sending: 5" in text_of(now_showing(bot, progress))
    assert cancelled.button_texts() == []
    assert [len(bot.fake.messages(u.id)) for u in people.values()] == [1, 1, 1, 1]
    assert await outbox_states(bot) == {"cancelled": 5}
    [row] = await broadcasts(bot)
    assert row.state == "cancelled" and row.finished_at is not None
    lines = await bot.runtime.services.roles.audit(None)
    assert [(x.action, x.subject, x.outcome) for x in lines[:2]] == [
        ("broadcast_cancel", "broadcast:1", "ok"),
        ("broadcast", "broadcast:1", "ok"),
    ]


# --- who may, and only once -----------------------------------------------------------------------
async def test_attendees_are_refused_politely_and_the_attempt_is_audited(bot: BotHarness) -> None:
    attendee = bot.user(5005, "Omar", lang="ms")
    await bot.send(attendee, "/start")

    [refused] = await bot.send(attendee, "/broadcast")
    [no_history] = await bot.send(attendee, "/broadcasts")

    expected_text = await expected(bot, "ms", "Sorry, only organizers can do that.")
    assert text_of(refused) == text_of(no_history) == expected_text
    lines = await bot.runtime.services.roles.audit(None)
    assert [(x.actor_id, x.action, x.outcome) for x in lines[:2]] == [
        (5005, "broadcasts", "refused"),
        (5005, "broadcast", "refused"),
    ]
    assert await broadcasts(bot) == []


async def test_a_demoted_organizer_cannot_confirm_a_draft(bot: BotHarness) -> None:
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Hello")
    *_, summary = await preview(bot, org, versions)
    await set_role(bot, org.id, "attendee")

    await bot.press(org, summary, "Send now")

    assert bot.fake.callback_answers(org.id)[-1]["text"] == "Sorry, only organizers can do that."
    assert await broadcasts(bot) == []


async def tap(bot: BotHarness, user: FakeUser, snapshot: SentMessage, data: str) -> int:
    """A tap on a button of the message as it was shown (a second tap arrives before the
    first one's edit); returns the update id."""
    update_id = bot.fake.hub.next_id()
    query = {
        "id": f"tap-{update_id}",
        "from": user.to_api(),
        "message": bot.fake.state.message_dict(snapshot),
        "chat_instance": "1",
        "data": data,
    }
    await bot.fake.send_raw_update({"update_id": update_id, "callback_query": query})
    return update_id


async def test_confirm_tapped_twice_makes_one_broadcast(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Only once, please.")
    *_, summary = await preview(bot, org, versions)

    taps = [await tap(bot, org, summary, "bc:now:") for _ in range(2)]
    for update_id in taps:
        await bot.processed(update_id)
    await deliver(bot)

    answers = [a.get("text") for a in bot.fake.callback_answers(org.id)[-2:]]
    assert answers == [None, "This broadcast was already confirmed."]
    assert text_of(now_showing(bot, summary)).startswith("📣 Broadcast #1")
    assert len(await broadcasts(bot)) == 1
    assert await outbox_states(bot) == {"sent": 5}
    assert [len(bot.fake.messages(u.id)) for u in people.values()] == [2, 2, 2, 2]


async def test_two_confirms_at_once_make_one_broadcast(bot: BotHarness) -> None:
    await readers(bot)
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Concurrent")
    await preview(bot, org, versions)
    service, profile = bot.runtime.services.broadcasts, await _profile(bot, org.id)

    results = await asyncio.gather(
        *(service.confirm(profile, None, scheduled=False) for _ in range(3))
    )

    assert len(await broadcasts(bot)) == 1
    assert sorted(getattr(r, "already", None) for r in results) == [False, True, True]
    async with bot.runtime.services.sessions() as db:
        rows = await db.scalar(select(func.count()).select_from(m.OutboxMessage))
    assert rows == 5


async def _profile(bot: BotHarness, user_id: int) -> Any:
    profile = await bot.runtime.services.users.profile(user_id)
    assert profile is not None
    return profile


async def test_broadcasts_lists_the_newest_first_with_their_figures(bot: BotHarness) -> None:
    await readers(bot)
    org = await organizer(bot)
    for text in ("First", "Second"):
        versions = await compose(bot, org, "org", text)
        *_, summary = await preview(bot, org, versions)
        await bot.press(org, summary, "Send now")
        await deliver(bot)

    [listing] = await bot.send(org, "/broadcasts")

    lines = text_of(listing).splitlines()
    assert lines[0] == "Broadcasts (newest first)"
    assert lines[2] == "#2 · Sat, Mar 14 10:15 · organizers · done"
    assert lines[3] == "Sent 1 · pending 0 · failed 0 · unreachable 0"
    assert lines[5].startswith("#1 ·")


async def test_the_draft_survives_a_restart(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(fake, sample_db, clock) as first:
        await readers(first)
        org = await organizer(first)
        versions = await compose(first, org, "all", "Written before the restart")
    async with BotHarness.running(fake, sample_db, clock) as second:
        *_, summary = await preview(second, org, versions)
        await second.press(org, summary, "Send now")
        await deliver(second)

        assert text_of(last(second, fake.user(READERS["ur"]))) == "Written before the restart"


async def test_cancel_discards_the_draft(bot: BotHarness) -> None:
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Never mind")

    [discarded] = await bot.press(org, versions, "Cancel")
    [search] = await bot.send(org, "floods")  # typed text is a search again

    assert text_of(discarded) == "Broadcast discarded. Nothing was sent."
    assert "Mapping Urban Floods" in text_of(search)
    assert await broadcasts(bot) == []


async def test_a_document_is_the_message_only_when_the_draft_awaits_one(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    [start] = await bot.send(org, "/broadcast")

    csv = await bot.fake.send_document(org, "programme.csv", b"not,a,schedule\n", "text/csv")
    await bot.processed(csv["update_id"])
    not_ours = last(bot, org)  # the schedule importer had it: the draft was choosing people
    [_ask] = await bot.press_data(org, start, "bc:aud:all")
    update = await bot.fake.send_document(
        org, "map.pdf", b"%PDF-1.4 venue map", "application/pdf", caption="Venue map"
    )
    await bot.processed(update["update_id"])
    *_, summary = await preview(bot, org, last(bot, org))
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    assert not_ours.message_id > start.message_id
    assert text_of(not_ours).startswith("⚠️ This file cannot be imported.")
    file_id = update["message"]["document"]["file_id"]
    for person in people.values():
        received = last(bot, person)
        assert (received.kind, received.file_id, received.caption) == (
            "document",
            file_id,
            "Venue map",
        )


async def test_an_audience_with_nobody_in_it_cannot_be_sent_to(bot: BotHarness) -> None:
    org = await organizer(bot)
    versions = await compose(bot, org, "spk", "Speakers: please come to the green room.")

    *_, summary = await preview(bot, org, versions)

    assert "Recipients: 0 people" in text_of(summary)
    assert summary.button_texts() == ["✏️ Edit", "✖ Cancel"]


async def test_edit_changes_the_audience_and_keeps_the_message(bot: BotHarness) -> None:
    people = await readers(bot)
    org = await organizer(bot)
    versions = await compose(bot, org, "all", "Kept as written")
    *_, summary = await preview(bot, org, versions)

    [picker] = await bot.press(org, summary, "Edit")
    [audiences] = await bot.press(org, picker, "Audience")
    [groups] = await bot.press(org, audiences, "One language")
    _intro, kept, summary = await bot.press(org, groups, "اردو")
    await bot.press(org, summary, "Send now")
    await deliver(bot)

    assert text_of(picker) == "✏️ What would you like to change?"
    assert text_of(kept) == "Kept as written"
    assert "To: people who read Urdu" in text_of(summary)
    assert text_of(last(bot, people["ur"])) == "Kept as written"
    assert len(bot.fake.messages(READERS["en"])) == 1

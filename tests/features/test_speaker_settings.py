"""Speakers choose how long before their sessions they are alerted (the event sets the
default), and hear at once when the people of one of their sessions change.

Time is the harness's FrozenClock; programme changes come as schedule files an organizer
sends to the bot (the same programme service as the command line and live sync)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from markupsafe import Markup
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.domain.outbox_kinds import SCHEDULE_CHANGE, SPEAKER_ALERT, SPEAKER_CHANGE, SPEAKER_PEOPLE
from bot.i18n import FSI, PDI, strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from tests.conftest import KL
from tests.features.test_reminders import (
    arrivals,
    bookmark,
    expected,
    expected_n,
    local,
    outbox_rows,
    session_id,
)
from tests.features.test_speakers import ADMIN, SPEAKER_STARTS_IN, link
from tests.harness import BotHarness, text_of

TITLE = "Business Models for Independent Arabic Digital Media"  # 11:45, Mariam Obeid's
QUESTION = (
    "🎤 <b>{title}</b> starts in {n} minute. Are you at the venue?",
    "🎤 <b>{title}</b> starts in {n} minutes. Are you at the venue?",
)


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as harness:
        yield harness


@pytest.fixture
async def thirty(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    """An event whose speakers are alerted 30 minutes before (SPEAKER_ALERT_MINUTES=30)."""
    async with BotHarness.running(
        fake, sample_db, clock, admins=frozenset({ADMIN}), speaker_alert_minutes=(30,)
    ) as harness:
        yield harness


async def first_lines(bot: BotHarness, user: FakeUser, *times: datetime) -> list[list[str]]:
    """What arrived at each moment: the first line of each message."""
    return [[text_of(x).splitlines()[0] for x in await arrivals(bot, user, at)] for at in times]


async def alert_settings(bot: BotHarness, user: FakeUser) -> SentMessage:
    [mine] = await bot.send(user, "/mysessions")
    label = await expected(bot, user.language_code or "en", "🔔 Alerts")
    [picker] = await bot.press(user, mine, label)
    return picker


async def test_the_event_default_from_the_settings_decides_when_speakers_are_alerted(
    thirty: BotHarness,
) -> None:
    bot = thirty
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(3101, "Mariam", lang="en")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    await bot.runtime.planner.run_once()

    arrived = await first_lines(
        bot, mariam, local(10, 45), local(11, 0), local(11, 15), local(11, 30)
    )

    question = await expected_n(bot, "en", QUESTION, 45, title=TITLE)
    alert = await expected_n(bot, "en", SPEAKER_STARTS_IN, 30, title=TITLE)
    assert arrived == [[], [question], [alert], []]  # 30 only: no 60, no 15


async def test_an_arabic_speaker_chooses_15_minutes_and_the_hour_alert_is_cancelled(
    bot: BotHarness,
) -> None:
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(3102, "Mariam", lang="ar")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")  # plans 60 and 15 minutes before

    picker = await alert_settings(bot, mariam)
    fifteen = await expected(bot, "ar", "{minutes} min", minutes="15")
    [chosen] = await press_exactly(bot, mariam, picker, fifteen)
    await bot.runtime.planner.run_once()  # the planner respects the choice too
    arrived = await first_lines(bot, mariam, local(10, 45), local(11, 0), local(11, 30))

    default = await expected(
        bot,
        "ar",
        "Event default ({choice})",
        choice=await expected(bot, "ar", "{minutes} min", minutes="60 + 15"),
    )
    assert "✅ " + default in [x.replace("\u200f", "") for x in _labels(picker)]
    assert "✅ " + fifteen in _labels(chosen)
    assert (chosen.text or "").startswith("\u200f")  # laid out right to left
    assert arrived == [
        [],
        [
            await expected_n(
                bot, "ar", QUESTION, 45, title="نماذج الأعمال للإعلام الرقمي العربي المستقل"
            )
        ],
        [
            await expected_n(
                bot,
                "ar",
                SPEAKER_STARTS_IN,
                15,
                title="نماذج الأعمال للإعلام الرقمي العربي المستقل",
            )
        ],
    ]
    subject = f"session:{await session_id(bot)}"
    rows = [r for r in await outbox_rows(bot, SPEAKER_ALERT) if r.subject == subject]
    assert sorted((r.key.rsplit(":", 1)[1].split("-")[0], r.state) for r in rows) == [
        ("15", "sent"),
        ("60", "cancelled"),
    ]
    async with bot.runtime.services.sessions() as db:
        stored = await db.scalar(select(m.SpeakerLink.alert_leads))
    assert stored == "15"


async def test_off_sends_no_alert_but_still_the_check_in_question_and_back_on_plans_again(
    bot: BotHarness,
) -> None:
    admin, karim = bot.user(ADMIN, "Admin"), bot.user(3103, "Karim", lang="en")
    await bot.send(admin, "/start")
    await link(bot, karim, admin, "mariam-obeid")

    picker = await alert_settings(bot, karim)
    [off] = await bot.press(karim, picker, "Off")
    await bot.runtime.planner.run_once()
    silent = await first_lines(bot, karim, local(10, 45), local(11, 0), local(11, 20))
    [back] = await bot.press(karim, off, "Event default")
    later = await first_lines(bot, karim, local(11, 30))

    assert "✅ Off" in _labels(off)
    assert "Now: Off" in text_of(off)
    assert silent == [[], [await expected_n(bot, "en", QUESTION, 45, title=TITLE)], []]
    assert "✅ Event default (60 + 15 min)" in _labels(back)
    assert later == [[await expected_n(bot, "en", SPEAKER_STARTS_IN, 15, title=TITLE)]]


async def test_an_alert_planned_before_the_choice_is_not_sent_even_if_it_escaped_cancelling(
    bot: BotHarness,
) -> None:
    """Belt and braces: an alert row whose lead the speaker no longer wants (a planner round
    racing the choice) is skipped when it falls due."""
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(3104, "Mariam", lang="ur")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    async with bot.runtime.services.sessions.begin() as db:
        found = await db.get(m.SpeakerLink, mariam.id)
        assert found is not None
        found.alert_leads = ""  # chosen "off" by a path that did not re-plan

    arrived = await arrivals(bot, mariam, local(10, 45))

    assert arrived == []
    subject = f"session:{await session_id(bot)}"
    [hour] = [
        r for r in await outbox_rows(bot, SPEAKER_ALERT) if r.subject == subject and ":60-" in r.key
    ]
    assert hour.state == "skipped" and "no longer wants" in (hour.last_error or "")


def _labels(message: SentMessage) -> list[str]:
    return [strip_bidi(label) for label in message.button_texts()]


async def press_exactly(
    bot: BotHarness, user: FakeUser, message: SentMessage, label: str
) -> list[SentMessage]:
    """Press the button labelled exactly `label` ("15 min", not "Default (60 + 15 min)")."""
    [data] = [
        b["callback_data"]
        for row in message.buttons()
        for b in row
        if strip_bidi(b["text"]) == label
    ]
    return await bot.press_data(user, message, data)


# --- co-speakers ---------------------------------------------------------------------------------
HEADER = "key,day,start,end,title,title_ar,room,speakers,moderators\n"
PANEL = (
    "panel,2026-03-14,{start},{end},Independent Media Panel,ندوة الإعلام المستقل,Hall A,"
    "{speakers},{moderators}\n"
)
TALK = "talk,2026-03-14,15:00,15:45,Data Journalism,صحافة البيانات,Hall B,Usman Tariq,\n"


def programme(
    speakers: str, moderators: str, *, start: str = "11:00", end: str = "12:00", talk: bool = True
) -> bytes:
    text = HEADER + PANEL.format(start=start, end=end, speakers=speakers, moderators=moderators)
    return (text + (TALK if talk else "")).encode()


V1 = programme("Mariam Obeid;Karim Mansour", "Aisha Rahman")


@pytest.fixture
async def event(fake: FakeBotApi, empty_db: str) -> AsyncIterator[BotHarness]:
    """No programme yet; the morning before the panel (11:00 in Kuala Lumpur)."""
    clock = FrozenClock(datetime(2026, 3, 14, 8, 0, tzinfo=KL))
    async with BotHarness.running(fake, empty_db, clock, admins=frozenset({ADMIN})) as harness:
        await import_file(harness, harness.user(ADMIN, "Admin"), V1)
        yield harness


async def import_file(bot: BotHarness, organizer: FakeUser, content: bytes) -> None:
    """The organizer sends the schedule as a file, sees the dry run and presses Apply."""
    update = await bot.fake.send_document(organizer, "programme.csv", content, "text/csv")
    await bot.processed(update["update_id"])
    preview = copy.deepcopy(bot.fake.last_message(organizer.id))
    [applied] = await bot.press(organizer, preview, "✅")
    assert "✅" in text_of(applied), text_of(applied)


def counts(bot: BotHarness, *users: FakeUser) -> list[int]:
    return [len(bot.fake.messages(u.id)) for u in users]


async def delivered(
    bot: BotHarness, *users: FakeUser, since: list[int] | None = None
) -> list[list[SentMessage]]:
    """Send what is due now; what each user got since `since` (message counts taken before
    the change: the running dispatcher may deliver some before this is called), as
    snapshots: the fake's messages are live objects that later edits keep changing."""
    before = since if since is not None else counts(bot, *users)
    await arrivals(bot, users[0], bot.clock.now())
    return [
        [copy.deepcopy(x) for x in bot.fake.messages(u.id)[n:]]
        for u, n in zip(users, before, strict=True)
    ]


async def test_co_speakers_joining_and_leaving_reach_every_speaker_of_the_session_at_once(
    event: BotHarness,
) -> None:
    bot = event
    admin = bot.user(ADMIN, "Admin")
    mariam, karim = bot.user(3201, "Mariam", lang="ar"), bot.user(3202, "Karim", lang="en")
    usman, amina = bot.user(3203, "Usman", lang="ur"), bot.user(3204, "Amina", lang="en")
    for user, key in ((mariam, "mariam-obeid"), (karim, "karim-mansour"), (usman, "usman-tariq")):
        await link(bot, user, admin, key)
    await bookmark(bot, amina, "Independent Media Panel", "Independent Media Panel")
    await delivered(bot, mariam, karim, usman, amina)  # nothing is due yet

    changed = programme("Mariam Obeid;Usman Tariq", "Layla Haddad")
    before = counts(bot, mariam, karim, usman, amina)
    await import_file(bot, admin, changed)
    [to_mariam], [to_karim], [to_usman], to_amina = await delivered(
        bot, mariam, karim, usman, amina, since=before
    )
    before = counts(bot, mariam, karim, usman, amina)
    await import_file(bot, admin, changed)  # the same file again: no news
    again = await delivered(bot, mariam, karim, usman, amina, since=before)

    title_ar = "ندوة الإعلام المستقل"
    assert text_of(to_mariam).splitlines()[0] == await expected(
        bot, "ar", "👥 The people of your session <b>{title}</b> changed.", title=title_ar
    )
    l10n = await bot.runtime.services.localizer("ar")
    joined = l10n._(
        "➕ Joined: {names}",
        names=Markup(
            l10n.join_rendered(
                [l10n.join(["Usman Tariq"]), l10n._("{name} (moderator)", name="Layla Haddad")]
            )
        ),
    )
    left = l10n._(
        "➖ No longer listed: {names}",
        names=Markup(
            l10n.join_rendered(
                [l10n.join(["Karim Mansour"]), l10n._("{name} (moderator)", name="Aisha Rahman")]
            )
        ),
    )
    raw = (to_mariam.text or "").splitlines()
    assert joined in [line.removeprefix("\u200f") for line in raw]
    assert left in [line.removeprefix("\u200f") for line in raw]
    assert f"{FSI}Usman Tariq{PDI}" in (to_mariam.text or "")  # a Latin name in Arabic text
    assert all(line.startswith("\u200f") for line in raw if line)
    assert text_of(to_karim).splitlines()[0] == (
        "🎤 You are no longer listed for Independent Media Panel."
    )
    assert text_of(to_usman).splitlines()[0] == await expected(
        bot, "ur", "🎤 You are now listed for <b>{title}</b>.", title="Independent Media Panel"
    )
    assert to_amina == []  # attendees plan around times and rooms, not line-ups
    assert again == [[], [], [], []]
    panel = await session_id(bot, "panel")
    usman_alerts = [r for r in await outbox_rows(bot, SPEAKER_ALERT) if r.recipient_id == usman.id]
    karim_alerts = [r for r in await outbox_rows(bot, SPEAKER_ALERT) if r.recipient_id == karim.id]
    assert {(r.subject, r.state) for r in usman_alerts} >= {(f"session:{panel}", "pending")}
    assert {r.state for r in karim_alerts if r.subject == f"session:{panel}"} == {"cancelled"}
    arrived = await first_lines(bot, usman, local(10, 0))
    assert arrived == [
        [await expected_n(bot, "ur", SPEAKER_STARTS_IN, 60, title="Independent Media Panel")]
    ]


async def test_a_move_and_a_new_line_up_reach_the_speaker_before_the_attendees(
    event: BotHarness,
) -> None:
    bot = event
    admin = bot.user(ADMIN, "Admin")
    mariam, usman = bot.user(3211, "Mariam", lang="en"), bot.user(3212, "Usman", lang="ar")
    amina = bot.user(3213, "Amina", lang="en")
    await link(bot, mariam, admin, "mariam-obeid")
    await link(bot, usman, admin, "usman-tariq")
    await bookmark(bot, amina, "Independent Media Panel", "Independent Media Panel")

    moved = programme("Mariam Obeid", "", start="11:30", end="12:30", talk=False)
    before = counts(bot, mariam, usman, amina)
    await import_file(bot, admin, moved)
    got_mariam, got_usman, got_amina = await delivered(bot, mariam, usman, amina, since=before)

    firsts = [text_of(x).splitlines()[0] for x in got_mariam]
    assert firsts == [
        "👥 The people of your session Independent Media Panel changed.",
        "🎤 A change to your session",
    ]
    assert "➖ No longer listed: Karim Mansour and Aisha Rahman (moderator)" in text_of(
        got_mariam[0]
    )
    assert "11:30" in text_of(got_mariam[1])
    [gone] = got_usman  # the talk he gave was taken out of the programme
    assert text_of(gone).splitlines()[0] == await expected(
        bot, "ar", "🎤 You are no longer listed for <b>{title}</b>.", title="صحافة البيانات"
    )
    assert len(got_amina) == 1  # the move, not the line-up
    speaker_rows = await outbox_rows(bot, SPEAKER_PEOPLE) + await outbox_rows(bot, SPEAKER_CHANGE)
    [attendee_row] = await outbox_rows(bot, SCHEDULE_CHANGE)
    assert max(r.id for r in speaker_rows) < attendee_row.id

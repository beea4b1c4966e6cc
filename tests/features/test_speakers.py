"""Speakers link their Telegram account with a one-time invite, see their sessions, are
alerted before them (and at once when one changes), and check in; organizers hear about
speakers not yet here. Time is the harness's FrozenClock."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.domain.outbox_kinds import SCHEDULE_CHANGE, SPEAKER_ALERT, SPEAKER_CHANGE
from bot.domain.speakers import token_hash
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser
from tests.features.test_reminders import (
    arrivals,
    bookmark_business_models,
    deliver,
    expected,
    expected_n,
    labels,
    local,
    outbox_rows,
    session_id,
)
from tests.harness import BotHarness, text_of

ROOT = Path(__file__).resolve().parents[2]

ADMIN = 900
LINK = re.compile(r"https://t\.me/symposium_test_bot\?start=(spk_[A-Za-z0-9_-]+)")
SPEAKER_STARTS_IN = (
    "🎤 Your session <b>{title}</b> starts in {n} minute.",
    "🎤 Your session <b>{title}</b> starts in {n} minutes.",
)


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as harness:
        yield harness


async def speaker_id(bot: BotHarness, key: str) -> int:
    async with bot.runtime.services.sessions() as db:
        found = await db.scalar(select(m.Speaker.id).where(m.Speaker.key == key))
    assert found is not None
    return found


async def invite_link(bot: BotHarness, admin: FakeUser, key: str) -> str:
    """Through the organizer's /invite picker: the deep link's payload."""
    [picker] = await bot.send(admin, "/invite")
    wanted = f"spi:{await speaker_id(bot, key)}"
    while wanted not in [b.get("callback_data") for row in picker.buttons() for b in row]:
        label = await expected(bot, admin.language_code or "en", "Next ▶")
        [picker] = await bot.press(admin, picker, label)  # the picker is paginated
    [shown] = await bot.press_data(admin, picker, wanted)
    found = LINK.search(text_of(shown))
    assert found is not None, text_of(shown)
    return found.group(1)


async def link(bot: BotHarness, user: FakeUser, admin: FakeUser, key: str) -> str:
    payload = await invite_link(bot, admin, key)
    [welcome] = await bot.send(user, f"/start {payload}")
    return text_of(welcome)


async def test_an_organizer_invites_a_speaker_who_links_in_arabic_and_sees_their_sessions(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN, "Admin")
    mariam, thief = bot.user(3001, "Mariam", lang="ar"), bot.user(3002, "Someone")
    attendee = bot.user(3003, "Amina")
    await bot.send(admin, "/start")
    await bookmark_business_models(bot, attendee)

    payload = await invite_link(bot, admin, "mariam-obeid")
    [welcome] = await bot.send(mariam, f"/start {payload}")
    [again] = await bot.send(thief, f"/start {payload}")
    [mine] = await bot.send(mariam, "/mysessions")
    [not_speaker] = await bot.send(attendee, "/mysessions")

    assert len(payload) <= 64
    assert "نماذج الأعمال للإعلام الرقمي العربي المستقل" in text_of(welcome)
    assert text_of(welcome).startswith("🎤")
    assert all(line.startswith("\u200f") for line in (welcome.text or "").split("\n") if line)
    assert text_of(again) == await expected(
        bot, "en", "🔒 This invite link has already been used. Ask the organizers for a new one."
    )
    assert await expected_n(
        bot, "ar", ("      ⭐ {n} attendee saved it", "      ⭐ {n} attendees saved it"), 1
    ) in text_of(mine)
    assert "Mariam" not in text_of(not_speaker) and "speakers" in text_of(not_speaker)
    async with bot.runtime.services.sessions() as db:
        user = await db.get(m.User, mariam.id)
        links = list(await db.scalars(select(m.SpeakerLink)))
        invite = await db.scalar(select(m.SpeakerInvite))
    assert user is not None and user.role == "speaker"
    assert [(x.user_id, x.speaker_id) for x in links] == [
        (mariam.id, await speaker_id(bot, "mariam-obeid"))
    ]
    assert invite is not None and invite.used_by == mariam.id
    assert invite.token_hash == token_hash(payload.removeprefix("spk_"))  # never the token


async def test_forged_expired_and_revoked_invites_link_nobody(bot: BotHarness) -> None:
    admin, omar = bot.user(ADMIN, "Admin"), bot.user(3010, "Omar", lang="ur")
    attendee = bot.user(3011, "Aisha")
    await bot.send(admin, "/start")
    speakers = bot.runtime.services.speakers
    expiring = await speakers.invite(None, await speaker_id(bot, "karim-mansour"))
    revoked = await invite_link(bot, admin, "usman-tariq")

    [forged] = await bot.send(omar, "/start spk_" + "A" * 32)
    [garbage] = await bot.send(omar, "/start spk_%%")
    [refused] = await bot.send(attendee, "/invite")
    [revoked_answer] = await bot.send(admin, "/revoke usman-tariq")
    [after_revoke] = await bot.send(omar, f"/start {revoked}")
    bot.clock.set(bot.clock.now() + timedelta(days=15))
    [after_expiry] = await bot.send(omar, f"/start spk_{expiring.token}")

    invalid = await expected(
        bot, "ur", "❓ This invite link is not valid. Check that you copied all of it."
    )
    assert text_of(forged) == text_of(garbage) == invalid
    assert text_of(refused) == "Sorry, only organizers can do that."
    assert text_of(revoked_answer) == "🚫 1 open invite revoked."
    assert text_of(after_revoke) == await expected(
        bot, "ur", "🚫 This invite link was withdrawn. Ask the organizers for a new one."
    )
    assert text_of(after_expiry) == await expected(
        bot, "ur", "⌛ This invite link has expired. Ask the organizers for a new one."
    )
    async with bot.runtime.services.sessions() as db:
        assert list(await db.scalars(select(m.SpeakerLink))) == []
        user = await db.get(m.User, omar.id)
    assert user is not None and user.role == "attendee"


async def test_a_speaker_is_alerted_at_60_and_15_minutes_and_checks_in(bot: BotHarness) -> None:
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(3020, "Mariam", lang="en")
    await bot.send(admin, "/start")
    await bookmark_business_models(bot, bot.user(3021, "Amina"))
    await link(bot, mariam, admin, "mariam-obeid")
    await bot.runtime.planner.run_once()  # idempotent: nothing planned twice

    early = await arrivals(bot, mariam, local(10, 44))
    [hour] = await arrivals(bot, mariam, local(10, 45))
    [question] = await arrivals(bot, mariam, local(11, 0))
    [answered] = await bot.press(mariam, question, "I'm here")
    [quarter] = await arrivals(bot, mariam, local(11, 30))
    organizer = [m_ for m_ in bot.fake.messages(ADMIN) if "confirmed" in text_of(m_)]

    assert early == []
    title = "Business Models for Independent Arabic Digital Media"
    assert text_of(hour).splitlines()[0] == await expected_n(
        bot, "en", SPEAKER_STARTS_IN, 60, title=title
    )
    assert "Merdeka Hall" in text_of(hour) and "Karim Mansour" in text_of(hour)
    assert "1 attendee saved it" in text_of(hour)
    assert labels(question) == ["✅ I'm here", "🏃 I'm running late"]
    assert text_of(answered).startswith("✅ Thank you!")
    assert text_of(quarter).splitlines()[0] == await expected_n(
        bot, "en", SPEAKER_STARTS_IN, 15, title=title
    )
    assert organizer == []  # everyone of the slot is here: no report
    subject = f"session:{await session_id(bot)}"
    rows = [r for r in await outbox_rows(bot, SPEAKER_ALERT) if r.subject == subject]
    assert [r.state for r in rows] == ["sent", "sent"]  # one per lead, though planned twice


async def test_organizers_get_one_report_per_slot_listing_unconfirmed_speakers(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN, "Admin", lang="ar")
    mariam, usman = bot.user(3030, "Mariam"), bot.user(3031, "Usman", lang="ur")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    await link(bot, usman, admin, "usman-tariq")
    [question] = [x for x in await arrivals(bot, usman, local(11, 0)) if x.button_texts()]
    await bot.press(usman, question, await expected(bot, "ur", "🏃 I'm running late"))

    before = len(bot.fake.messages(ADMIN))
    await arrivals(bot, mariam, local(11, 30))
    reports = bot.fake.messages(ADMIN)[before:]

    assert len(reports) == 1
    text = text_of(reports[0])
    assert "مريم عبيد" in text or "Mariam" in text
    assert "عثمان" in text or "Usman" in text
    assert len(text.splitlines()) == 4  # the headline, a blank line, one line per speaker


async def test_a_change_reaches_the_speaker_before_the_attendees(bot: BotHarness) -> None:
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(3040, "Mariam", lang="ar")
    attendee = bot.user(3041, "Amina")
    await bot.send(admin, "/start")
    await bookmark_business_models(bot, attendee)
    await link(bot, mariam, admin, "mariam-obeid")

    await bot.runtime.services.programme.change_session(await session_id(bot), room_key="main-hall")
    before = len(bot.fake.messages(mariam.id))
    await deliver(bot)
    [news] = bot.fake.messages(mariam.id)[before:]

    speaker_row = (await outbox_rows(bot, SPEAKER_CHANGE))[0]
    attendee_row = (await outbox_rows(bot, SCHEDULE_CHANGE))[0]
    assert speaker_row.id < attendee_row.id and speaker_row.due_at <= attendee_row.due_at
    assert text_of(news).startswith(await expected(bot, "ar", "🎤 <b>A change to your session</b>"))
    assert speaker_row.state == "sent"


async def _cli(*args: str, **env: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    clean.update({"LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), **env})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=clean,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_command_line_writes_invites_to_a_csv_and_revokes_them(
    fake: FakeBotApi, sqlite_sample_db: str, tmp_path: Path
) -> None:
    env = {
        "BOT_TOKEN": fake.token,
        "BOT_API_BASE_URL": fake.base_url,
        "DATABASE_URL": sqlite_sample_db,
    }
    target = tmp_path / "invites.csv"

    code, _out, err = await _cli("speakers", "invite", "--all", "--csv", str(target), **env)
    one = await _cli("speakers", "invite", "mariam-obeid", **env)
    revoked = await _cli("speakers", "revoke", "mariam-obeid", **env)

    assert code == 0, err
    content = target.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert content.startswith("\ufeff") and rows[0] == ["speaker_key", "speaker", "link"]
    assert len(rows) == 45 and all(LINK.fullmatch(r[2]) for r in rows[1:])
    assert one[0] == 0 and LINK.search(one[1]) and one[1].startswith("مريم عبيد\t")
    assert revoked[1].strip() == "revoked 2 open invites of mariam-obeid"

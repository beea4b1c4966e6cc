"""BOT_ADMINS is the source of truth for admins: someone taken out of it loses the role at
the next start (or their next update, if another instance gave it back meanwhile), their
command menu loses the admin commands, and the audit log says so (issue #16)."""

from __future__ import annotations

from sqlalchemy import update

from bot.clock import FrozenClock
from bot.db import models as m
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.harness import BotHarness, text_of

ADMIN, FORMER = 900, 901


async def test_an_admin_removed_from_bot_admins_loses_the_role_at_the_restart(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN, FORMER})) as bot:
        [allowed] = await bot.send(bot.user(FORMER, "Zainab"), "/audit")
    assert "Sorry" not in text_of(allowed)  # an admin reads it

    # BOT_ADMINS=900 now, and the bot restarted with the new settings
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as bot:
        zainab, admin = bot.user(FORMER, "Zainab"), bot.user(ADMIN, "Admin")
        [no_audit] = await bot.send(zainab, "/audit")
        [no_promote] = await bot.send(zainab, "/promote 2001")
        [promoted] = await bot.send(admin, f"/promote {FORMER}")
        [log] = await bot.send(admin, "/audit")
        [arabic] = await bot.send(bot.user(ADMIN, "Admin", lang="ar"), "/audit")

    assert text_of(no_audit) == "Sorry, only admins can do that."
    assert text_of(no_promote) == "Sorry, only admins can do that."
    assert text_of(promoted) == "✅ Zainab is now an organizer."  # no longer "keeps the role"
    assert "the bot · Admin role removed (not in BOT_ADMINS): Zainab · succeeded" in text_of(log)
    assert "Admin role removed" not in text_of(arabic) and "Zainab" in text_of(arabic)
    # Their own command menu (with /audit, /promote) was taken back at the start.
    dropped = [
        c
        for c in fake.calls
        if c.method == "deleteMyCommands" and c.params.get("scope", {}).get("chat_id") == FORMER
    ]
    assert dropped


async def test_a_stored_admin_not_in_bot_admins_loses_it_at_their_next_update(
    bot: BotHarness,
) -> None:
    # Another instance, still running with an older BOT_ADMINS, made 2001 an admin again.
    omar = bot.user(2001, "Omar")
    await bot.send(omar, "/start")
    async with bot.runtime.services.sessions.begin() as db:
        await db.execute(update(m.User).where(m.User.id == 2001).values(role="admin"))

    [refused] = await bot.send(omar, "/audit")

    assert text_of(refused) == "Sorry, only admins can do that."
    profile = await bot.runtime.services.users.profile(2001)
    assert profile is not None and profile.role == "attendee"
    lines = await bot.runtime.services.audit.entries(None, "en")
    assert [(r.actor_id, r.action, r.subject, r.detail) for r in lines][-1:] == [
        (None, "admin_revoked", "2001", "admin -> attendee")
    ]


async def test_a_former_admin_linked_to_a_speaker_goes_back_to_speaker(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({FORMER})) as bot:
        await bot.send(bot.user(FORMER, "Zainab"), "/start")
        async with bot.runtime.services.sessions.begin() as db:
            speaker = (await db.execute(m.Speaker.__table__.select().limit(1))).first()
            assert speaker is not None
            db.add(m.SpeakerLink(user_id=FORMER, speaker_id=speaker.id, linked_at=clock.now()))

    async with BotHarness.running(fake, sample_db, clock) as bot:
        profile = await bot.runtime.services.users.profile(FORMER)

    assert profile is not None and profile.role == "speaker"


async def test_an_admin_can_change_the_role_of_a_stored_admin_bot_admins_does_not_name(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as bot:
        await bot.send(bot.user(2002, "Bilal"), "/start")
        async with bot.runtime.services.sessions.begin() as db:  # an older instance's doing
            await db.execute(update(m.User).where(m.User.id == 2002).values(role="admin"))

        [promoted] = await bot.send(bot.user(ADMIN, "Admin"), "/promote 2002")

        lines = await bot.runtime.services.audit.entries(None, "en")
    assert text_of(promoted) == "✅ Bilal is now an organizer."
    assert [(r.action, r.subject, r.detail) for r in lines][:2] == [
        ("promote", "2002", "attendee -> organizer"),
        ("admin_revoked", "2002", "admin -> attendee"),
    ]

"""Admins grant and revoke the organizer role; every attempt is in the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.features.test_cli import cli
from tests.harness import BotHarness, text_of

ADMIN = 900


@pytest.fixture
async def bot(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(
        fake, sqlite_sample_db, clock, admins=frozenset({ADMIN})
    ) as harness:
        yield harness


async def test_an_admin_promotes_by_id_and_the_organizer_can_check_in(bot: BotHarness) -> None:
    admin, omar = bot.user(ADMIN, "Admin"), bot.user(2001, "Omar")
    await bot.send(omar, "/start")

    [promoted] = await bot.send(admin, "/promote 2001")
    [checkin] = await bot.send(omar, "/checkin ABCDEFGH")
    [demoted] = await bot.send(admin, "/demote 2001")
    [refused] = await bot.send(omar, "/checkin ABCDEFGH")

    assert text_of(promoted) == "✅ Omar is now an organizer."
    assert text_of(checkin).startswith("❓ No registration has this code.")
    assert text_of(demoted) == "✅ Omar is no longer an organizer."
    assert text_of(refused) == "Sorry, only organizers can do that."


async def test_an_admin_promotes_by_replying_to_a_forwarded_message(bot: BotHarness) -> None:
    admin = bot.user(ADMIN, "Admin", lang="ar")
    update: dict[str, Any] = {
        "update_id": 7001,
        "message": {
            "message_id": 71,
            "date": 1773460000,
            "chat": {"id": ADMIN, "type": "private", "first_name": "Admin"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Admin", "language_code": "ar"},
            "text": "/promote",
            "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
            "reply_to_message": {
                "message_id": 70,
                "date": 1773459990,
                "chat": {"id": ADMIN, "type": "private", "first_name": "Admin"},
                "text": "Hello from Aisha",
                "forward_origin": {
                    "type": "user",
                    "date": 1773450000,
                    "sender_user": {"id": 3003, "is_bot": False, "first_name": "Aisha"},
                },
            },
        },
    }

    await bot.fake.send_raw_update(update)
    await bot.processed(7001)

    profile = await bot.runtime.services.users.profile(3003)
    assert profile is not None and profile.role == "organizer"
    reply = text_of(bot.fake.last_message(admin.id))
    assert reply.startswith("✅") and "organizer" not in reply  # said in Arabic


async def test_only_admins_change_roles_and_refusals_are_logged(
    bot: BotHarness, sqlite_sample_db: str, tmp_path: Path
) -> None:
    omar = bot.user(2001, "Omar")

    [refused] = await bot.send(omar, "/promote 2001")
    [no_audit] = await bot.send(omar, "/audit")
    [admin_view] = await bot.send(bot.user(ADMIN, "Admin"), "/audit")
    printed = cli("audit", "--tsv", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)
    readable = cli("audit", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)

    assert text_of(refused) == "Sorry, only admins can do that."
    assert text_of(no_audit) == "Sorry, only admins can do that."
    assert "Omar · Made an organizer: Omar · refused (not allowed)" in text_of(admin_view)
    assert "Audit log viewed" in text_of(admin_view)
    assert "\t2001\tpromote\t2001\trefused" in printed.stdout
    assert "Omar · Made an organizer: Omar · refused (not allowed)" in readable.stdout
    profile = await bot.runtime.services.users.profile(2001)
    assert profile is not None and profile.role == "attendee"


async def test_admins_keep_their_role(bot: BotHarness) -> None:
    admin = bot.user(ADMIN, "Admin")

    [reply] = await bot.send(admin, f"/demote {ADMIN}")

    assert text_of(reply) == "Admin is an admin; admins keep their role."


async def test_promote_without_a_target_explains_how(bot: BotHarness) -> None:
    [reply] = await bot.send(bot.user(ADMIN, "Admin"), "/promote")

    assert "Telegram user id" in text_of(reply)

"""/readyz during a rolling upgrade: `symposium-bot db upgrade` runs first, while the old
release still serves. Migrations are additive, so an instance whose database is newer than its
code stays ready; one whose database is older than its code is not (it needs the upgrade)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.harness import BotHarness


@pytest.fixture
async def webhook_bot(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock, unused_tcp_port: int
) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(
        fake,
        sqlite_sample_db,
        clock,
        webhook_url=f"http://127.0.0.1:{unused_tcp_port}/telegram/hook",
        webhook_secret="readiness-Secret",
        http_port=unused_tcp_port,
    ) as harness:
        yield harness


async def readyz_with_revision(bot: BotHarness, revision: str) -> tuple[int, dict[str, object]]:
    async with bot.runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
        )
    port = bot.runtime.settings.http_port
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/readyz") as answer,
    ):
        return answer.status, await answer.json()


async def test_a_database_migrated_by_a_newer_release_keeps_the_old_one_ready(
    webhook_bot: BotHarness,
) -> None:
    status, body = await readyz_with_revision(webhook_bot, "9999_from_the_next_release")

    assert status == 200
    assert body["migrations"] == "newer" and body["ready"] is True


async def test_a_database_older_than_the_code_is_not_ready(webhook_bot: BotHarness) -> None:
    status, body = await readyz_with_revision(webhook_bot, "0001")

    assert status == 503
    assert body["migrations"] == "pending" and body["ready"] is False

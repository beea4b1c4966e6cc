"""A running bot on each database (webhook or polling), and a way to hold its writes up."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.conftest import WEBHOOK_SECRET, running_webhook
from tests.harness import BotHarness


@pytest.fixture
async def webhook_on_each_db(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    """The bot in webhook mode with the sample programme, on SQLite and PostgreSQL."""
    async with running_webhook(fake, sample_db, clock) as harness:
        yield harness


@pytest.fixture
async def polling_on_each_db(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    """The bot in polling mode with the sample programme, on SQLite and PostgreSQL."""
    async with BotHarness.running(fake, sample_db, clock) as harness:
        yield harness


@contextlib.asynccontextmanager
async def writes_held(bot: BotHarness) -> AsyncIterator[None]:
    """Another task's long write transaction, as a big import's was: on SQLite it holds the
    process's write gate, on PostgreSQL a lock that keeps updates from being stored."""
    async with bot.runtime.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            await connection.execute(text("UPDATE events SET name = name"))
        else:
            await connection.execute(text("LOCK TABLE inbox_updates IN EXCLUSIVE MODE"))
        yield


async def post(bot: BotHarness, body: bytes, secret: str = WEBHOOK_SECRET) -> int:
    """POST raw bytes to the bot's webhook as Telegram would; returns the status."""
    url = bot.runtime.settings.webhook_url or ""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status


async def get(bot: BotHarness, path: str) -> tuple[int, dict[str, Any]]:
    port = bot.runtime.settings.http_port
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as answer,
    ):
        return answer.status, await answer.json()

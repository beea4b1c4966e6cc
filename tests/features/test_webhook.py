"""Webhook mode: Telegram pushes updates to our aiohttp endpoint, which stores them first."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.services.inbox import InboxService, UpdateIdInUse
from bot.web.server import create_web_app
from tests.conftest import WEBHOOK_SECRET
from tests.harness import BotHarness, text_of

SECRET = WEBHOOK_SECRET


async def test_webhook_mode_registers_the_webhook_with_its_secret(webhook_bot: BotHarness) -> None:
    assert webhook_bot.fake.webhook_url == webhook_bot.runtime.settings.webhook_url
    assert webhook_bot.fake.webhook_secret == SECRET


async def test_an_attendee_is_served_through_the_webhook(webhook_bot: BotHarness) -> None:
    user = webhook_bot.user(lang="en")

    [welcome] = await webhook_bot.send(user, "/start")
    [days] = await webhook_bot.send(user, "/programme")
    [day] = await webhook_bot.press(user, days, "Day 2")

    assert "Welcome, Amina!" in text_of(welcome)
    assert "Day 2 · Sun, Mar 15" in text_of(day)
    assert webhook_bot.fake.last_delivery_status == 200


async def test_the_webhook_refuses_requests_without_the_secret(webhook_bot: BotHarness) -> None:
    url = webhook_bot.runtime.settings.webhook_url or ""
    update = {"update_id": 1, "message": {"text": "hi"}}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update) as missing:
            assert missing.status == 401
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
        async with http.post(url, json=update, headers=wrong) as refused:
            assert refused.status == 401
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(url, data=b"not json", headers=good) as garbage:
            assert garbage.status == 400
        async with http.post(url, json={"no": "update_id"}, headers=good) as shapeless:
            assert shapeless.status == 400
        async with http.post(url, json=[1, 2], headers=good) as listed:
            assert listed.status == 400
    assert await webhook_bot.runtime.inbox.counts() == {}


async def test_healthz_and_readyz_report_the_database_migrations_and_sender(
    webhook_bot: BotHarness,
) -> None:
    port = webhook_bot.runtime.settings.http_port
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200
            assert await health.json() == {"status": "alive", "database": "ok"}
        async with http.get(f"http://127.0.0.1:{port}/readyz") as ready:
            assert ready.status == 200
            assert await ready.json() == {
                "database": "ok",
                "migrations": "current",
                "sender": "sending",
                "ready": True,
            }


async def test_an_update_that_cannot_be_stored_gets_a_5xx_so_telegram_retries(
    clock: FrozenClock,
) -> None:
    engine = create_engine("sqlite+aiosqlite:////nonexistent/dir/bot.db")
    sessions = create_session_factory(engine)
    inbox = InboxService(sessions, clock)

    async def accept(updates: list[dict[str, Any]]) -> None:
        await inbox.store(updates)

    app = create_web_app(accept=accept, sessions=sessions, webhook_path="/hook", secret=SECRET)
    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            "/hook",
            json={"update_id": 5, "message": {"text": "hi"}},
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        health_body = await health.json()
    await engine.dispose()
    assert response.status == 503
    assert health.status == 200  # alive, and says the database is not
    assert health_body["database"] == "unavailable"
    assert ready.status == 503


async def test_an_update_id_still_in_use_gets_a_503_and_one_warning_line(
    clock: FrozenClock, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    """Ids that restarted while an older update with the same id waits: Telegram retries."""

    async def accept(updates: list[dict[str, Any]]) -> None:
        raise UpdateIdInUse(updates[0]["update_id"])

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    app = create_web_app(
        accept=accept,
        sessions=create_session_factory(engine),
        webhook_path="/hook",
        secret=SECRET,
    )
    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            "/hook",
            json={"update_id": 7, "message": {"text": "hi"}},
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    await engine.dispose()
    assert response.status == 503
    records = [r for r in caplog.records if "update id 7" in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is None  # no traceback

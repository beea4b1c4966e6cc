"""Webhook mode: Telegram pushes updates to our aiohttp endpoint, which stores them first."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.inbox import InboxService, UpdateIdInUse
from bot.web import server
from bot.web.server import create_web_app
from tests.conftest import WEBHOOK_SECRET, running_webhook
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
                "writes": "ok",
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
    await threads_settled()
    assert response.status == 503
    assert health.status == 200  # alive, and says the database is not
    assert health_body["database"] == "unavailable"
    assert ready.status == 503


async def threads_settled() -> None:
    """aiosqlite ends a connection that failed to open on its own thread a moment later:
    let it finish before this test's event loop closes (else it fails on a closed loop)."""
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, 5)


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


# --- what anyone who can reach the port can do (issue #16, point 4) --------------------------
CAP = 16


@pytest.fixture
def request_timeout() -> float:
    """Seconds a connection has to send its request's headers, and then its body."""
    return 0.5


@pytest.fixture
async def guarded_bot(
    fake: FakeBotApi,
    sqlite_sample_db: str,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    request_timeout: float,
) -> AsyncIterator[BotHarness]:
    """The webhook bot with its connection limits made small (normally 10 s and 256)."""
    monkeypatch.setattr(server, "REQUEST_TIMEOUT", request_timeout)
    monkeypatch.setattr(server, "BODY_TIMEOUT", request_timeout)
    monkeypatch.setattr(server, "MAX_CONNECTIONS", CAP)
    async with running_webhook(fake, sqlite_sample_db, clock, SECRET) as harness:
        yield harness


async def connect(bot: BotHarness) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", bot.runtime.settings.http_port)


async def test_connections_that_do_not_send_a_whole_request_in_time_are_closed(
    guarded_bot: BotHarness,
) -> None:
    silent = await connect(guarded_bot)
    half_headers = await connect(guarded_bot)
    half_headers[1].write(b"POST /telegram/hook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    half_body = await connect(guarded_bot)
    half_body[1].write(
        b"POST /telegram/hook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        b'{"update_id": 5, "mess'
    )

    async with asyncio.timeout(10):  # the server hangs up on each (an hour, before)
        silence = await silent[0].read()
        half = await half_headers[0].read()
        slow = await half_body[0].read()

    assert silence == b"" and half == b""
    assert slow.startswith(b"HTTP/1.1 408")
    assert await guarded_bot.runtime.inbox.counts() == {}
    for _, writer in (silent, half_headers, half_body):
        writer.close()


@pytest.mark.parametrize("request_timeout", [60.0])  # idle connections stay until the cap says
async def test_idle_connections_beyond_the_cap_make_way_and_attendees_are_still_served(
    guarded_bot: BotHarness,
) -> None:
    idle = [await connect(guarded_bot) for _ in range(3 * CAP)]
    hung_up = [asyncio.ensure_future(reader.read()) for reader, _ in idle]

    async with asyncio.timeout(10):  # at most CAP stay open: the others are closed at once
        while sum(task.done() for task in hung_up) < len(idle) - CAP:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    [welcome] = await guarded_bot.send(guarded_bot.user(), "/start")
    port = guarded_bot.runtime.settings.http_port
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as h:
        health = h.status

    assert "Welcome, Amina!" in text_of(welcome)
    assert health == 200
    for task in hung_up:
        task.cancel()
    for _, writer in idle:
        writer.close()


async def test_running_out_of_file_descriptors_is_logged_once_a_minute_not_per_attempt(
    guarded_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """asyncio reports every failed accept (one a second while the process is out of file
    descriptors) with a traceback; 1,024 idle connections once wrote 387,000 lines."""
    loop = asyncio.get_running_loop()
    caplog.set_level(logging.WARNING)
    for _ in range(100):
        loop.call_exception_handler(
            {
                "message": "socket.accept() out of system resource",
                "exception": OSError(24, "Too many open files"),
            }
        )

    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1
    assert "Too many open files" in logged[0].getMessage()
    assert logged[0].exc_info is None


async def test_the_body_of_an_update_may_be_a_megabyte_but_no_more(
    guarded_bot: BotHarness,
) -> None:
    url = guarded_bot.runtime.settings.webhook_url or ""
    big = {"update_id": 9, "message": {"text": "x" * 1_100_000}}
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=json.dumps(big), headers=headers) as refused,
    ):
        assert refused.status == 413
    assert await guarded_bot.runtime.inbox.counts() == {}

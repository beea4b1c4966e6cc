"""A database outage is a few log lines, not a flood (issue #16, point 3).

PostgreSQL cut off for 21 seconds once wrote 9,215 tracebacks: the inbox worker retried its
claim at once, again and again, and logged each failure, and every webhook post answered 503
logged one too. Now each loop logs the first failure in one line and a summary when the
database is back, and waits longer between attempts while it is away.

PostgreSQL is cut off through a TCP proxy that drops every connection and refuses new
ones; SQLite is made to refuse writes by another process holding its lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.clock import FrozenClock
from bot.db import engine as engine_module
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.conftest import WEBHOOK_SECRET, free_port
from tests.harness import BotHarness, text_of

OUTAGE_SECONDS = 2.0


class Proxy:
    """Forwards TCP connections to the database until it is cut off."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._open: set[asyncio.StreamWriter] = set()
        self.cut = False
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.cut_off()
        if self._server is not None:
            self._server.close()

    def cut_off(self) -> None:
        self.cut = True
        for writer in list(self._open):
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}
        try:
            await asyncio.gather(
                _pump(reader, up_writer), _pump(up_reader, writer), return_exceptions=True
            )
        finally:
            self._open -= {writer, up_writer}
            writer.transport.abort()
            up_writer.transport.abort()


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        await sink.drain()
    sink.transport.abort()


@pytest.fixture
async def outage(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[BotHarness, Callable[[bool], None]]]:
    """A webhook bot, and `away(True/False)` to take its database away and give it back."""
    proxy: Proxy | None = None
    locker: sqlite3.Connection | None = None
    url = sample_db
    if sample_db.startswith("sqlite"):
        monkeypatch.setattr(engine_module, "SQLITE_LOCK_TIMEOUT", 0.5)  # fail in 0.5 s
        path = make_url(sample_db).database or ""
        locker = sqlite3.connect(path, isolation_level=None)
    else:
        target = make_url(sample_db)
        proxy = Proxy(target.host or "127.0.0.1", target.port or 5432)
        await proxy.start()
        url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)

    def away(gone: bool) -> None:
        if proxy is not None:
            if gone:
                proxy.cut_off()
            else:
                proxy.cut = False
        elif locker is not None:
            locker.execute("BEGIN IMMEDIATE" if gone else "ROLLBACK")

    port = free_port()
    try:
        async with BotHarness.running(
            fake,
            url,
            clock,
            webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
            webhook_secret=WEBHOOK_SECRET,
            http_port=port,
        ) as harness:
            yield harness, away
    finally:
        if proxy is not None:
            await proxy.stop()
        if locker is not None:
            locker.close()


async def test_an_outage_is_logged_once_then_summed_up_and_claims_back_off(
    outage: tuple[BotHarness, Callable[[bool], None]], caplog: pytest.LogCaptureFixture
) -> None:
    bot, away = outage
    amina, omar = bot.user(1001, "Amina"), bot.user(1002, "Omar")
    await bot.send(amina, "/start")
    claims = count_calls(bot.runtime.inbox, "claim")
    caplog.clear()
    caplog.set_level(logging.INFO)

    away(True)
    claims.clear()
    during = asyncio.create_task(bot.fake.send_text(omar, "/help"))  # answered 503, retried
    await asyncio.sleep(OUTAGE_SECONDS)  # the outage lasts
    attempts = len(claims)
    away(False)
    update = await during
    await bot.processed(update["update_id"])

    assert "/programme" in text_of(bot.fake.messages(omar.id)[-1])  # nothing was lost
    assert any(d.status == 503 for d in bot.fake.hub.deliveries)
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert all(r.exc_info is None for r in logged), "a traceback per failure"
    assert len(logged) <= 4, [r.getMessage() for r in logged]
    back = [r.getMessage() for r in logged if "database back after" in r.getMessage()]
    assert any("webhook" in line for line in back)
    assert attempts <= 25  # backed off: without a pause, thousands


def count_calls(target: Any, name: str) -> list[float]:
    """Record each call of `target.name` (the loop time it started) while it runs as ever."""
    calls: list[float] = []
    original = getattr(target, name)

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(asyncio.get_running_loop().time())
        return await original(*args, **kwargs)

    setattr(target, name, counted)
    return calls

"""`python -m bot run` as a real process next to an in-process fake Bot API: start it, kill
it (SIGKILL, like a crash or the OOM killer) or stop it (SIGTERM), restart it; and streams of
attendees writing to it while that happens."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.db import models as m
from bot.db.engine import create_engine, create_session_factory
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser

ROOT = Path(__file__).resolve().parents[2]
SECRET = "ingestion-Test_secret"
LEASE_SECONDS = "2"  # a killed process's claims are taken over quickly in these tests
# Each answers with exactly one new message, whatever the wall clock says.
QUESTIONS = ("/now", "climate", "/programme", "journalism", "/next", "verification", "/help")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `python -m bot run`; its output goes to a log file shown when a test fails."""

    def __init__(
        self,
        fake: FakeBotApi,
        database_url: str,
        cwd: Path,
        *,
        port: int | None = None,
        webhook_url: str | None = None,
        name: str = "bot",
        **env: str,
    ) -> None:
        self.fake = fake
        self.port = port
        self.cwd = cwd
        self.log = cwd / f"{name}.log"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        clean.update(
            {
                "BOT_TOKEN": fake.token,
                "BOT_API_BASE_URL": fake.base_url,
                "DATABASE_URL": database_url,
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
                "INBOX_LEASE_SECONDS": LEASE_SECONDS,
            }
        )
        if port is not None:
            clean.update(
                {
                    "WEBHOOK_URL": webhook_url or f"http://127.0.0.1:{port}/telegram/hook",
                    "WEBHOOK_SECRET": SECRET,
                    "HTTP_PORT": str(port),
                }
            )
        clean.update(env)
        self.env = clean
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Start and wait until updates can flow (polling, or the HTTP port answering)."""
        calls_before = len(self.fake.calls)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: ASYNC220 - returns at once
                [sys.executable, "-m", "bot", "run"],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not await self._ready(calls_before):
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the bot exited with {self.process.returncode}: {self.output}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start within {timeout} s: {self.output}")
            await asyncio.sleep(0.05)

    async def _ready(self, calls_before: int) -> bool:
        if self.port is None:  # the poller starts right after; updates queue meanwhile
            return any(c.method == "deleteWebhook" for c in self.fake.calls[calls_before:])
        if not any(c.method == "setWebhook" for c in self.fake.calls[calls_before:]):
            return False
        return (await self.get("/healthz"))[0] == 200

    async def get(self, path: str) -> tuple[int, dict[str, object]]:
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{self.port}{path}") as response,
            ):
                return response.status, await response.json()
        except (aiohttp.ClientError, TimeoutError):
            return -1, {}

    def kill(self) -> None:
        """SIGKILL: no drain, no release; what a crash leaves behind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    async def terminate(self, timeout: float) -> tuple[int | None, float]:  # noqa: ASYNC109
        """SIGTERM; returns the exit code (None if still running after `timeout`) and the time."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        while self.process.poll() is None and time.monotonic() - started < timeout:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return self.process.poll(), time.monotonic() - started

    def stop(self) -> None:
        """Cleanup: never leave a process behind."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


class Attendees:
    """Users writing to the bot one message after another, each at their own pace."""

    def __init__(self, fake: FakeBotApi, count: int = 10, first_id: int = 5001) -> None:
        self.fake = fake
        self.users = [fake.user(first_id + n, f"User{n}", language_code="en") for n in range(count)]
        self.sent: dict[int, int] = {}  # update_id -> chat id

    async def write(self, messages: int, pause: float = 0.03) -> None:
        async def one(user: FakeUser, offset: int) -> None:
            for n in range(messages):
                update = await self.fake.send_text(user, QUESTIONS[(n + offset) % len(QUESTIONS)])
                self.sent[int(update["update_id"])] = user.id
                await asyncio.sleep(pause)

        await asyncio.gather(*(one(user, i) for i, user in enumerate(self.users)))

    def per_chat(self) -> Counter[int]:
        return Counter(self.sent.values())


def replies_per_chat(fake: FakeBotApi, chats: Iterable[int]) -> Counter[int]:
    wanted = set(chats)
    return Counter(
        int(c.params["chat_id"])
        for c in fake.calls
        if c.method == "sendMessage" and c.ok and int(c.params["chat_id"]) in wanted
    )


async def inbox_rows(database_url: str) -> dict[int, tuple[str, int | None, int]]:
    """update_id -> (state, chat id, attempts), read straight from the database."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            rows = await db.execute(
                select(
                    m.InboxUpdate.update_id,
                    m.InboxUpdate.state,
                    m.InboxUpdate.chat_id,
                    m.InboxUpdate.attempts,
                )
            )
            return {int(u): (s, c, int(a)) for u, s, c, a in rows.all()}
    finally:
        await engine.dispose()


async def wait_until(
    condition: Callable[[], Awaitable[bool]],
    timeout: float,  # noqa: ASYNC109
    what: str,
    processes: Sequence[BotProcess] = (),
) -> None:
    """Await an async predicate; on timeout, fail with the processes' recent output."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.log.name}\n{p.output}" for p in processes)
            raise AssertionError(f"{what} not true after {timeout} s\n{logs}")
        await asyncio.sleep(0.1)

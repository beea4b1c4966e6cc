"""Shared fixtures: databases on SQLite (always) and PostgreSQL (when TEST_POSTGRES_URL is
set), the fake Bot API, and a running bot wired to both."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.inbox import InboxService
from tests.databases import (
    SAMPLE_ZONE,
    PostgresRun,
    copy_sqlite,
    make_sqlite_template,
    reset_postgres,
)
from tests.harness import BotHarness

BACKENDS = ["sqlite", "postgres"]
ADMIN = 900  # the Telegram id the `desk` fixture makes an admin
KL = ZoneInfo(SAMPLE_ZONE)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    directory = tmp_path_factory.mktemp("templates")
    return {
        True: make_sqlite_template(directory, sample=True),
        False: make_sqlite_template(directory, sample=False),
    }


@pytest.fixture(scope="session")
def postgres_run() -> Iterator[PostgresRun | None]:
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        yield None
        return
    run = PostgresRun(server)
    run.create()
    try:
        yield run
    finally:
        run.drop()


async def _database(
    backend: str, *, sample: bool, templates: dict[bool, Path], pg: PostgresRun | None, tmp: Path
) -> str:
    if backend == "sqlite":
        return copy_sqlite(templates[sample], tmp / "bot.db")
    if pg is None:
        pytest.skip("TEST_POSTGRES_URL is not set")
    await reset_postgres(pg.url, sample=sample)
    return pg.url


@pytest.fixture(params=BACKENDS)
async def sample_db(
    request: pytest.FixtureRequest,
    sqlite_templates: dict[bool, Path],
    postgres_run: PostgresRun | None,
    tmp_path: Path,
) -> str:
    """A database URL with the sample programme (day 1 = 2026-03-14), on each backend."""
    return await _database(
        request.param, sample=True, templates=sqlite_templates, pg=postgres_run, tmp=tmp_path
    )


@pytest.fixture(params=BACKENDS)
async def empty_db(
    request: pytest.FixtureRequest,
    sqlite_templates: dict[bool, Path],
    postgres_run: PostgresRun | None,
    tmp_path: Path,
) -> str:
    return await _database(
        request.param, sample=False, templates=sqlite_templates, pg=postgres_run, tmp=tmp_path
    )


@pytest.fixture
def sqlite_sample_db(sqlite_templates: dict[bool, Path], tmp_path: Path) -> str:
    return copy_sqlite(sqlite_templates[True], tmp_path / "bot.db")


@pytest.fixture
def clock() -> FrozenClock:
    """Saturday 14 March 2026, 10:15 in Kuala Lumpur: day 1, sessions running."""
    return FrozenClock(datetime(2026, 3, 14, 10, 15, tzinfo=KL))


@pytest.fixture
async def inbox(empty_db: str, clock: FrozenClock) -> AsyncIterator[InboxService]:
    """The update inbox on an empty database (each backend)."""
    engine = create_engine(empty_db)
    try:
        yield InboxService(create_session_factory(engine), clock)
    finally:
        await engine.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    """The real bot in polling mode on SQLite with the sample programme."""
    async with BotHarness.running(fake, sqlite_sample_db, clock) as harness:
        yield harness


WEBHOOK_SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def running_webhook(
    fake: FakeBotApi,
    database_url: str,
    clock: FrozenClock,
    secret: str = WEBHOOK_SECRET,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """The real bot in webhook mode, on an HTTP port of its own."""
    port = free_port()
    async with BotHarness.running(
        fake,
        database_url,
        clock,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=secret,
        http_port=port,
        **overrides,
    ) as harness:
        yield harness


@pytest.fixture
async def webhook_bot(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    """The real bot in webhook mode (its own HTTP port) on SQLite with the sample programme."""
    async with running_webhook(fake, sqlite_sample_db, clock) as harness:
        yield harness


@pytest.fixture
async def desk(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    """The bot with one admin (`ADMIN`), for organizer journeys."""
    async with BotHarness.running(
        fake, sqlite_sample_db, clock, admins=frozenset({ADMIN})
    ) as harness:
        yield harness


# --- PostgreSQL variants: say when they were skipped and how to run them --------------------
POSTGRES_HINT = (
    "set TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres to run them"
)


def postgres_skipped_note(skipped: int | None = None) -> list[str]:
    """The line `make test` prints when TEST_POSTGRES_URL is unset ([] when it is set)."""
    if os.environ.get("TEST_POSTGRES_URL"):
        return []
    counted = "" if skipped is None else f" ({skipped} test{'' if skipped == 1 else 's'})"
    return [f"PostgreSQL variants skipped{counted}: {POSTGRES_HINT}"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    return postgres_skipped_note()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """At the end too: `make test` runs with -q, which shows no header."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "TEST_POSTGRES_URL" in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        for line in postgres_skipped_note(len(skipped)):
            terminalreporter.write_line(line)

"""Test databases: a migrated SQLite template copied per test, and one PostgreSQL database
per test run (created at start, dropped at the end) truncated between tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.models import Base
from bot.sample import load_sample
from bot.services.programme import ProgrammeService

SAMPLE_START = date(2026, 3, 14)  # a Saturday; day 3 is Monday 16 March
SAMPLE_ZONE = "Asia/Kuala_Lumpur"
IMPORT_CLOCK = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))  # the sample is imported before


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def prepare(url: str, *, sample: bool) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        if sample:
            await ProgrammeService(create_session_factory(engine), IMPORT_CLOCK).apply(
                load_sample(SAMPLE_START, SAMPLE_ZONE)
            )
    finally:
        await engine.dispose()


def make_sqlite_template(directory: Path, *, sample: bool) -> Path:
    path = directory / ("sample.db" if sample else "empty.db")
    asyncio.run(prepare(sqlite_url(path), sample=sample))
    return path


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return sqlite_url(target)


class PostgresRun:
    """One database for the whole test run, named uniquely, dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.name = f"symposium_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.url = self.server.set(database=self.name).render_as_string(hide_password=False)

    def _dsn(self) -> str:
        return self.server.set(drivername="postgresql").render_as_string(hide_password=False)

    def create(self) -> None:
        async def run() -> None:
            connection = await asyncpg.connect(self._dsn())
            try:
                await connection.execute(f'CREATE DATABASE "{self.name}"')
            finally:
                await connection.close()
            await prepare(self.url, sample=False)

        asyncio.run(run())

    def drop(self) -> None:
        async def run() -> None:
            connection = await asyncpg.connect(self._dsn())
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            finally:
                await connection.close()

        asyncio.run(run())


async def reset_postgres(url: str, *, sample: bool) -> None:
    """Empty every table (the schema stays migrated), then load the sample if asked."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        if sample:
            await ProgrammeService(create_session_factory(engine), IMPORT_CLOCK).apply(
                load_sample(SAMPLE_START, SAMPLE_ZONE)
            )
    finally:
        await engine.dispose()

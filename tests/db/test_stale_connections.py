"""PostgreSQL: a pooled connection the server dropped while it sat idle (a restart, a
proxy's idle timeout) is replaced before a statement runs on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import engine as db_engine
from bot.db.engine import create_engine

PID = text("SELECT pg_backend_pid()")


@pytest.fixture
async def dropped(empty_db: str) -> AsyncIterator[tuple[AsyncEngine, int]]:
    """An engine whose one pooled connection the server has just terminated, and its pid."""
    if not empty_db.startswith("postgresql"):
        pytest.skip("a PostgreSQL server connection")
    engine, other = create_engine(empty_db), create_engine(empty_db)
    try:
        async with engine.connect() as connection:
            pid = int(await connection.scalar(PID) or 0)
        async with other.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        yield engine, pid
    finally:
        await other.dispose()
        await engine.dispose()


async def test_a_connection_dropped_while_idle_is_replaced_before_use(
    dropped: tuple[AsyncEngine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pid = dropped
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE", 0.0)
    async with engine.connect() as connection:
        assert await connection.scalar(PID) != pid


async def test_a_connection_in_recent_use_is_not_pinged(
    dropped: tuple[AsyncEngine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = dropped
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE", 3600.0)
    with pytest.raises(exc.DBAPIError):  # used again at once: no ping, so it shows
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

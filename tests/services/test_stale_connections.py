"""PostgreSQL: a pooled connection the server dropped while it sat idle (a restart, a
proxy's idle timeout) is replaced before a statement runs on it."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from bot.db import engine as db_engine
from bot.db.engine import create_engine


async def backend_pid_after_the_server_drops_it(url: str) -> tuple[int, db_engine.AsyncEngine]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        pid = int(await connection.scalar(text("SELECT pg_backend_pid()")) or 0)
    other = create_engine(url)
    async with other.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await other.dispose()
    return pid, engine


async def test_a_connection_dropped_while_idle_is_replaced_before_use(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not empty_db.startswith("postgresql"):
        pytest.skip("a PostgreSQL server connection")
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE", 0.0)
    pid, engine = await backend_pid_after_the_server_drops_it(empty_db)
    try:
        async with engine.connect() as connection:
            now = int(await connection.scalar(text("SELECT pg_backend_pid()")) or 0)
        assert now != pid
    finally:
        await engine.dispose()


async def test_a_connection_in_recent_use_is_not_pinged(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not empty_db.startswith("postgresql"):
        pytest.skip("a PostgreSQL server connection")
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE", 3600.0)
    _, engine = await backend_pid_after_the_server_drops_it(empty_db)
    try:
        with pytest.raises(exc.DBAPIError):  # used again at once: no ping, so it shows
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()

"""SQLite's writers queue at the write gate, in order, instead of in SQLite's busy handler."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import sqlite_writes


async def writers_at_once(path: Path, *, gated: bool) -> list[str]:
    """Twenty transactions that each hold their write across an await, with SQLite's own
    busy wait switched off (timeout 0): without the gate they collide."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0})
    if gated:
        sqlite_writes.install(engine.sync_engine, timeout=5)
    async with engine.begin() as connection:
        await connection.execute(text("PRAGMA journal_mode=WAL"))
        await connection.execute(text("CREATE TABLE IF NOT EXISTS notes (n INTEGER)"))
    outcomes: list[str] = []

    async def write(n: int) -> None:
        try:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes VALUES (:n)"), {"n": n})
                await asyncio.sleep(0.005)  # e.g. another statement's turn on the loop
                await connection.execute(text("UPDATE notes SET n = n WHERE n = :n"), {"n": n})
            outcomes.append("ok")
        except OperationalError as error:
            outcomes.append(str(error.orig))

    try:
        await asyncio.gather(*(write(n) for n in range(20)))
        async with engine.connect() as connection:
            stored = await connection.scalar(text("SELECT count(*) FROM notes"))
    finally:
        await engine.dispose()
    assert stored == outcomes.count("ok")
    return outcomes


async def test_concurrent_writers_of_one_process_all_commit_through_the_gate(
    tmp_path: Path,
) -> None:
    assert await writers_at_once(tmp_path / "gated.db", gated=True) == ["ok"] * 20


async def test_without_the_gate_the_same_writers_collide(tmp_path: Path) -> None:
    outcomes = await writers_at_once(tmp_path / "bare.db", gated=False)

    assert "database is locked" in outcomes  # what the gate saves us from


async def test_the_gate_is_handed_over_in_arrival_order() -> None:
    gate = sqlite_writes.WriteGate(timeout=5)
    assert gate.try_take()
    order: list[int] = []

    async def writer(n: int) -> None:
        await gate.take()
        order.append(n)
        await asyncio.sleep(0)
        gate.give_back()

    tasks = [asyncio.create_task(writer(n)) for n in range(5)]
    await asyncio.sleep(0.01)
    gate.give_back()
    await asyncio.gather(*tasks)

    assert order == [0, 1, 2, 3, 4]
    assert gate.try_take()  # open again at the end


async def test_a_writer_that_waits_too_long_gets_sqlites_own_error_and_leaves_no_trace() -> None:
    gate = sqlite_writes.WriteGate(timeout=0.05)
    assert gate.try_take()

    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        await gate.take()
    waiter = asyncio.create_task(gate.take())
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate.give_back()

    assert gate.try_take()  # neither the timed-out nor the cancelled writer holds it

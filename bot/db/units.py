"""A transaction's statements as one piece of synchronous code: a "unit".

The inbox's transactions (store and lease, claim, finish) run several statements, and under
load each statement of an async transaction waits for a turn of a busy event loop before the
next can start: at 300 updates a second a four-statement store took 10–25 ms of wall time
for well under a millisecond of work, and every update waited for one. A unit is written once,
against SQLAlchemy's synchronous `Connection`, and run where that wait disappears:

- on SQLite, on the connection's own thread, in one hand-off (`sqlite_driver.run_unit`),
  after taking the process's write gate;
- elsewhere (PostgreSQL), through `AsyncConnection.run_sync`: each statement is still a round
  trip, as it always was.

A unit must only touch the database through the connection it is given (no awaiting, no
shared state): on SQLite it runs on another thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import sqlite_driver

T = TypeVar("T")
Unit = Callable[[Connection], T]


async def run(engine: AsyncEngine, unit: Unit[T]) -> T:
    """Run `unit` in a transaction of its own: committed if it returns, rolled back if it
    raises (the exception is the caller's)."""
    if engine.dialect.name == "sqlite":
        return await sqlite_driver.run_unit(engine, unit)
    async with engine.begin() as connection:
        return await connection.run_sync(unit)

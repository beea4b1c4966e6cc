"""One writer at a time on SQLite, queued in the event loop instead of in SQLite's busy handler.

SQLite lets one connection write at a time. When a second connection wants to write, its busy
handler sleeps and retries (1, 2, 5, 10 … 100 ms) until the lock is free, so under load
writers doze while the lock sits idle, and an update's latency jumps by tens of milliseconds
(measured: the bot's SQLite threads spent more time asleep in the busy handler than working).

The gate is that same lock, taken one step earlier and handed over in order: a connection
takes it before its first INSERT/UPDATE/DELETE (which is where the sqlite3 module begins the
write transaction) and gives it back when it returns to the pool, after its COMMIT or
ROLLBACK. A writer that finds the gate taken waits on a future, woken the moment the holder is
done. Reads never wait (WAL), and other processes (the CLI's import, say) still meet SQLite's
own lock and busy timeout, which stays as the backstop.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")
HOLDS = "symposium_write_gate"  # key in the pool record's info: this connection holds the gate


class WriteGate:
    """A FIFO lock whose uncontended take is synchronous (no task switch per write).

    It remembers since when it is held and since when its oldest writer waits
    (`blocked_for`), for readiness: a writer holding it for long (a long transaction, or
    another process's lock it waits for in SQLite) holds up every update's store."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._held = False
        self._held_since = 0.0  # time.monotonic() when the current holder got it
        self._waiters: collections.deque[tuple[asyncio.Future[None], float]] = collections.deque()

    def try_take(self) -> bool:
        if self._held or self._waiters:
            return False
        self._held = True
        self._held_since = time.monotonic()
        return True

    def blocked_for(self) -> float:
        """Seconds the gate has been held by its holder, or waited on by its oldest
        waiter, whichever is longer; 0 when it is open."""
        if not self._held:
            return 0.0
        since = self._held_since
        if self._waiters:
            since = min(since, self._waiters[0][1])
        return time.monotonic() - since

    async def take(self) -> None:
        if self.try_take():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (waiter, time.monotonic())
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self._timeout)
        except BaseException as error:  # timed out or cancelled: leave no trace
            if waiter.done() and not waiter.cancelled():
                self.give_back()  # handed over just as we gave up: pass it on
            else:
                waiter.cancel()
                self._waiters.remove(entry)
            if isinstance(error, TimeoutError):
                raise sqlite3.OperationalError("database is locked") from None
            raise

    def give_back(self) -> None:
        """Hand the gate to the oldest waiter (it stays held), or open it."""
        while self._waiters:
            waiter, _since = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._held_since = time.monotonic()
                return
        self._held = False


_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def gate_of(engine: AsyncEngine) -> WriteGate | None:
    """The engine's write gate; None for engines without one (PostgreSQL)."""
    return _GATES.get(engine.sync_engine)


def install(engine: Engine, timeout: float) -> WriteGate:
    """Put a write gate on an SQLite engine (its sync side, as `AsyncEngine.sync_engine`)."""
    gate = _GATES[engine] = WriteGate(timeout)

    @event.listens_for(engine, "before_cursor_execute")
    def before_write(
        connection: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        info = connection.info
        if info.get(HOLDS) or not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        if not gate.try_take():
            await_only(gate.take())
        info[HOLDS] = True

    @event.listens_for(engine, "checkin")
    def after_transaction(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Back in the pool means committed or rolled back (the pool's reset comes first).
        if record.info.pop(HOLDS, False):
            gate.give_back()

    return gate


async def hold(connection: AsyncConnection) -> None:
    """Take the gate for `connection` now, for writes that will not pass through its cursor
    (a unit on the database thread); it is handed on when the connection returns to the pool.
    Engines without a gate (none installed) need nothing."""
    gate = _GATES.get(connection.engine.sync_engine)
    if gate is None or connection.info.get(HOLDS):
        return
    await gate.take()
    connection.info[HOLDS] = True

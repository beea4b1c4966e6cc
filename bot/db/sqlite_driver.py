"""SQLite statements that cross to the database thread once, not four times.

aiosqlite runs each sqlite3 call on the connection's own thread, and SQLAlchemy's adapter
makes four such calls per statement (open a cursor, execute, fetch, close). Each is a hand-off
between the event loop and that thread: a queue put, a thread wake-up, a self-pipe write and
a loop wake-up, about 100 µs of CPU when the threads sleep between updates. That is where a
statement's time went (650 µs through SQLAlchemy and aiosqlite for a SELECT that takes 15 µs
in `sqlite3`), and at moderate load, where little is batched, it was most of an update's cost.

Here the cursor runs the four calls as one function on the connection's thread, through the
same queue aiosqlite and SQLAlchemy's own adapter use (`Connection._execute`, `_conn`). It is
passed to SQLAlchemy as the `module` of the `sqlite+aiosqlite` dialect, so the URL, the
dialect and every statement stay as they are. Server-side cursors (`stream`) keep SQLAlchemy's
own class.

Each statement also reports whether SQLite is left inside a transaction, so a COMMIT or
ROLLBACK with nothing to end is not sent across at all. The pool rolls back every connection
it is given back, even right after a COMMIT, and a read-only block commits nothing: those were
a third of all hand-offs at moderate load.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import create_engine
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from bot.db import sqlite_writes

T = TypeVar("T")

Description = tuple[tuple[Any, ...], ...] | None
# description, rows, lastrowid, rowcount, and whether a transaction is open afterwards
Outcome = tuple[Description, list[Any], int, int, bool]


def _execute(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """On the database thread: the statement from cursor to close."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            rows = cursor.fetchall()
            return cursor.description, rows, -1, -1, connection.in_transaction
        return None, [], cursor.lastrowid or 0, cursor.rowcount, connection.in_transaction
    finally:
        cursor.close()


def _execute_many(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Any]
) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return None, [], cursor.lastrowid or 0, cursor.rowcount, connection.in_transaction
    finally:
        cursor.close()


class OneHopCursor:
    """A DB-API cursor whose rows are fetched with the statement, in one hand-off."""

    server_side = False
    __slots__ = ("_adapt_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapt_connection: OneHopConnection) -> None:
        self._adapt_connection = adapt_connection
        self._rows: deque[Any] = deque()
        self.arraysize = 1
        self.description: Description = None
        self.lastrowid = -1
        self.rowcount = -1

    def _run(self, function: Any, operation: str, parameters: Any) -> None:
        adapted = self._adapt_connection
        try:
            connection: Any = adapted._connection  # an aiosqlite.Connection
            outcome: Outcome = adapted.await_(
                connection._execute(function, connection._conn, operation, parameters)
            )
        except Exception as error:
            adapted.in_transaction = True  # a failed statement may leave one open
            adapted._handle_exception(error)
        self.description, rows, self.lastrowid, self.rowcount, adapted.in_transaction = outcome
        self._rows = deque(rows)

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._run(_execute, operation, parameters)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._run(_execute_many, operation, seq_of_parameters)

    async def _async_soft_close(self) -> None:
        return

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows
        return [rows.popleft() for _ in range(min(size or self.arraysize, len(rows)))]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Knows whether SQLite holds a transaction open: True unless a statement of ours, a
    COMMIT or a ROLLBACK said otherwise."""

    __slots__ = ("in_transaction",)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.in_transaction = True

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:
            self.in_transaction = True  # its statements bypass our bookkeeping
            return super().cursor(server_side=True)
        return OneHopCursor(self)

    def execute(self, *args: Any, **kw: Any) -> Any:
        self.in_transaction = True
        return super().execute(*args, **kw)

    def commit(self) -> None:
        if self.in_transaction:
            super().commit()
            self.in_transaction = False

    def rollback(self) -> None:
        if self.in_transaction:
            super().rollback()
            self.in_transaction = False


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy's aiosqlite dialect is given (`module=`)."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        if type(adapted) is not AsyncAdapt_aiosqlite_connection:
            return adapted  # the sync fallback (`async_fallback`): left as SQLAlchemy made it
        return OneHopConnection(self, adapted._connection)


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)


# --- units: a whole transaction in one hand-off (see bot/db/units.py) ------------------------
_UNIT_ENGINE = "symposium_unit_engine"  # key in the pool record's info


async def run_unit(engine: AsyncEngine, unit: Callable[[Connection], T]) -> T:
    """Run `unit` inside one transaction on a pooled connection's own thread.

    The unit gets a synchronous SQLAlchemy connection over that thread's sqlite3 connection
    (an engine of its own, kept with the pooled connection), so its statements, the COMMIT
    and any ROLLBACK never come back to the event loop in between. The write gate is taken
    first, as for any writer of this process, and handed on when the connection returns to
    the pool."""
    connection = engine.connect()
    await connection.start()
    adapted: Any = None
    try:
        await sqlite_writes.hold(connection)
        pooled = await connection.get_raw_connection()
        adapted = pooled.dbapi_connection
        if not isinstance(adapted, OneHopConnection):
            raise TypeError("the engine was not built with sqlite_driver.dbapi()")
        driver: Any = adapted._connection  # an aiosqlite.Connection
        unit_engine = pooled.info.get(_UNIT_ENGINE)
        if unit_engine is None:
            unit_engine = pooled.info[_UNIT_ENGINE] = _engine_over(driver._conn)
        adapted.in_transaction = True  # until the thread says how the unit left it
        outcome: tuple[T, bool] = await driver._execute(_run_unit, unit_engine, driver._conn, unit)
        result, adapted.in_transaction = outcome
        return result
    finally:
        # Back to the pool. With no transaction left open this never leaves the event loop,
        # so it cannot be interrupted and needs no shield (a shielded close was three more
        # turns of the loop per unit); otherwise it rolls back, shielded from cancellation.
        if adapted is not None and not adapted.in_transaction:
            await connection.close()
        else:
            await asyncio.shield(connection.close())


def _engine_over(connection: sqlite3.Connection) -> Engine:
    """A synchronous engine whose only connection is `connection` (never closed by it)."""
    return create_engine("sqlite://", creator=lambda: connection, poolclass=StaticPool)


def _run_unit(
    engine: Engine, connection: sqlite3.Connection, unit: Callable[[Connection], T]
) -> tuple[T, bool]:
    """On the database thread: the unit, its COMMIT (or ROLLBACK, and the exception)."""
    with engine.begin() as bound:
        result = unit(bound)
    return result, connection.in_transaction

"""One async engine per process and the session factory services use."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from bot.db import sqlite_driver, sqlite_writes

SessionFactory = async_sessionmaker[AsyncSession]
SQLITE_LOCK_TIMEOUT = 30.0  # seconds a writer waits for another before giving up
# A few long-lived connections, no overflow: each aiosqlite connection is a thread, and an
# overflow connection is opened for one checkout and closed after it, which under load cost
# more than the statements (measured: 22 ms of CPU per update with overflow churn, 12–14
# without). Writers queue at the write gate anyway; readers rarely need more.
SQLITE_CONNECTIONS = 4
# PostgreSQL: a connection idle this long (seconds) is pinged before use.
PING_AFTER_IDLE = 2.0
_IDLE_SINCE = "symposium_idle_since"


def missing_sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL if it does not exist (None for one that exists, an
    in-memory database, or another database). SQLite creates a missing file on first use,
    so a mistyped path would otherwise start an empty bot that reports itself ready; only
    `symposium-bot db upgrade` creates the database (bot/cli/db.py)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if parsed.query.get("mode") == "memory" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):  # a URI filename (uri=true)
        database = database.removeprefix("file:")
    path = Path(database)
    return None if path.exists() else path.absolute()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_LOCK_TIMEOUT},
            module=sqlite_driver.dbapi(),  # one thread hand-off per statement
            pool_size=SQLITE_CONNECTIONS,
            max_overflow=0,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        sqlite_writes.install(engine.sync_engine, timeout=SQLITE_LOCK_TIMEOUT)
        return engine
    engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=10)
    _ping_when_idle(engine.sync_engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only if it sat idle for a while: a database
    restart or a proxy's idle timeout is then caught before a statement fails, as with
    `pool_pre_ping`, without that round trip on every checkout (about one per statement
    an update runs, and a fifth of a store's). Raising DisconnectionError at checkout makes
    the pool replace the connection."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"stale connection: {error}") from error


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def engine_of(sessions: SessionFactory) -> AsyncEngine:
    """The engine behind a session factory. The statements every update runs (the inbox,
    the user's lookup, the programme's version) are plain Core on a bare connection: an ORM
    session around them cost more CPU than the statements themselves."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        raise TypeError("the session factory is not bound to an engine")
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """WAL lets readers work while one writer commits; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_LOCK_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed: erasure erases
    cursor.close()

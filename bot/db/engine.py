"""One async engine per process and the session factory services use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from bot.db import sqlite_writes

SessionFactory = async_sessionmaker[AsyncSession]
SQLITE_LOCK_TIMEOUT = 30.0  # seconds a writer waits for another before giving up
# A few long-lived connections, no overflow: each aiosqlite connection is a thread, and an
# overflow connection is opened for one checkout and closed after it, which under load cost
# more than the statements (measured: 22 ms of CPU per update with overflow churn, 12–14
# without). Writers queue at the write gate anyway; readers rarely need more.
SQLITE_CONNECTIONS = 4


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_LOCK_TIMEOUT},
            pool_size=SQLITE_CONNECTIONS,
            max_overflow=0,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        sqlite_writes.install(engine.sync_engine, timeout=SQLITE_LOCK_TIMEOUT)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


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
    cursor.close()

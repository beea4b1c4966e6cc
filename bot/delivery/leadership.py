"""One sender per bot token across instances: Telegram's limits are per token, not per process.

On PostgreSQL the dispatcher that holds a session-level advisory lock sends; the others stand
by and try again every few seconds. The lock lives as long as its connection, so if the holder
dies (or its connection breaks) PostgreSQL releases it and another instance takes over.
On SQLite (one machine) every dispatcher may send; claims still keep rows apart.
"""

from __future__ import annotations

import logging
import zlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class SenderLock:
    def __init__(self, engine: AsyncEngine, name: str = "symposium-bot:sender") -> None:
        self._engine = engine
        self._key = zlib.crc32(name.encode())  # a stable 32-bit key for pg_advisory_lock
        self._connection: AsyncConnection | None = None

    @property
    def shared(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    @property
    def held(self) -> bool:
        return not self.shared or self._connection is not None

    async def acquire(self) -> bool:
        """True when this process may send now (and keeps that until release or failure)."""
        if not self.shared:
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection (and with it the lock) is gone
                log.warning("lost the sender lock's connection; standing by")
                await self._drop()
        connection = await self._engine.connect()
        try:
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if got:
            self._connection = connection
            log.info("this instance is now the sender")
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
            await self._connection.commit()
        finally:
            await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                log.debug("closing the sender lock's connection failed", exc_info=True)

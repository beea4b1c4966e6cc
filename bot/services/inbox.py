"""The inbox: every update is stored before Telegram is told we have it.

Polling advances its offset and the webhook answers 200 only after the update is committed
here; workers then claim rows with a lease, so a worker that dies mid-update leaves the row
to be claimed again. Handlers must therefore be safe to run twice for one update.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 3
# Plain UPDATEs: no ORM objects to keep in step, so skip SQLAlchemy's session bookkeeping.
CORE = {"synchronize_session": False}


@dataclass(frozen=True)
class Finished:
    """An update the worker is done with; `error` says why it was given up on."""

    update_id: int
    error: str | None = None


@dataclass(frozen=True)
class InboxItem:
    update_id: int
    payload: dict[str, Any]
    chat_id: int | None
    attempts: int


class InboxService:
    def __init__(self, sessions: SessionFactory, clock: Clock, lease: timedelta = LEASE) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lease = lease  # how long a dead worker's claim blocks its chat

    async def store(self, updates: Iterable[dict[str, Any]]) -> int:
        """Insert updates, ignoring ids we already have; returns how many were new."""
        now = self._clock.now()
        rows = [
            {
                "update_id": int(u["update_id"]),
                "payload": json.dumps(u, ensure_ascii=False),
                "chat_id": chat_of(u),
                "state": "pending",
                "attempts": 0,
                "received_at": now,
            }
            for u in updates
        ]
        if not rows:
            return 0
        async with self._sessions.begin() as db:
            insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
            statement = insert(m.InboxUpdate).values(rows).on_conflict_do_nothing()
            result = await db.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def claim(self, limit: int = 50, finished: Sequence[Finished] = ()) -> list[InboxItem]:
        """Lease the oldest pending (or abandoned) update of each chat, oldest first.

        Only a chat's oldest unfinished update can be claimed, so one chat's updates run one
        at a time and in order, whichever worker or instance claims them. One UPDATE ...
        RETURNING on SQLite; on PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED first.

        `finished` updates are marked done (or failed) first, in the same transaction: the
        worker finishes what it handled with its next claim, one transaction instead of two
        per update, and a chat's next update is claimable in that very claim.
        """
        now = self._clock.now()
        if limit <= 0:
            if finished:
                async with self._sessions.begin() as db:
                    await self._finish(db, finished, now)
            return []
        row, earlier = aliased(m.InboxUpdate), aliased(m.InboxUpdate)
        unfinished_before = (
            select(earlier.update_id)
            .where(
                earlier.chat_id == row.chat_id,
                earlier.update_id < row.update_id,
                earlier.state.in_(("pending", "processing")),
            )
            .exists()
        )
        oldest = (
            select(row.update_id)
            .where(
                or_(row.state == "pending", and_(row.state == "processing", row.lease_until < now)),
                ~unfinished_before,
            )
            .order_by(row.update_id)
            .limit(limit)
        )
        async with self._sessions.begin() as db:
            await self._finish(db, finished, now)
            if db.bind.dialect.name == "postgresql":
                ids = list(await db.scalars(oldest.with_for_update(skip_locked=True)))
                if not ids:
                    return []
                target = m.InboxUpdate.update_id.in_(ids)
            else:  # one statement: SQLite's write lock keeps other claimers out meanwhile
                target = m.InboxUpdate.update_id.in_(oldest.scalar_subquery())
            rows = await db.execute(
                update(m.InboxUpdate)
                .execution_options(**CORE)
                .where(target)
                .values(
                    state="processing",
                    lease_until=now + self._lease,
                    attempts=m.InboxUpdate.attempts + 1,
                )
                .returning(
                    m.InboxUpdate.update_id,
                    m.InboxUpdate.payload,
                    m.InboxUpdate.chat_id,
                    m.InboxUpdate.attempts,
                )
            )
            items = [
                InboxItem(r.update_id, json.loads(r.payload), r.chat_id, r.attempts) for r in rows
            ]
        return sorted(items, key=lambda item: item.update_id)

    async def finish(self, update_id: int, error: str | None = None) -> None:
        """Done (or given up on, with the reason): never claimed again."""
        async with self._sessions.begin() as db:
            await self._finish(db, [Finished(update_id, error)], self._clock.now())

    async def _finish(self, db: AsyncSession, finished: Sequence[Finished], now: datetime) -> None:
        done = [f.update_id for f in finished if f.error is None]
        if done:  # one statement for every success
            await db.execute(
                update(m.InboxUpdate)
                .execution_options(**CORE)
                .where(m.InboxUpdate.update_id.in_(done))
                .values(state="done", finished_at=now, lease_until=None, error=None)
            )
        for failed in (f for f in finished if f.error is not None):
            await db.execute(
                update(m.InboxUpdate)
                .execution_options(**CORE)
                .where(m.InboxUpdate.update_id == failed.update_id)
                .values(state="failed", finished_at=now, lease_until=None, error=failed.error)
            )

    async def release(self, update_ids: Iterable[int]) -> None:
        """Give claimed rows back (on shutdown) so another worker takes them at once."""
        async with self._sessions.begin() as db:
            await db.execute(
                update(m.InboxUpdate)
                .execution_options(**CORE)
                .where(m.InboxUpdate.update_id.in_(list(update_ids)))
                .where(m.InboxUpdate.state == "processing")
                .values(state="pending", lease_until=None)
            )

    async def is_finished(self, update_id: int) -> bool:
        async with self._sessions() as db:
            state = await db.scalar(
                select(m.InboxUpdate.state).where(m.InboxUpdate.update_id == update_id)
            )
            return state in ("done", "failed")

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as db:
            rows = await db.execute(
                select(m.InboxUpdate.state, func.count()).group_by(m.InboxUpdate.state)
            )
            return {state: int(n) for state, n in rows.all()}

    async def last_update_id(self) -> int | None:
        async with self._sessions() as db:
            value = await db.scalar(select(func.max(m.InboxUpdate.update_id)))
            return int(value) if value is not None else None


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to, for per-chat ordering; None when it has none."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None

"""The outbox table: enqueue inside the caller's transaction, claim with a lease, settle.

Claiming is what keeps two dispatchers (or two instances) from sending one row twice: on
PostgreSQL `FOR UPDATE SKIP LOCKED`, on SQLite one `UPDATE … RETURNING` statement. A row
whose dispatcher died stays `sending` until its lease runs out, then it is claimed again.
It sits beside the inbox, below the services that write its rows in their own transactions;
the delivery engine (`bot/delivery/`), a floor above, claims and sends them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory

PENDING, SENDING, SENT = "pending", "sending", "sent"
# The dispatcher's statements run on the table, not the mapped class: an ORM-enabled UPDATE
# synchronizes the session and builds result objects, which cost more CPU than the statement.
OUTBOX = cast(Table, m.OutboxMessage.__table__)
FAILED, SKIPPED, CANCELLED = "failed", "skipped", "cancelled"


@dataclass(frozen=True)
class Envelope:
    """Something to deliver: `key` makes scheduling the same thing twice a no-op."""

    kind: str
    subject: str
    recipient_id: int
    due_at: datetime
    locale: str = "en"
    payload: dict[str, Any] = field(default_factory=dict)
    variant: str = ""

    @property
    def key(self) -> str:
        suffix = f":{self.variant}" if self.variant else ""
        return f"{self.kind}:{self.subject}:{self.recipient_id}{suffix}"


@dataclass(frozen=True)
class SentRow:
    """A row Telegram accepted: its message id, the language it went out in, and when."""

    id: int
    message_id: int | None
    locale: str
    at: datetime


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    subject: str
    recipient_id: int
    locale: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


async def enqueue(
    db: AsyncSession, envelopes: Iterable[Envelope], now: datetime, *, reschedule: bool = False
) -> int:
    """Add rows in the caller's transaction. An existing key is left alone, unless
    `reschedule`: then a pending or cancelled row takes the new time and payload."""
    rows = [
        {
            "key": e.key,
            "kind": e.kind,
            "subject": e.subject,
            "recipient_id": e.recipient_id,
            "locale": e.locale,
            "payload": json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
            "due_at": e.due_at,
            "state": PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for e in envelopes
    ]
    if not rows:
        return 0
    insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(m.OutboxMessage).values(rows)
    if reschedule:
        table = m.OutboxMessage.__table__
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "due_at": statement.excluded.due_at,
                "payload": statement.excluded.payload,
                "state": PENDING,
                "attempts": 0,
                "last_error": None,
            },
            where=table.c.state.in_([PENDING, CANCELLED]),
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    result = await db.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def cancel(
    db: AsyncSession, *, kind: str, subject: str, recipient_id: int | None = None
) -> int:
    """Cancel pending rows of a kind and subject (for one recipient, or everyone)."""
    conditions = [
        m.OutboxMessage.kind == kind,
        m.OutboxMessage.subject == subject,
        m.OutboxMessage.state == PENDING,
    ]
    if recipient_id is not None:
        conditions.append(m.OutboxMessage.recipient_id == recipient_id)
    result = await db.execute(update(m.OutboxMessage).where(*conditions).values(state=CANCELLED))
    return int(getattr(result, "rowcount", 0) or 0)


class Outbox:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim(self, limit: int, lease: timedelta, worker: str) -> list[Claimed]:
        now = self._clock.now()
        c = OUTBOX.c
        claimable = or_(
            and_(c.state == PENDING, c.due_at <= now),
            and_(c.state == SENDING, c.lease_until < now),
        )
        async with self._sessions.begin() as db:
            oldest = select(c.id).where(claimable).order_by(c.due_at, c.id).limit(limit)
            target: ColumnElement[bool]
            if db.bind.dialect.name == "postgresql":
                ids = list(await db.scalars(oldest.with_for_update(skip_locked=True)))
                target = c.id.in_(ids)
            else:
                ids = None
                target = and_(c.id.in_(oldest.scalar_subquery()), claimable)
            if ids == []:
                return []
            rows = await db.execute(
                update(OUTBOX)
                .where(target)
                .values(state=SENDING, lease_until=now + lease, claimed_by=worker)
                .returning(
                    c.id,
                    c.key,
                    c.kind,
                    c.subject,
                    c.recipient_id,
                    c.locale,
                    c.payload,
                    c.due_at,
                    c.attempts,
                )
            )
            claimed = [
                Claimed(
                    r.id,
                    r.key,
                    r.kind,
                    r.subject,
                    r.recipient_id,
                    r.locale,
                    json.loads(r.payload),
                    _aware(r.due_at),
                    r.attempts,
                )
                for r in rows
            ]
        return sorted(claimed, key=lambda c: (c.due_at, c.id))

    async def sent(self, row_id: int, message_id: int | None, locale: str) -> None:
        await self._settle(
            row_id,
            state=SENT,
            sent_at=self._clock.now(),
            telegram_message_id=message_id,
            locale=locale,
            last_error=None,
        )

    async def sent_many(self, rows: Sequence[SentRow]) -> None:
        """Mark many rows sent in one transaction (the dispatcher's group commit): one
        statement, executed for all of them at once."""
        if not rows:
            return
        c = OUTBOX.c
        statement = (
            update(OUTBOX)
            .where(c.id == bindparam("row_id"))
            .values(
                state=SENT,
                sent_at=bindparam("at"),
                telegram_message_id=bindparam("message_id"),
                locale=bindparam("used_locale"),
                lease_until=None,
                last_error=None,
            )
        )
        async with self._sessions.begin() as db:
            await db.execute(
                statement,
                [
                    {
                        "row_id": r.id,
                        "at": r.at,
                        "message_id": r.message_id,
                        "used_locale": r.locale,
                    }
                    for r in rows
                ],
            )

    async def retry(self, row_id: int, attempts: int, error: str, due_at: datetime) -> None:
        await self._settle(
            row_id, state=PENDING, attempts=attempts, last_error=error, due_at=due_at
        )

    async def failed(self, row_id: int, attempts: int, error: str) -> None:
        await self._settle(row_id, state=FAILED, attempts=attempts, last_error=error)

    async def skipped(self, row_id: int, reason: str) -> None:
        await self._settle(row_id, state=SKIPPED, last_error=reason)

    async def unreachable(self, row_id: int, recipient_id: int, reason: str) -> int:
        """403: the user blocked the bot. Mark them, skip this and their other pending rows."""
        async with self._sessions.begin() as db:
            await db.execute(update(m.User).where(m.User.id == recipient_id).values(blocked=True))
            result = await db.execute(
                update(m.OutboxMessage)
                .where(
                    or_(
                        m.OutboxMessage.id == row_id,
                        and_(
                            m.OutboxMessage.recipient_id == recipient_id,
                            m.OutboxMessage.state == PENDING,
                        ),
                    )
                )
                .values(state=SKIPPED, last_error=f"unreachable: {reason}"[:500], lease_until=None)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def counts(self, kind: str | None = None, subject: str | None = None) -> dict[str, int]:
        query = select(m.OutboxMessage.state, func.count()).group_by(m.OutboxMessage.state)
        if kind is not None:
            query = query.where(m.OutboxMessage.kind == kind)
        if subject is not None:
            query = query.where(m.OutboxMessage.subject == subject)
        async with self._sessions() as db:
            return {state: int(n) for state, n in (await db.execute(query)).all()}

    async def next_due(self) -> datetime | None:
        async with self._sessions() as db:
            value = await db.scalar(
                select(func.min(m.OutboxMessage.due_at)).where(m.OutboxMessage.state == PENDING)
            )
        return _aware(value) if value is not None else None

    async def _settle(self, row_id: int, **values: Any) -> None:
        async with self._sessions.begin() as db:
            await db.execute(
                update(m.OutboxMessage)
                .where(m.OutboxMessage.id == row_id)
                .values(lease_until=None, **values)
            )


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value

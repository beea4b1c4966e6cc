"""Users and `notice` rows for the delivery tests, and a dispatcher wired to the fake Bot API."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from bot.app import Runtime
from bot.clock import Clock
from bot.config import Settings
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.outbox_kinds import NOTICE
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.outbox import Envelope, enqueue

NOW = datetime(2026, 3, 14, 2, 0, tzinfo=UTC)
FIRST_USER = 7000


def notice(
    user_id: int,
    due_at: datetime = NOW,
    *,
    subject: str = "news",
    texts: dict[str, str] | None = None,
    locale: str = "en",
    kind: str = NOTICE,
) -> Envelope:
    payload: dict[str, Any] = {
        "texts": texts if texts is not None else {"en": f"News for {user_id}"},
        "default": "en",
    }
    return Envelope(kind, subject, user_id, due_at, locale, payload)


async def add_users(
    sessions: SessionFactory, ids: Iterable[int], *, locale: str = "en", now: datetime = NOW
) -> list[int]:
    users = list(ids)
    async with sessions.begin() as db:
        await db.execute(
            insert(m.User),
            [
                dict(id=u, display_name=f"U{u}", locale=locale, first_seen=now, last_seen=now)
                for u in users
            ],
        )
    return users


async def put(sessions: SessionFactory, envelopes: Iterable[Envelope], **kw: Any) -> int:
    async with sessions.begin() as db:
        return await enqueue(db, list(envelopes), NOW, **kw)


async def rows(sessions: SessionFactory) -> list[m.OutboxMessage]:
    async with sessions() as db:
        return list(await db.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)))


async def row(sessions: SessionFactory, key: str) -> m.OutboxMessage:
    async with sessions() as db:
        found = await db.scalar(select(m.OutboxMessage).where(m.OutboxMessage.key == key))
    assert found is not None, key
    return found


async def set_locale(sessions: SessionFactory, user_id: int, locale: str) -> None:
    async with sessions.begin() as db:
        await db.execute(update(m.User).where(m.User.id == user_id).values(locale=locale))


async def blocked_users(sessions: SessionFactory) -> set[int]:
    async with sessions() as db:
        return set(await db.scalars(select(m.User.id).where(m.User.blocked.is_(True))))


def received(fake: FakeBotApi, user_ids: Iterable[int]) -> Counter[int]:
    """How many messages the bot sent to each chat (zero included)."""
    return Counter({u: len(fake.messages(u)) for u in user_ids})


@contextlib.asynccontextmanager
async def delivery_runtime(
    fake: FakeBotApi, database_url: str, clock: Clock, **overrides: Any
) -> AsyncIterator[Runtime]:
    """The real Runtime (PTB sender, pacer, renderers) on the fake Bot API, limits raised."""
    values: dict[str, Any] = {
        "delivery_per_second": 500.0,
        "delivery_per_chat_per_second": 50.0,
        "delivery_send_timeout": 5.0,
    }
    values.update(overrides)
    settings = Settings(
        bot_token=fake.token, api_base_url=fake.base_url, database_url=database_url, **values
    )
    runtime = Runtime.build(settings, clock)
    await runtime.start(migrate=False, commands=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def deliver_everything(
    runtime: Runtime, clock: Any, *, rounds: int = 20, step: timedelta = timedelta(minutes=10)
) -> dict[str, int]:
    """Drain, then move the frozen clock past any backoff, until nothing is left to do."""
    outbox = runtime.services.outbox
    for _ in range(rounds):
        await runtime.dispatcher.drain()
        counts = await outbox.counts()
        if not counts.get("pending") and not counts.get("sending"):
            return counts
        clock.advance(step)
    raise AssertionError(f"still undelivered after {rounds} rounds: {await outbox.counts()}")

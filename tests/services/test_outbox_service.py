"""The outbox table on both databases: idempotent enqueue, rescheduling, cancelling, leased
claims (oldest first, never one row to two claimers) and unreachable recipients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.domain.outbox_kinds import NOTICE, SEAT_PROMOTED
from bot.services.outbox import (
    CANCELLED,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    Claimed,
    Outbox,
    SentRow,
    cancel,
)
from tests.delivery.support import (
    FIRST_USER,
    NOW,
    add_users,
    blocked_users,
    notice,
    put,
    row,
    rows,
)

LEASE = timedelta(seconds=60)


@pytest.fixture
async def sessions(empty_db: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(empty_db)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_enqueue_is_idempotent_by_key(sessions: SessionFactory) -> None:
    first = await put(sessions, [notice(FIRST_USER, texts={"en": "first"})])
    again = await put(sessions, [notice(FIRST_USER, NOW + timedelta(hours=1), texts={"en": "2"})])
    other = await put(sessions, [notice(FIRST_USER, subject="other"), notice(FIRST_USER + 1)])

    assert (first, again, other) == (1, 0, 2)
    [kept, *_] = await rows(sessions)
    assert kept.key == f"{NOTICE}:news:7000"
    assert kept.due_at == NOW and '"first"' in kept.payload  # the first one wins
    assert len(await rows(sessions)) == 3


async def test_reschedule_moves_a_pending_row_but_never_a_sent_one(
    sessions: SessionFactory,
) -> None:
    later = NOW + timedelta(hours=2)
    await put(sessions, [notice(FIRST_USER), notice(FIRST_USER + 1)])
    async with sessions.begin() as db:
        await db.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.recipient_id == FIRST_USER + 1)
            .values(state=SENT, sent_at=NOW)
        )

    changed = await put(
        sessions,
        [notice(u, later, texts={"en": "moved"}) for u in (FIRST_USER, FIRST_USER + 1)],
        reschedule=True,
    )

    pending, sent = await rows(sessions)
    assert changed == 1
    assert (pending.state, pending.due_at, pending.payload) == (
        PENDING,
        later,
        '{"default": "en", "texts": {"en": "moved"}}',
    )
    assert (sent.state, sent.due_at) == (SENT, NOW)
    assert "moved" not in sent.payload


async def test_cancel_touches_only_pending_rows_of_that_kind_and_subject(
    sessions: SessionFactory,
) -> None:
    users = [FIRST_USER, FIRST_USER + 1, FIRST_USER + 2]
    await put(sessions, [notice(u, subject="s1") for u in users])
    await put(sessions, [notice(u, subject="s2") for u in users])
    async with sessions.begin() as db:
        await db.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.key == f"{NOTICE}:s1:{users[2]}")
            .values(state=SENT)
        )

    async with sessions.begin() as db:
        one = await cancel(db, kind=NOTICE, subject="s1", recipient_id=users[0])
    async with sessions.begin() as db:
        rest = await cancel(db, kind=NOTICE, subject="s1")
    async with sessions.begin() as db:
        none = await cancel(db, kind=SEAT_PROMOTED, subject="s2")

    assert (one, rest, none) == (1, 1, 0)
    states = {r.key: r.state for r in await rows(sessions)}
    assert states == {
        f"{NOTICE}:s1:{users[0]}": CANCELLED,
        f"{NOTICE}:s1:{users[1]}": CANCELLED,
        f"{NOTICE}:s1:{users[2]}": SENT,
        **{f"{NOTICE}:s2:{u}": PENDING for u in users},
    }
    # rescheduling brings a cancelled row back
    assert await put(sessions, [notice(users[0], subject="s1")], reschedule=True) == 1
    assert (await row(sessions, f"{NOTICE}:s1:{users[0]}")).state == PENDING


async def test_claim_takes_due_rows_oldest_first_and_leases_them(
    sessions: SessionFactory,
) -> None:
    clock = FrozenClock(NOW)
    outbox = Outbox(sessions, clock)
    minutes = [-1, -3, -2, 5]  # minutes from now; the last one is not due yet
    await put(
        sessions,
        [notice(FIRST_USER + i, NOW + timedelta(minutes=d)) for i, d in enumerate(minutes)],
    )

    first = await outbox.claim(2, LEASE, "w1")
    second = await outbox.claim(10, LEASE, "w1")
    while_leased = await outbox.claim(10, LEASE, "w2")
    clock.advance(LEASE + timedelta(seconds=1))
    after_lease = await outbox.claim(10, LEASE, "w2")

    assert [c.recipient_id for c in first] == [FIRST_USER + 1, FIRST_USER + 2]
    assert [c.recipient_id for c in second] == [FIRST_USER]
    assert while_leased == []
    # the lease ran out: the same three rows again, oldest first (the fourth is still not due)
    assert [c.id for c in after_lease] == [c.id for c in first + second]
    assert after_lease[0].payload == {
        "default": "en",
        "texts": {"en": f"News for {FIRST_USER + 1}"},
    }
    states = {r.recipient_id: (r.state, r.claimed_by, r.lease_until) for r in await rows(sessions)}
    assert states.pop(FIRST_USER + 3) == (PENDING, None, None)
    assert set(states.values()) == {(SENDING, "w2", clock.now() + LEASE)}


async def test_settling_releases_the_lease(sessions: SessionFactory) -> None:
    clock = FrozenClock(NOW)
    outbox = Outbox(sessions, clock)
    await put(sessions, [notice(FIRST_USER + i) for i in range(4)])
    a, b, c, d = await outbox.claim(10, LEASE, "w")

    await outbox.sent(a.id, 55, "ms")
    await outbox.retry(b.id, 1, "Internal Server Error", NOW + timedelta(seconds=2))
    await outbox.failed(c.id, 1, "Bad Request: chat not found")
    await outbox.skipped(d.id, "no text")

    found = {r.id: r for r in await rows(sessions)}
    assert (found[a.id].state, found[a.id].telegram_message_id, found[a.id].locale) == (
        SENT,
        55,
        "ms",
    )
    assert found[a.id].sent_at == NOW
    assert (found[b.id].state, found[b.id].attempts) == (PENDING, 1)
    assert [found[x.id].state for x in (c, d)] == ["failed", SKIPPED]
    assert all(r.lease_until is None for r in found.values())
    assert await outbox.claim(10, LEASE, "w") == []  # the retry is not due yet
    clock.advance(timedelta(seconds=2))
    assert [r.id for r in await outbox.claim(10, LEASE, "w")] == [b.id]


async def test_sent_many_stores_a_group_of_deliveries_at_once(sessions: SessionFactory) -> None:
    outbox = Outbox(sessions, FrozenClock(NOW))
    await put(sessions, [notice(FIRST_USER + i) for i in range(3)])
    a, b, c = await outbox.claim(10, LEASE, "w")

    await outbox.sent_many(
        [SentRow(a.id, 11, "ar", NOW + timedelta(seconds=1)), SentRow(b.id, None, "en", NOW)]
    )

    found = {r.id: r for r in await rows(sessions)}
    assert [
        (found[x.id].state, found[x.id].telegram_message_id, found[x.id].locale) for x in (a, b, c)
    ] == [(SENT, 11, "ar"), (SENT, None, "en"), (SENDING, None, "en")]
    assert found[a.id].sent_at == NOW + timedelta(seconds=1)
    assert found[a.id].lease_until is None and found[c.id].lease_until == NOW + LEASE


async def test_two_concurrent_claimers_never_get_the_same_row(empty_db: str) -> None:
    count = 3000 if empty_db.startswith("postgresql") else 300
    engines = [create_engine(empty_db) for _ in range(2)]
    try:
        factories = [create_session_factory(e) for e in engines]
        await put(factories[0], [notice(FIRST_USER + i) for i in range(count)])
        claimers = [Outbox(f, FrozenClock(NOW)) for f in factories]

        async def claim_until_empty(outbox: Outbox, name: str) -> list[Claimed]:
            taken: list[Claimed] = []
            while batch := await outbox.claim(25, LEASE, name):
                taken += batch
                await asyncio.sleep(0.002)  # room for the other (SQLite: its busy wait)
            return taken

        first, second = await asyncio.gather(
            claim_until_empty(claimers[0], "a"), claim_until_empty(claimers[1], "b")
        )
        # and a single round of two simultaneous claims on an exhausted table
        nothing = await asyncio.gather(*(o.claim(10, LEASE, "c") for o in claimers))
    finally:
        for engine in engines:
            await engine.dispose()

    ids_a, ids_b = {c.id for c in first}, {c.id for c in second}
    assert len(ids_a) == len(first) and len(ids_b) == len(second)
    assert not ids_a & ids_b
    assert len(ids_a | ids_b) == count
    assert first and second  # both really took part
    assert nothing == [[], []]


async def test_unreachable_blocks_the_user_and_skips_only_their_pending_rows(
    sessions: SessionFactory,
) -> None:
    gone, other = await add_users(sessions, [FIRST_USER, FIRST_USER + 1])
    outbox = Outbox(sessions, FrozenClock(NOW))
    later = NOW + timedelta(days=1)
    await put(
        sessions,
        [
            notice(gone, subject="now"),
            notice(gone, later, subject="later"),
            notice(gone, subject="earlier"),
            notice(other, subject="now"),
            notice(other, later, subject="later"),
        ],
    )
    async with sessions.begin() as db:
        await db.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.key == f"{NOTICE}:earlier:{gone}")
            .values(state=SENT)
        )
    claimed = await outbox.claim(1, LEASE, "w")
    assert [c.key for c in claimed] == [f"{NOTICE}:now:{gone}"]

    skipped = await outbox.unreachable(
        claimed[0].id, gone, "Forbidden: bot was blocked by the user"
    )

    assert skipped == 2
    states = {r.key: (r.state, r.last_error) for r in await rows(sessions)}
    reason = "unreachable: Forbidden: bot was blocked by the user"
    assert states == {
        f"{NOTICE}:now:{gone}": (SKIPPED, reason),
        f"{NOTICE}:later:{gone}": (SKIPPED, reason),
        f"{NOTICE}:earlier:{gone}": (SENT, None),
        f"{NOTICE}:now:{other}": (PENDING, None),
        f"{NOTICE}:later:{other}": (PENDING, None),
    }
    assert await blocked_users(sessions) == {gone}

"""Seats in workshops: no overbooking under concurrency, an ordered waitlist, promotion."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.services.seats import CONFIRMED, WAITLISTED, NoSeatsHere, SeatService

NOW = datetime(2026, 3, 14, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(sample_db: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(sample_db)
    yield create_session_factory(engine)
    await engine.dispose()


async def make_users(sessions: SessionFactory, count: int, start: int = 5000) -> list[int]:
    async with sessions.begin() as db:
        for user_id in range(start, start + count):
            db.add(m.User(id=user_id, display_name=f"U{user_id}", first_seen=NOW, last_seen=NOW))
    return list(range(start, start + count))


async def workshop(sessions: SessionFactory, capacity: int) -> int:
    async with sessions.begin() as db:
        found = await db.scalar(
            select(m.Session).where(m.Session.kind == "workshop").order_by(m.Session.id).limit(1)
        )
        assert found is not None
        found.capacity = capacity
        return found.id


async def test_200_simultaneous_reservations_for_50_seats_confirm_exactly_50(
    sessions: SessionFactory,
) -> None:
    seats = SeatService(sessions, FrozenClock(NOW))
    users = await make_users(sessions, 200)
    session_id = await workshop(sessions, 50)

    await asyncio.gather(*(seats.reserve(user, session_id) for user in users))

    async with sessions() as db:
        counts = dict(
            (
                await db.execute(
                    select(m.Reservation.status, func.count())
                    .where(m.Reservation.session_id == session_id)
                    .group_by(m.Reservation.status)
                )
            ).all()
        )
    assert counts == {CONFIRMED: 50, WAITLISTED: 150}


async def test_reserving_twice_keeps_one_reservation(sessions: SessionFactory) -> None:
    seats = SeatService(sessions, FrozenClock(NOW))
    [user] = await make_users(sessions, 1)
    session_id = await workshop(sessions, 2)

    first = await seats.reserve(user, session_id)
    second = await seats.reserve(user, session_id)

    assert (first.status, first.taken, first.left) == (CONFIRMED, 1, 1)
    assert second == first


async def test_the_waitlist_is_ordered_and_a_cancellation_promotes_the_next(
    sessions: SessionFactory,
) -> None:
    clock = FrozenClock(NOW)
    seats = SeatService(sessions, clock)
    alice, bob, carol, dan = await make_users(sessions, 4)
    session_id = await workshop(sessions, 2)
    for user in (alice, bob, carol, dan):
        await seats.reserve(user, session_id)
        clock.advance(timedelta(seconds=1))

    dan_before = await seats.state(session_id, dan)
    cancelled = await seats.cancel(bob, session_id)
    carol_after = await seats.state(session_id, carol)
    dan_after = await seats.state(session_id, dan)

    assert dan_before is not None and (dan_before.status, dan_before.position) == (WAITLISTED, 2)
    assert (cancelled.was, cancelled.promoted_user_id) == (CONFIRMED, carol)
    assert carol_after is not None and carol_after.status == CONFIRMED
    assert dan_after is not None and (dan_after.status, dan_after.position) == (WAITLISTED, 1)


async def test_leaving_the_waitlist_promotes_nobody(sessions: SessionFactory) -> None:
    seats = SeatService(sessions, FrozenClock(NOW))
    alice, bob = await make_users(sessions, 2)
    session_id = await workshop(sessions, 1)
    await seats.reserve(alice, session_id)
    await seats.reserve(bob, session_id)

    cancelled = await seats.cancel(bob, session_id)

    assert (cancelled.was, cancelled.promoted_user_id) == (WAITLISTED, None)


async def test_a_session_without_capacity_takes_no_reservations(sessions: SessionFactory) -> None:
    seats = SeatService(sessions, FrozenClock(NOW))
    [user] = await make_users(sessions, 1)
    async with sessions() as db:
        keynote = await db.scalar(select(m.Session.id).where(m.Session.kind == "keynote"))
    assert keynote is not None

    with pytest.raises(NoSeatsHere):
        await seats.reserve(user, keynote)


async def test_a_reserved_seat_puts_the_session_in_the_agenda_in_the_same_unit_of_work(
    sessions: SessionFactory,
) -> None:
    seats = SeatService(sessions, FrozenClock(NOW))
    [user] = await make_users(sessions, 1)
    session_id = await workshop(sessions, 2)

    await seats.reserve(user, session_id)

    async with sessions() as db:
        bookmarked = await db.scalar(
            select(m.Bookmark.id).where(
                m.Bookmark.user_id == user, m.Bookmark.session_id == session_id
            )
        )
    assert bookmarked is not None

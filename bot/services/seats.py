"""Seats in workshops with a capacity: reservations, an ordered waitlist, promotion.

No overbooking under concurrency. The confirm-or-waitlist decision and the insert are one
statement, serialized per session: on PostgreSQL by locking the session row first; on SQLite
the statement is the transaction's first, so it runs under the database's write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, case, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.outbox_kinds import SEAT_PROMOTED
from bot.domain.views import SeatState
from bot.services.agenda import bookmark
from bot.services.outbox import Envelope, enqueue

CONFIRMED, WAITLISTED = "confirmed", "waitlisted"


class NoSeatsHere(LookupError):
    """The session does not exist or takes no reservations."""


@dataclass(frozen=True)
class Cancellation:
    was: str | None
    promoted_user_id: int | None


class SeatService:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def reserve(self, user_id: int, session_id: int) -> SeatState:
        """A seat if one is left, else a waitlist place, and the session in the person's
        agenda (with its reminder), in one unit of work; repeating changes nothing."""
        async with self._sessions.begin() as db:
            await _serialize(db, session_id)
            capacity = _capacity(session_id)
            taken = (
                select(func.count())
                .select_from(m.Reservation)
                .where(m.Reservation.session_id == session_id, m.Reservation.status == CONFIRMED)
                .scalar_subquery()
            )
            already = (
                select(m.Reservation.id)
                .where(m.Reservation.session_id == session_id, m.Reservation.user_id == user_id)
                .exists()
            )
            decision = select(
                literal(session_id),
                literal(user_id),
                case((taken < capacity, CONFIRMED), else_=WAITLISTED),
                literal(self._clock.now(), m.Reservation.created_at.type),
            ).where(capacity.is_not(None), ~already)
            await db.execute(
                insert(m.Reservation).from_select(
                    ["session_id", "user_id", "status", "created_at"], decision
                )
            )
            state = await _state(db, session_id, user_id)
            if state is not None:
                await bookmark(db, user_id, session_id, self._clock.now())
        if state is None:
            raise NoSeatsHere(f"session {session_id} takes no reservations")
        return state

    async def cancel(self, user_id: int, session_id: int) -> Cancellation:
        """Give the seat (or waitlist place) back; a freed seat goes to the next in line."""
        async with self._sessions.begin() as db:
            await _serialize(db, session_id)
            was = await db.scalar(
                delete(m.Reservation)
                .where(m.Reservation.session_id == session_id, m.Reservation.user_id == user_id)
                .returning(m.Reservation.status)
            )
            promoted = None
            if was == CONFIRMED:
                promoted = await db.scalar(
                    select(m.Reservation.user_id)
                    .where(
                        m.Reservation.session_id == session_id,
                        m.Reservation.status == WAITLISTED,
                    )
                    .order_by(m.Reservation.id)
                    .limit(1)
                )
                if promoted is not None:
                    await enqueue(
                        db,
                        [
                            Envelope(
                                kind=SEAT_PROMOTED,
                                subject=f"session:{session_id}",
                                recipient_id=promoted,
                                due_at=self._clock.now(),
                                payload={"session_id": session_id},
                                variant=self._clock.now().strftime("%Y%m%d%H%M%S%f"),
                            )
                        ],
                        self._clock.now(),
                    )
                    await db.execute(
                        update(m.Reservation)
                        .where(
                            m.Reservation.session_id == session_id,
                            m.Reservation.user_id == promoted,
                        )
                        .values(status=CONFIRMED)
                    )
            return Cancellation(was, promoted)

    async def state(self, session_id: int, user_id: int | None = None) -> SeatState | None:
        async with self._sessions() as db:
            return await _state(db, session_id, user_id)


def _capacity(session_id: int) -> ScalarSelect[int | None]:
    return select(m.Session.capacity).where(m.Session.id == session_id).scalar_subquery()


async def _serialize(db: AsyncSession, session_id: int) -> None:
    if db.bind.dialect.name == "postgresql":
        await db.execute(select(m.Session.id).where(m.Session.id == session_id).with_for_update())


async def _state(db: AsyncSession, session_id: int, user_id: int | None) -> SeatState | None:
    capacity = await db.scalar(select(m.Session.capacity).where(m.Session.id == session_id))
    if not capacity:
        return None
    rows = (
        await db.execute(
            select(m.Reservation.user_id, m.Reservation.status)
            .where(m.Reservation.session_id == session_id)
            .order_by(m.Reservation.id)
        )
    ).all()
    return seat_state(capacity, [(uid, status) for uid, status in rows], user_id)


def seat_state(capacity: int, rows: Sequence[tuple[int, str]], user_id: int | None) -> SeatState:
    """Seats taken and the waitlist from the session's reservations (user, status) in the
    order they were made; shared with the session card's one-statement read."""
    waiting = [uid for uid, status in rows if status == WAITLISTED]
    mine = next((status for uid, status in rows if uid == user_id), None)
    return SeatState(
        capacity=capacity,
        taken=sum(1 for _, status in rows if status == CONFIRMED),
        waiting=len(waiting),
        status=mine,
        position=waiting.index(user_id) + 1 if mine == WAITLISTED and user_id is not None else None,
    )

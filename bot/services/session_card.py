"""One user's state on a session card (bookmark, seat, questions, rating) in one statement.

The card is the most pressed screen. Asking the agenda, seat, question and feedback services
in turn cost a transaction each (11 statements per card). The session itself comes from the
programme snapshot the handler already holds, so whether questions are open and whether the
rating window is open need no database at all; what is left (the bookmark, the session's
reservations, and whether the user held the session at its end) is one SELECT. The rules
stay where they are: `asking_open`, `window_open`, `holds` and `seat_state`.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, bindparam, exists, false, literal, select
from sqlalchemy.orm import aliased

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory, engine_of
from bot.domain.feedback import window_open
from bot.domain.questions import asking_open
from bot.domain.views import MySession, SessionDetail
from bot.services.feedback import holds
from bot.services.seats import seat_state


class SessionCardService:
    def __init__(self, sessions: SessionFactory, clock: Clock, feedback_window: timedelta) -> None:
        self._engine = engine_of(sessions)
        self._clock = clock
        self._feedback_window = feedback_window

    async def mine(self, user_id: int, session: SessionDetail) -> MySession:
        """What `user_id` has done with `session` (as the programme has it now)."""
        now = self._clock.now()
        rating_open = not session.cancelled and window_open(
            session.ends_at, now, self._feedback_window
        )
        statement = _CARD[bool(session.capacity), rating_open]
        params = {"user_id": user_id, "session_id": session.id, "ends_at": session.ends_at}
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement, params)).all()
        seats = None
        if session.capacity:
            taken = [(row[2], row[3]) for row in rows if row[2] is not None]
            seats = seat_state(session.capacity, taken, user_id)
        return MySession(
            bookmarked=bool(rows[0][0]),
            seats=seats,
            questions_open=asking_open(session.ends_at, session.cancelled, now),
            rateable=bool(rows[0][1]),
        )


def _card(with_seats: bool, rating_open: bool) -> Select[Any]:
    """The card's statement, with the user and the session as parameters."""
    user_id = bindparam("user_id", type_=m.User.id.type)
    session = SimpleNamespace(
        id=bindparam("session_id", type_=m.Session.id.type),
        ends_at=bindparam("ends_at", type_=m.Session.ends_at.type),
    )
    bookmarked = exists().where(m.Bookmark.user_id == user_id, m.Bookmark.session_id == session.id)
    held = holds(user_id, session) if rating_open else false()
    columns: list[Any] = [bookmarked.label("bookmarked"), held.label("held")]
    if not with_seats:
        return select(*columns)
    # The session's reservations, one row each, next to the two flags; the outer join from
    # a one-row table keeps the flags when there is no reservation. An alias, so the
    # reservation table inside `holds` is not correlated with it.
    seat = aliased(m.Reservation)
    one = select(literal(1).label("one")).subquery()
    return (
        select(*columns, seat.user_id, seat.status)
        .select_from(one)
        .outerjoin(seat, seat.session_id == session.id)
        .order_by(seat.id)
    )


BOTH = (False, True)
# Built once for each shape (a statement built per card cost more to key for the compiled
# cache than to run): with or without seats, with or without the rating window open.
_CARD = {(seats, rating): _card(seats, rating) for seats in BOTH for rating in BOTH}

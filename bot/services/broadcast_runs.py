"""Broadcasts once confirmed: what each recipient gets, the figures and state the progress
monitor shows, cancelling, and the organizers' history."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.broadcast_views import BroadcastView, Content, State, Tracked
from bot.domain.outbox_kinds import BROADCAST
from bot.domain.views import UserProfile
from bot.services import broadcast_store as store
from bot.services.audit import record, require_role
from bot.services.outbox import cancel

HISTORY = 10
CACHED_CONTENTS = 64  # a broadcast's texts never change once confirmed
ACTIVE = (State.SCHEDULED, State.SENDING)


@dataclass(frozen=True)
class Refreshed:
    """A watched broadcast as its creator should see it now."""

    view: BroadcastView
    locale: str  # the creator's language
    chat_id: int | None
    message_id: int | None


class BroadcastRuns:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._contents: OrderedDict[int, Content] = OrderedDict()
        self._loading = asyncio.Lock()

    async def content(self, broadcast_id: int) -> Content | None:
        """The texts and attachment, for the renderer (cached: thousands of rows ask)."""
        found = self._contents.get(broadcast_id)
        if found is not None:
            return found
        async with self._loading:  # a whole batch misses at once: one query, not a hundred
            found = self._contents.get(broadcast_id)
            if found is not None:
                return found
            async with self._sessions() as db:
                row = await db.get(m.Broadcast, broadcast_id)
                if row is None:
                    return None
                found = store.content_of(row)
            self._contents[broadcast_id] = found
            if len(self._contents) > CACHED_CONTENTS:
                self._contents.popitem(last=False)
            return found

    async def cancel(self, actor: UserProfile, broadcast_id: int) -> BroadcastView | None:
        """Stop what has not gone out yet; messages already in flight still arrive."""
        now = self._clock.now()
        subject = store.subject(broadcast_id)
        await require_role(self._sessions, actor, "broadcast_cancel", at=now, subject=subject)
        async with self._sessions.begin() as db:
            row = await db.get(m.Broadcast, broadcast_id, with_for_update=True)
            if row is None:
                return None
            if row.state in ACTIVE:
                stopped = await cancel(db, kind=BROADCAST, subject=subject)
                row.state = State.CANCELLED
                detail = f"{stopped} pending messages cancelled"
                record(db, actor, "broadcast_cancel", at=now, subject=subject, detail=detail)
            return await store.view(db, row, actor.locale)

    async def history(self, actor: UserProfile, limit: int = HISTORY) -> list[BroadcastView]:
        """The newest broadcasts first, with their figures. Organizers only."""
        await require_role(self._sessions, actor, "broadcasts", at=self._clock.now())
        async with self._sessions() as db:
            rows = await db.scalars(
                select(m.Broadcast).order_by(m.Broadcast.id.desc()).limit(limit)
            )
            return [await store.view(db, row, actor.locale) for row in rows]

    # --- for the progress monitor ----------------------------------------------------------
    async def unfinished(self) -> list[Tracked]:
        async with self._sessions() as db:
            rows = await db.scalars(
                select(m.Broadcast)
                .where(m.Broadcast.finished_at.is_(None))
                .order_by(m.Broadcast.id)
            )
            return [
                Tracked(
                    r.id,
                    State(r.state),
                    r.scheduled_at,
                    r.creator_id,
                    r.progress_chat_id,
                    r.progress_message_id,
                )
                for r in rows
            ]

    async def refresh(self, broadcast_id: int) -> Refreshed | None:
        """Figures now; a due broadcast is `sending`, and one with nothing left pending or in
        flight is finished (`done`, or still `cancelled`)."""
        async with self._sessions.begin() as db:
            row = await db.get(m.Broadcast, broadcast_id, with_for_update=True)
            if row is None:
                return None
            now = self._clock.now()
            figures = await store.figures(db, row.id)
            if row.state == State.SCHEDULED and row.scheduled_at <= now:
                row.state = State.SENDING
            if row.state == State.SENDING and figures.pending == 0:
                row.state = State.DONE
            creator = await db.get(m.User, row.creator_id)
            locale = creator.locale if creator else "en"
            return Refreshed(
                await store.view(db, row, locale, figures),
                locale,
                row.progress_chat_id,
                row.progress_message_id,
            )

    async def close(self, broadcast_id: int) -> None:
        """Done or cancelled, nothing in flight, and the organizer has seen the last figures:
        the monitor stops watching."""
        async with self._sessions.begin() as db:
            row = await db.get(m.Broadcast, broadcast_id)
            if row is not None and row.finished_at is None:
                row.finished_at = self._clock.now()

    async def moved(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        """The progress message was sent anew (the old one could not be edited)."""
        async with self._sessions.begin() as db:
            row = await db.get(m.Broadcast, broadcast_id)
            if row is not None:
                row.progress_chat_id, row.progress_message_id = chat_id, message_id

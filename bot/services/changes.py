"""Telling attendees that a session in their agenda moved or was cancelled.

`on_session_change` runs inside the programme's transaction: reminders follow the session
and every bookmarker gets a notice, rendered at send time in their language. A notice not
sent yet is merged into the next one ("from A to C", never "A to B" then "B to C" at once),
and a change undone before anyone heard of it is no news at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.db.in_lists import in_lists
from bot.domain.changes import SessionChange, SlotState, notice_variant, worth_telling
from bot.domain.outbox_kinds import SCHEDULE_CHANGE
from bot.domain.reminder_views import ChangeNotice, Dropped, SlotView
from bot.services import speaker_alerts
from bot.services.outbox import PENDING, Envelope, cancel
from bot.services.reminders import bookmarkers, enqueue_all, follow_session, session_subject
from bot.services.schedule import ScheduleService
from bot.services.translations import pick


def slot_of(session: m.Session) -> SlotState:
    """The slot as loaded (read it before changing the row: `room` is not refreshed)."""
    room = session.room.key if session.room is not None else None
    return SlotState(session.starts_at, session.ends_at, room, session.cancelled)


async def concerned(db: AsyncSession, session_ids: Sequence[int]) -> set[int]:
    """The sessions among these that someone would hear about: bookmarked, with a linked
    speaker, or with a message about them still to send. A change to any other session
    needs no work at all (a programme shifted by ten minutes may move hundreds)."""
    found: set[int] = set()
    for chunk in in_lists(session_ids):
        ids = list(chunk)
        found.update(
            await db.scalars(select(m.Bookmark.session_id).where(m.Bookmark.session_id.in_(ids)))
        )
        found.update(
            await db.scalars(
                select(m.SessionSpeaker.session_id)
                .join(m.SpeakerLink, m.SpeakerLink.speaker_id == m.SessionSpeaker.speaker_id)
                .where(m.SessionSpeaker.session_id.in_(ids))
            )
        )
        subjects = {session_subject(i): i for i in ids}
        found.update(
            subjects[subject]
            for subject in await db.scalars(
                select(m.OutboxMessage.subject)
                .where(m.OutboxMessage.state == PENDING)
                .where(m.OutboxMessage.subject.in_(list(subjects)))
            )
        )
    return found


async def on_session_change(
    db: AsyncSession, session: m.Session, change: SessionChange, now: datetime
) -> int:
    """Reminders follow the change; the session's speakers are told first, then
    bookmarkers. Returns the attendees' notices queued."""
    await speaker_alerts.on_session_change(db, session, change, now)
    users = await bookmarkers(db, session.id)
    if change.retimed or change.cancelled or change.restored:
        await follow_session(db, session, users, now)
    if not users or not worth_telling(change.before, change.after, now):
        return 0
    subject = session_subject(session.id)
    unsent = await _unsent_notices(db, subject)
    await cancel(db, kind=SCHEDULE_CHANGE, subject=subject)
    envelopes = []
    for user in users:
        before = unsent.get(user.id, change.before)
        if before == change.after or (before.cancelled and change.after.cancelled):
            continue  # undone before they heard of it
        envelopes.append(
            Envelope(
                kind=SCHEDULE_CHANGE,
                subject=subject,
                recipient_id=user.id,
                due_at=now,
                locale=user.locale,
                payload={
                    "session_id": session.id,
                    "before": before.to_json(),
                    "after": change.after.to_json(),
                },
                variant=notice_variant(before, change.after),
            )
        )
    return await enqueue_all(db, envelopes, now)


async def _unsent_notices(db: AsyncSession, subject: str) -> dict[int, SlotState]:
    rows = await db.execute(
        select(m.OutboxMessage.recipient_id, m.OutboxMessage.payload).where(
            m.OutboxMessage.kind == SCHEDULE_CHANGE,
            m.OutboxMessage.subject == subject,
            m.OutboxMessage.state == PENDING,
        )
    )
    return {
        recipient: SlotState.from_json(json.loads(payload)["before"])
        for recipient, payload in rows.all()
    }


class ChangeNotices:
    """A queued change notice as it can be sent now, or why it should not be."""

    def __init__(self, sessions: SessionFactory, clock: Clock, schedule: ScheduleService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule

    async def notice(
        self, payload: dict[str, Any], user_id: int, locale: str, *, bookmarked_only: bool = True
    ) -> ChangeNotice | Dropped:
        """`bookmarked_only` False: for the session's speakers, who need no bookmark."""
        session_id = int(payload["session_id"])
        before = SlotState.from_json(payload["before"])
        after = SlotState.from_json(payload["after"])
        found = await self._schedule.session(session_id, locale)
        async with self._sessions() as db:
            row = await db.get(m.Session, session_id)
            if found is None or row is None:
                return Dropped("the session is no longer in the programme")
            if slot_of(row) != after:
                return Dropped("superseded by a later change")
            bookmarked = await db.scalar(
                select(m.Bookmark.id).where(
                    m.Bookmark.user_id == user_id, m.Bookmark.session_id == session_id
                )
            )
            rooms = await self._room_names(db, row.event_id, {before.room, after.room}, locale)
        if bookmarked is None and bookmarked_only:
            return Dropped("the session is no longer in the user's agenda")
        if not worth_telling(before, after, self._clock.now()):
            return Dropped("the session is over")
        change = SessionChange(session_id, "", found.title, before, after)
        return ChangeNotice(
            session=found,
            before=SlotView(before.starts_at, before.ends_at, rooms.get(before.room or "")),
            after=SlotView(after.starts_at, after.ends_at, rooms.get(after.room or "")),
            cancelled=change.cancelled,
            restored=change.restored,
            retimed=change.retimed,
            moved_room=change.moved_room,
        )

    async def _room_names(
        self, db: AsyncSession, event_id: int, keys: set[str | None], locale: str
    ) -> dict[str, str]:
        wanted = {k for k in keys if k}
        if not wanted:
            return {}
        rows = await db.scalars(
            select(m.Room).where(m.Room.event_id == event_id, m.Room.key.in_(wanted))
        )
        names = {}
        for room in rows:
            translated = pick(room.translations, locale)
            names[room.key] = translated.name if translated else room.name
        return names

"""The badge desk: organizers check attendees in by their registration code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.views import UserProfile
from bot.services.audit import record, require_role


@dataclass(frozen=True)
class CheckIn:
    found: bool
    full_name: str = ""
    profession: str = ""
    first_at: datetime | None = None  # set when this is not the first check-in
    at: datetime | None = None


class CheckinService:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def check_in(self, actor: UserProfile, code: str) -> CheckIn:
        """Mark attendance; a repeat says when the first check-in was. Organizers only."""
        now = self._clock.now()
        code = code.strip().upper()
        await require_role(self._sessions, actor, "checkin", at=now, subject=code)
        async with self._sessions.begin() as db:
            row = await db.scalar(
                select(m.Registration)
                .where(m.Registration.code == code, m.Registration.status == "confirmed")
                .with_for_update()
            )
            if row is None:
                record(db, actor, "checkin", at=now, subject=code, outcome="not_found")
                return CheckIn(found=False)
            first = row.checked_in_at
            if first is None:
                row.checked_in_at, row.checked_in_by = now, actor.id
            record(db, actor, "checkin", at=now, subject=code, outcome="repeat" if first else "ok")
            return CheckIn(True, row.full_name or "", row.profession, first, now)

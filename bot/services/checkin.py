"""The badge desk: organizers check attendees in by their registration code.

A badge's QR code opens the bot with its code (`bot/domain/deep_links.py`): `scan` checks
the attendee in when an organizer scans it, and otherwise only says whether the badge is
the scanner's own, so a stranger who scans a badge learns nothing about its owner.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.organizer_views import CheckIn
from bot.domain.roles import ORGANIZER_ROLES
from bot.domain.views import UserProfile
from bot.services.audit import record, require_role


class Scanned(StrEnum):
    """A badge scanned by someone who may not check anyone in."""

    OWN = "own"  # the scanner's own badge
    OTHER = "other"  # someone else's badge, or no badge at all: nothing more is said


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

    async def scan(self, actor: UserProfile, code: str) -> CheckIn | Scanned:
        """A badge's link opened: organizers check in; anyone else hears whose badge it is
        only when it is their own (no refusal is audited: scanning a badge is no attempt)."""
        if actor.role in ORGANIZER_ROLES:
            return await self.check_in(actor, code)
        async with self._sessions() as db:
            owner = await db.scalar(
                select(m.Registration.user_id).where(
                    m.Registration.code == code.strip().upper(),
                    m.Registration.status == "confirmed",
                )
            )
        return Scanned.OWN if owner is not None and owner == actor.id else Scanned.OTHER

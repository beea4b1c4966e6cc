"""Who may organize: admins (from BOT_ADMINS) grant and revoke the organizer role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.views import UserProfile
from bot.services.audit import NotAllowed, record

ORGANIZER, ATTENDEE, ADMIN = "organizer", "attendee", "admin"


@dataclass(frozen=True)
class RoleChange:
    user_id: int
    display_name: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor_id: int | None
    action: str
    subject: str
    outcome: str
    detail: str


class RoleService:
    def __init__(self, sessions: SessionFactory, clock: Clock, admins: frozenset[int]) -> None:
        self._sessions = sessions
        self._clock = clock
        self._admins = admins

    async def promote(self, actor: UserProfile, user_id: int) -> RoleChange:
        return await self._set(actor, user_id, ORGANIZER, "promote")

    async def demote(self, actor: UserProfile, user_id: int) -> RoleChange:
        return await self._set(actor, user_id, ATTENDEE, "demote")

    async def audit(self, actor: UserProfile | None, limit: int = 20) -> list[AuditLine]:
        """The newest entries first; `actor` None is the command line (already trusted)."""
        if actor is not None and actor.role != ADMIN:
            await self._refuse(actor, "audit", "")
        async with self._sessions() as db:
            rows = await db.scalars(
                select(m.AuditEntry)
                .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
                .limit(limit)
            )
            return [
                AuditLine(r.at, r.actor_id, r.action, r.subject, r.outcome, r.detail) for r in rows
            ]

    async def _set(self, actor: UserProfile, user_id: int, role: str, action: str) -> RoleChange:
        if actor.role != ADMIN:
            await self._refuse(actor, action, str(user_id))
        now = self._clock.now()
        async with self._sessions.begin() as db:
            user = await db.get(m.User, user_id)
            if user is None:  # not met yet: they get the role when they first write
                user = m.User(id=user_id, display_name="", first_seen=now, last_seen=now)
                db.add(user)
            before = user.role or ATTENDEE
            if user_id in self._admins or before == ADMIN:
                record(
                    db,
                    actor,
                    action,
                    at=now,
                    subject=str(user_id),
                    outcome="refused",
                    detail="target is an admin",
                )
                return RoleChange(user_id, user.display_name, before, before)
            if before in (ATTENDEE, ORGANIZER):
                user.role = role
            record(
                db, actor, action, at=now, subject=str(user_id), detail=f"{before} -> {user.role}"
            )
            return RoleChange(user_id, user.display_name, before, user.role)

    async def _refuse(self, actor: UserProfile, action: str, subject: str) -> None:
        async with self._sessions.begin() as db:
            record(db, actor, action, at=self._clock.now(), subject=subject, outcome="refused")
        raise NotAllowed(f"{action} is for admins")

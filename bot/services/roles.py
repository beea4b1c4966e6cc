"""Who may organize: admins (from BOT_ADMINS) grant and revoke the organizer role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.views import UserProfile
from bot.services.audit import ADMIN_ROLES, record, require_role

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
        await require_role(self._sessions, actor, "audit", at=self._clock.now(), roles=ADMIN_ROLES)
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
        await require_role(
            self._sessions,
            actor,
            action,
            at=self._clock.now(),
            subject=str(user_id),
            roles=ADMIN_ROLES,
        )
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

"""Who may organize: admins (from BOT_ADMINS) grant and revoke the organizer role.

BOT_ADMINS is the source of truth for admins: its ids are admins from their first update
on, and a stored admin it no longer names goes back to what they would be without the
role (a speaker if their account is linked to one, else an attendee; an admin was never
promoted, so there is no earlier role to restore) at the next start, or at their next
update if another instance with an older BOT_ADMINS gave the role back meanwhile. Each such
loss is an audit entry (`admin_revoked`, by the bot, on the person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.locales import DEFAULT_LOCALE
from bot.domain.roles import (
    ADMIN,
    ADMIN_ROLES,
    ATTENDEE,
    ORGANIZER,
    ORGANIZER_ROLES,
    SPEAKER,
    RoleChange,
    Standing,
)
from bot.domain.views import UserProfile
from bot.services.audit import record, require_role

ADMIN_REVOKED = "admin_revoked"  # the audit action: BOT_ADMINS no longer names them
# The last_seen of someone given a role before they ever wrote to the bot: before any
# first_seen, so "never wrote" is `last_seen < first_seen` and they are never "active".
NEVER_SEEN = datetime(1970, 1, 1, tzinfo=UTC)


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

    async def settle_admins(self) -> list[int]:
        """At start: stored admins BOT_ADMINS no longer names lose the role (audited);
        returns their ids, whose command menus are then republished."""
        async with self._sessions.begin() as db:
            return sorted(await revoke_unlisted_admins(db, self._admins, self._clock.now()))

    async def promote(self, actor: UserProfile, user_id: int) -> RoleChange:
        return await self._set(actor, user_id, ORGANIZER, "promote")

    async def demote(self, actor: UserProfile, user_id: int) -> RoleChange:
        return await self._set(actor, user_id, ATTENDEE, "demote")

    async def standing(self, user_id: int) -> Standing:
        """The person's role (admins from BOT_ADMINS even before they wrote) and speaker link."""
        async with self._sessions() as db:
            user = await db.get(m.User, user_id)
            link = await db.get(m.SpeakerLink, user_id)
        return self._standing(user_id, user, linked=link is not None)

    async def privileged(self) -> list[Standing]:
        """Everyone known with commands beyond an attendee's: organizers, admins (also those
        BOT_ADMINS names), linked speakers; for publishing their command menus at start."""
        linked = select(m.SpeakerLink.user_id)
        async with self._sessions() as db:
            users = await db.scalars(
                select(m.User)
                .where(
                    or_(
                        m.User.role.in_(ORGANIZER_ROLES),
                        m.User.id.in_(sorted(self._admins)),
                        m.User.id.in_(linked),
                    )
                )
                .order_by(m.User.id)
            )
            found = list(users)
            links = set(await db.scalars(linked))
        return [self._standing(u.id, u, linked=u.id in links) for u in found]

    def _standing(self, user_id: int, user: m.User | None, *, linked: bool) -> Standing:
        role = user.role if user is not None else ATTENDEE
        if user_id in self._admins:
            role = ADMIN
        elif role == ADMIN:  # not revoked yet (it is at the next start or update)
            role = SPEAKER if linked else ATTENDEE
        locale = user.locale if user is not None else DEFAULT_LOCALE
        return Standing(user_id, locale, role or ATTENDEE, linked)

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
                user = m.User(id=user_id, display_name="", first_seen=now, last_seen=NEVER_SEEN)
                db.add(user)
            never_wrote = user.last_seen < user.first_seen
            if user.role == ADMIN and user_id not in self._admins:
                await revoke_unlisted_admins(db, self._admins, now, only=user_id)
                await db.refresh(user)
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
                return RoleChange(user_id, user.display_name, before, before, never_wrote)
            if before in (ATTENDEE, ORGANIZER):
                user.role = role
            record(
                db, actor, action, at=now, subject=str(user_id), detail=f"{before} -> {user.role}"
            )
            return RoleChange(user_id, user.display_name, before, user.role, never_wrote)


async def revoke_unlisted_admins(
    db: AsyncSession, admins: frozenset[int], now: datetime, *, only: int | None = None
) -> dict[int, str]:
    """Stored admins `admins` does not name (or just `only`) go back to speaker or attendee,
    in the caller's transaction, each with an audit entry; returns their new roles.

    One UPDATE … RETURNING: two instances starting at once each get only the rows they
    changed, so a loss is audited once."""
    linked = exists().where(m.SpeakerLink.user_id == m.User.id)
    statement = (
        update(m.User)
        .where(m.User.role == ADMIN, m.User.id.not_in(sorted(admins)))
        .values(role=case((linked, SPEAKER), else_=ATTENDEE))
        .returning(m.User.id, m.User.role)
        .execution_options(synchronize_session=False)
    )
    if only is not None:
        statement = statement.where(m.User.id == only)
    changed = {int(user_id): str(role) for user_id, role in await db.execute(statement)}
    for user_id, role in sorted(changed.items()):
        record(db, None, ADMIN_REVOKED, at=now, subject=str(user_id), detail=f"admin -> {role}")
    return changed

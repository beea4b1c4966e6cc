"""The audit log: organizer actions and refused attempts, who/what/when/on what."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.views import UserProfile

ORGANIZER_ROLES = frozenset({"organizer", "admin"})
ADMIN_ROLES = frozenset({"admin"})


class NotAllowed(PermissionError):
    """The actor's role does not allow the action; the attempt has been logged."""


def record(
    db: AsyncSession,
    actor: UserProfile | None,
    action: str,
    *,
    at: datetime,
    subject: str = "",
    outcome: str = "ok",
    detail: str = "",
) -> None:
    db.add(
        m.AuditEntry(
            at=at,
            actor_id=actor.id if actor else None,
            action=action,
            subject=subject[:200],
            outcome=outcome,
            detail=detail,
        )
    )


async def require_role(
    sessions: SessionFactory,
    actor: UserProfile | None,
    action: str,
    *,
    at: datetime,
    subject: str = "",
    roles: Collection[str] = ORGANIZER_ROLES,
) -> None:
    """The one role check of every organizer action: `actor` None is the command line
    (already trusted); anyone else without the role is refused, and the attempt recorded."""
    if actor is None or actor.role in roles:
        return
    async with sessions.begin() as db:
        record(db, actor, action, at=at, subject=subject, outcome="refused")
    raise NotAllowed(f"{action} needs one of the roles {sorted(roles)}")

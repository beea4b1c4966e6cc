"""The audit log: organizer actions and refused attempts, who/what/when/on what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.domain.views import UserProfile

ORGANIZER_ROLES = frozenset({"organizer", "admin"})


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

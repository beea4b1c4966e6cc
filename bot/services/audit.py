"""The audit log: organizer actions and refused attempts, who/what/when/on what.

Entries store ids and tokens (a user id, a speaker key, a registration code; `checkin`,
`not_found`), which stay stable; `AuditLog` reads them back with the names they stand for,
for a screen that shows people, not numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.organizer_views import CODE_SUBJECTS, SPEAKER_SUBJECTS, USER_SUBJECTS, AuditRow
from bot.domain.roles import ADMIN_ROLES, ORGANIZER_ROLES
from bot.domain.views import UserProfile
from bot.services.translations import pick


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


class AuditLog:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def entries(
        self, actor: UserProfile | None, locale: str, limit: int = 20
    ) -> list[AuditRow]:
        """The newest entries first, with names; admins only (`actor` None: the command line)."""
        await require_role(self._sessions, actor, "audit", at=self._clock.now(), roles=ADMIN_ROLES)
        async with self._sessions() as db:
            rows = list(
                await db.scalars(
                    select(m.AuditEntry)
                    .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
                    .limit(limit)
                )
            )
            subjects = [_int(r.subject) for r in rows if r.action in USER_SUBJECTS]
            user_ids = {r.actor_id for r in rows} | set(subjects)
            people = await _user_names(db, {i for i in user_ids if i is not None})
            speakers = await _speaker_names(
                db, [r.subject for r in rows if r.action in SPEAKER_SUBJECTS], locale
            )
            attendees = await _attendee_names(
                db, [r.subject for r in rows if r.action in CODE_SUBJECTS]
            )
        return [
            AuditRow(
                r.at,
                r.actor_id,
                people.get(r.actor_id, "") if r.actor_id is not None else "",
                r.action,
                r.subject,
                _subject_name(r, people, speakers, attendees),
                r.outcome,
                r.detail,
            )
            for r in rows
        ]


def _subject_name(
    row: m.AuditEntry, people: dict[int, str], speakers: dict[str, str], attendees: dict[str, str]
) -> str:
    if row.action in USER_SUBJECTS:
        user_id = _int(row.subject)
        return people.get(user_id, "") if user_id is not None else ""
    if row.action in SPEAKER_SUBJECTS:
        return speakers.get(row.subject, "")
    if row.action in CODE_SUBJECTS:
        return attendees.get(row.subject, "")
    return ""


def _int(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() else None


async def _user_names(db: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await db.execute(select(m.User.id, m.User.display_name).where(m.User.id.in_(ids)))
    return {int(i): name for i, name in rows.all() if name}


async def _speaker_names(db: AsyncSession, subjects: Iterable[str], locale: str) -> dict[str, str]:
    """Speaker keys (or ids, for a refused invite) to names in the reader's language; the
    newest event's speaker wins when a key was reused."""
    subjects = set(subjects)
    if not subjects:
        return {}
    ids = {i for i in map(_int, subjects) if i is not None}
    found = await db.scalars(
        select(m.Speaker)
        .where(m.Speaker.key.in_(subjects) | m.Speaker.id.in_(ids))
        .order_by(m.Speaker.event_id)
    )
    names: dict[str, str] = {}
    for speaker in found:
        translation = pick(speaker.translations, locale)
        name = translation.name if translation is not None and translation.name else speaker.name
        names[speaker.key] = name
        names[str(speaker.id)] = name
    return names


async def _attendee_names(db: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    """Registration codes to the names on the badges (erased registrations have none)."""
    codes = set(codes)
    if not codes:
        return {}
    rows = await db.execute(
        select(m.Registration.code, m.Registration.full_name).where(m.Registration.code.in_(codes))
    )
    return {str(code): name for code, name in rows.all() if code and name}

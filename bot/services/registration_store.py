"""The `registrations` rows: upsert from a finished draft, erase, count.

Functions run inside the caller's transaction, so the registration service can confirm and
close the dialogue in one commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.domain.registration import Draft
from bot.domain.registration_views import RegistrationCounts, RegistrationView

CONFIRMED, ERASED = "confirmed", "erased"
CODE_ATTEMPTS = 20


@dataclass(frozen=True)
class Stored:
    view: RegistrationView
    first_time: bool  # a code was issued now
    changed: bool


async def confirmed(db: AsyncSession, user_id: int) -> m.Registration | None:
    row = await db.get(m.Registration, user_id)
    return row if row is not None and row.status == CONFIRMED else None


async def upsert(
    db: AsyncSession, user_id: int, draft: Draft, now: datetime, codes: Callable[[], str]
) -> Stored:
    """One row per user: a new one gets a code, an erased one a fresh code, others keep it."""
    row = await db.get(m.Registration, user_id)
    first_time = row is None or row.code is None
    code = await _unique_code(db, codes) if first_time else None  # before any change: autoflush
    if row is None:
        row = m.Registration(user_id=user_id, created_at=now)
        db.add(row)
    changed = _copy(row, draft)
    if code is not None:
        row.code, row.consent_at = code, now
    row.status, row.updated_at = CONFIRMED, now
    await db.flush()  # a duplicate code or row fails here, where the caller can retry
    return Stored(view(row), first_time, changed or first_time)


async def erase(db: AsyncSession, user_id: int, now: datetime) -> bool:
    """Blank the personal fields; keep role, country, language. (The rest of the person's
    data: `bot.services.erasure.erase_person`, in the same transaction.)"""
    row = await confirmed(db, user_id)
    if row is None:
        return False
    row.full_name = row.email = row.organization = row.code = None
    row.consent_at = None
    row.status, row.updated_at = ERASED, now
    return True


def reserved_sessions(user_id: int) -> Select[tuple[int]]:
    return select(m.Reservation.session_id).where(m.Reservation.user_id == user_id)


async def count(db: AsyncSession) -> RegistrationCounts:
    keys = (m.Registration.status, m.Registration.profession, m.Registration.country)
    query = select(*keys, m.Registration.language, func.count()).group_by(
        *keys, m.Registration.language
    )
    status: Counter[str] = Counter()
    professions: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for state, profession, country, language, n in (await db.execute(query)).tuples():
        status[state] += n
        professions[profession] += n
        countries[country] += n
        languages[language] += n
    return RegistrationCounts(
        confirmed=status[CONFIRMED],
        erased=status[ERASED],
        by_profession=dict(professions),
        by_country=dict(countries),
        by_language=dict(languages),
    )


def view(row: m.Registration) -> RegistrationView:
    return RegistrationView(
        full_name=row.full_name or "",
        email=row.email or "",
        organization=row.organization or "",
        profession=row.profession,
        country=row.country,
        language=row.language,
        code=row.code or "",
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def draft_of(row: m.Registration) -> Draft:
    """The stored answers as a draft, for changing them through the same dialogue."""
    return Draft(
        full_name=row.full_name,
        email=row.email,
        organization=row.organization,
        profession=row.profession,
        country=row.country,
        language=row.language,
        consent=True,
    )


async def _unique_code(db: AsyncSession, codes: Callable[[], str]) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = codes()
        if (
            await db.scalar(select(m.Registration.user_id).where(m.Registration.code == code))
            is None
        ):
            return code
    raise RuntimeError("no free registration code found")


def _copy(row: m.Registration, draft: Draft) -> bool:
    """The draft's answers onto the row; True when any of them changed."""
    answers = {
        "full_name": draft.full_name,
        "email": draft.email,
        "organization": draft.organization,
        "profession": draft.profession,
        "country": draft.country,
        "language": draft.language,
    }
    changed = False
    for name, value in answers.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
            changed = True
    return changed

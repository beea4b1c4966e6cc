"""CSV exports for organizers, in UTF-8 with a BOM so spreadsheet apps show Arabic and Urdu."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from babel import Locale
from sqlalchemy import select

from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.services import feedback

BOM = "\ufeff"
REGISTRATION_COLUMNS = (
    "code",
    "full_name",
    "email",
    "organization",
    "role",
    "country",
    "country_name",
    "language",
    "registered_at",
    "checked_in_at",
)
ATTENDANCE_COLUMNS = ("code", "full_name", "role", "country", "checked_in_at", "checked_in_by")


async def registrations_csv(sessions: SessionFactory) -> str:
    async with sessions() as db:
        rows = list(
            await db.scalars(
                select(m.Registration)
                .where(m.Registration.status == "confirmed")
                .order_by(m.Registration.created_at)
            )
        )
    english = Locale("en")
    return _csv(
        REGISTRATION_COLUMNS,
        (
            (
                r.code or "",
                r.full_name or "",
                r.email or "",
                r.organization or "",
                r.profession,
                r.country,
                english.territories.get(r.country, r.country),
                r.language,
                r.created_at.isoformat(),
                r.checked_in_at.isoformat() if r.checked_in_at else "",
            )
            for r in rows
        ),
    )


async def attendance_csv(sessions: SessionFactory) -> str:
    async with sessions() as db:
        rows = list(
            await db.scalars(
                select(m.Registration)
                .where(m.Registration.checked_in_at.is_not(None))
                .order_by(m.Registration.checked_in_at)
            )
        )
    return _csv(
        ATTENDANCE_COLUMNS,
        (
            (
                r.code or "",
                r.full_name or "",
                r.profession,
                r.country,
                r.checked_in_at.isoformat() if r.checked_in_at else "",
                str(r.checked_in_by or ""),
            )
            for r in rows
        ),
    )


async def feedback_csv(sessions: SessionFactory) -> str:
    """Every rating and comment with its session, never who gave it."""
    async with sessions() as db:
        rows = await feedback.export_rows(db)
    return _csv(feedback.EXPORT_COLUMNS, rows)


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_defuse(value) for value in row])
    return BOM + buffer.getvalue()


def _defuse(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: a typed name must not."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value

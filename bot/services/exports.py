"""CSV exports for organizers, in UTF-8 with a BOM so spreadsheet apps show Arabic and Urdu.

Times are written in the event's own zone with its offset (ISO 8601, `2026-03-14T10:15:00+08:00`):
the clock organizers read on the programme, and still one exact instant for any program.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.locales import SUPPORTED_LOCALES
from bot.importers.csv_format import COLUMNS as PROGRAMME_COLUMNS
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


async def registrations_csv(sessions: SessionFactory, fallback_zone: str = "UTC") -> str:
    """`fallback_zone`: the configured zone, for times written before any programme exists."""
    async with sessions() as db:
        zone = await _event_zone(db, fallback_zone)
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
                _at(r.created_at, zone),
                _at(r.checked_in_at, zone),
            )
            for r in rows
        ),
    )


async def attendance_csv(sessions: SessionFactory, fallback_zone: str = "UTC") -> str:
    async with sessions() as db:
        zone = await _event_zone(db, fallback_zone)
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
                _at(r.checked_in_at, zone),
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


async def _event_zone(db: AsyncSession, fallback: str) -> ZoneInfo:
    """The loaded event's zone (the newest event's, as everywhere else)."""
    name = await db.scalar(select(m.Event.timezone).order_by(m.Event.id.desc()).limit(1))
    return ZoneInfo(name or fallback)


def _at(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat() if moment is not None else ""


async def programme_csv(sessions: SessionFactory) -> str:
    """The whole programme in our CSV template (docs/importing.md), with every key and
    translation, so that importing it again changes nothing."""
    async with sessions() as db:
        event = await db.scalar(select(m.Event).order_by(m.Event.id.desc()).limit(1))
        if event is None:
            return _csv(PROGRAMME_COLUMNS, [])
        rows = list(
            await db.scalars(
                select(m.Session)
                .where(m.Session.event_id == event.id)
                .order_by(m.Session.starts_at, m.Session.key)
            )
        )
        zone = ZoneInfo(event.timezone)
        return _csv(PROGRAMME_COLUMNS, (_programme_row(row, zone) for row in rows))


def _programme_row(row: m.Session, zone: ZoneInfo) -> list[str]:
    starts, ends = row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)
    cells = {
        "key": row.key,
        "day": starts.date().isoformat(),
        "start": f"{starts:%H:%M}",
        "end": f"{ends:%H:%M}",
        "title": row.title,
        "abstract": row.abstract,
        "kind": row.kind,
        "language": row.language,
        "capacity": str(row.capacity or ""),
        "cancelled": "yes" if row.cancelled else "",
    }
    for translation in row.translations:
        cells[f"title_{translation.locale}"] = translation.title
        cells[f"abstract_{translation.locale}"] = translation.abstract
    for column, named in (("room", row.room), ("track", row.track)):
        if named is not None:
            cells[column], cells[f"{column}_key"] = named.name, named.key
            cells.update({f"{column}_{t.locale}": t.name for t in named.translations})
    if row.room is not None and row.room.capacity:
        cells["room_capacity"] = str(row.room.capacity)
    for role, column, keys in (
        ("speaker", "speakers", "speaker_keys"),
        ("moderator", "moderators", "moderator_keys"),
    ):
        people = [p.speaker for p in row.people if p.role == role]
        if not people:
            continue
        cells[column] = "; ".join(p.name for p in people)
        cells[keys] = "; ".join(p.key for p in people)
        for locale in SUPPORTED_LOCALES:
            names = [{t.locale: t.name for t in p.translations}.get(locale, "") for p in people]
            if any(names):
                cells[f"{column}_{locale}"] = "; ".join(names)
    return [cells.get(column, "") for column in PROGRAMME_COLUMNS]


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

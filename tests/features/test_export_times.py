"""Exports give times in the event's own zone, with its offset (ISO 8601), as organizers
read them on the programme: 10:15 in Kuala Lumpur is written 10:15+08:00, not 02:15 UTC."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.conftest import ADMIN
from tests.features.test_checkin_and_exports import register
from tests.features.test_cli import cli
from tests.harness import BotHarness


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_exports_write_times_in_the_events_zone_with_its_offset(
    desk: BotHarness, sqlite_sample_db: str, tmp_path: Path
) -> None:
    await register(desk, 2001, "Amina Yusuf", "K7M2Q9XA")  # registered 01:00 UTC
    await desk.send(desk.user(ADMIN, "Organizer"), "/checkin K7M2Q9XA")  # 10:15 in KL

    registrations = cli("export", "registrations", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)
    attendance = cli("export", "attendance", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)

    assert registrations.returncode == 0, registrations.stderr
    [registered] = rows(registrations.stdout)
    assert registered["registered_at"] == "2026-03-14T09:00:00+08:00"
    assert registered["checked_in_at"] == "2026-03-14T10:15:00+08:00"
    [attended] = rows(attendance.stdout)
    assert attended["checked_in_at"] == "2026-03-14T10:15:00+08:00"

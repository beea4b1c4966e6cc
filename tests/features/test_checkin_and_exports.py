"""Organizers check attendees in at the badge desk and export registrations as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.db import models as m
from tests.conftest import ADMIN
from tests.features.test_cli import cli
from tests.harness import BotHarness, text_of

WHEN = datetime(2026, 3, 14, 1, 0, tzinfo=UTC)


async def register(bot: BotHarness, user_id: int, name: str, code: str, **extra: str) -> None:
    async with bot.runtime.services.sessions.begin() as db:
        if await db.get(m.User, user_id) is None:
            db.add(m.User(id=user_id, display_name=name, first_seen=WHEN, last_seen=WHEN))
            await db.flush()
        db.add(
            m.Registration(
                user_id=user_id,
                full_name=name,
                email=extra.get("email", "a@example.org"),
                organization=extra.get("organization", "Dawn Media"),
                profession=extra.get("profession", "journalist"),
                country=extra.get("country", "MY"),
                language=extra.get("language", "en"),
                consent_at=WHEN,
                code=code,
                status="confirmed",
                created_at=WHEN,
                updated_at=WHEN,
            )
        )


async def test_an_organizer_checks_an_attendee_in_and_a_repeat_says_when(desk: BotHarness) -> None:
    await register(desk, 2001, "Amina Yusuf", "K7M2Q9XA")
    organizer = desk.user(ADMIN, "Organizer")

    [first] = await desk.send(organizer, "/checkin k7m2q9xa")
    [again] = await desk.send(organizer, "/checkin K7M2Q9XA")

    assert text_of(first) == "✅ Amina Yusuf (Journalist) is checked in."
    assert text_of(again) == (
        "⚠️ Amina Yusuf (Journalist) was already checked in on Sat, Mar 14 at 10:15."
    )


async def test_check_in_answers_in_the_organizers_language(desk: BotHarness) -> None:
    await register(desk, 2002, "<b>Omar</b>", "P3R4S5T6")
    organizer = desk.user(ADMIN, "Organizer", lang="ar")

    [reply] = await desk.send(organizer, "/checkin P3R4S5T6")

    assert "<b>Omar</b>" in text_of(reply)  # HTML in a name is shown, not interpreted
    assert "✅" in text_of(reply)
    assert "checked in" not in text_of(reply)
    assert (reply.text or "").startswith("\u200f")


async def test_an_attendee_cannot_check_anyone_in_and_the_attempt_is_logged(
    desk: BotHarness,
) -> None:
    await register(desk, 2003, "Amina Yusuf", "K7M2Q9XB")
    attendee = desk.user(3001, "Curious")

    [reply] = await desk.send(attendee, "/checkin K7M2Q9XB")

    assert text_of(reply) == "Sorry, only organizers can do that."
    async with desk.runtime.services.sessions() as db:
        entries = list(await db.scalars(select(m.AuditEntry)))
        registration = await db.get(m.Registration, 2003)
    assert [(e.actor_id, e.action, e.outcome) for e in entries] == [(3001, "checkin", "refused")]
    assert registration is not None and registration.checked_in_at is None


async def test_an_unknown_code_and_a_missing_code_get_clear_answers(desk: BotHarness) -> None:
    organizer = desk.user(ADMIN, "Organizer")

    [unknown] = await desk.send(organizer, "/checkin ZZZZZZZZ")
    [missing] = await desk.send(organizer, "/checkin")

    assert text_of(unknown).startswith("❓ No registration has this code.")
    assert "/checkin CODE" in text_of(missing)


async def test_exports_are_utf8_with_bom_and_keep_arabic_and_urdu(
    desk: BotHarness, sqlite_sample_db: str, tmp_path: Path
) -> None:
    await register(desk, 2004, "نور حداد", "AAAA2222", country="QA", language="ar")
    await register(desk, 2005, "=HYPERLINK(evil)", "BBBB3333", country="PK", language="ur")
    organizer = desk.user(ADMIN, "Organizer")
    await desk.send(organizer, "/checkin AAAA2222")
    out = tmp_path / "registrations.csv"

    registrations = cli(
        "export",
        "registrations",
        "--format",
        "csv",
        "-o",
        str(out),
        cwd=tmp_path,
        DATABASE_URL=sqlite_sample_db,
    )
    attendance = cli("export", "attendance", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)

    assert registrations.returncode == 0, registrations.stderr
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["full_name"], r["country_name"], r["language"]) for r in rows] == [
        ("نور حداد", "Qatar", "ar"),
        ("'=HYPERLINK(evil)", "Pakistan", "ur"),
    ]
    attended = list(csv.DictReader(io.StringIO(attendance.stdout.lstrip("\ufeff"))))
    assert [r["code"] for r in attended] == ["AAAA2222"]

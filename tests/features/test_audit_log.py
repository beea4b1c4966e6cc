"""The audit log names people (who acted, on whom) and says what happened in the admin's
language, never raw ids or tokens such as `speaker_revoke` or `not_found`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db import models as m
from tests.conftest import ADMIN
from tests.features.test_checkin_and_exports import register
from tests.harness import BotHarness, text_of

RAW = ("checkin", "speaker_revoke", "promote", "not_found", "refused", "ok", str(ADMIN), "3001")


async def history(desk: BotHarness) -> None:
    """A morning at the desk: check-ins, a refused attempt, a promotion, a revoked link."""
    await register(desk, 2001, "Amina Yusuf", "K7M2Q9XA")
    admin = desk.user(ADMIN, "Nadia")
    await desk.send(desk.user(3001, "Curious Omar"), "/checkin K7M2Q9XA")
    await desk.send(admin, "/checkin K7M2Q9XA")
    await desk.send(admin, "/checkin ZZZZZZZZ")
    await desk.send(admin, "/promote 3001")
    async with desk.runtime.services.sessions.begin() as db:
        key = await db.scalar(select(m.Speaker.key).where(m.Speaker.name == "نور حداد"))
        assert key is not None
        db.add(
            m.AuditEntry(
                at=datetime(2026, 3, 14, 2, 30, tzinfo=UTC),
                actor_id=ADMIN,
                action="speaker_revoke",
                subject=key,
                outcome="ok",
                detail="1",
            )
        )


async def test_the_audit_log_names_people_and_says_what_happened(desk: BotHarness) -> None:
    await history(desk)

    [log] = await desk.send(desk.user(ADMIN, "Nadia"), "/audit")

    lines = text_of(log).splitlines()
    assert "Nadia · Check-in: Amina Yusuf · succeeded" in " ".join(lines)
    assert "Curious Omar · Check-in: Amina Yusuf · refused (not allowed)" in " ".join(lines)
    assert "Nadia · Check-in: ZZZZZZZZ · no such code" in " ".join(lines)
    assert "Nadia · Made an organizer: Curious Omar · succeeded" in " ".join(lines)
    assert "Nadia · Speaker links revoked: Nour Haddad · succeeded" in " ".join(lines)
    for line in lines[1:]:
        fields = line.split(" · ")
        assert not set(fields[1:]) & set(RAW), line
        assert "_" not in line, line


async def test_the_audit_log_in_arabic_names_speakers_in_arabic(desk: BotHarness) -> None:
    await history(desk)

    [log] = await desk.send(desk.user(ADMIN, "Nadia", lang="ar"), "/audit")

    text = text_of(log)
    assert "نور حداد" in text
    assert "Amina Yusuf" in text and "Curious Omar" in text
    for english in ("Check-in", "succeeded", "refused", "Made an organizer", "revoked", "Audit"):
        assert english not in text
    for token in ("checkin", "speaker_revoke", "not_found", "promote"):
        assert token not in text


async def test_an_unknown_action_and_outcome_read_as_words(desk: BotHarness) -> None:
    async with desk.runtime.services.sessions.begin() as db:
        db.add(
            m.AuditEntry(
                at=datetime(2026, 3, 14, 2, 0, tzinfo=UTC),
                actor_id=None,
                action="programme_export",
                subject="",
                outcome="partly_done",
            )
        )

    [log] = await desk.send(desk.user(ADMIN, "Nadia"), "/audit")

    assert "the bot · programme export · partly done" in text_of(log)

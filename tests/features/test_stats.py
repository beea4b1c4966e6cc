"""Organizers see the event's figures in the bot and on the command line."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ADMIN
from tests.features.test_checkin_and_exports import register
from tests.features.test_cli import cli
from tests.harness import BotHarness, text_of


async def test_stats_show_registrations_agendas_seats_and_delivery(desk: BotHarness) -> None:
    await register(desk, 2001, "Amina", "AAAA2222", country="MY", language="ms")
    await register(desk, 2002, "Omar", "BBBB3333", country="QA", language="ar", profession="editor")
    attendee = desk.user(2001, "Amina")
    [found] = await desk.send(attendee, "5 tools verifying video")
    [card] = await desk.press(attendee, found, "5 tools")
    await desk.press(attendee, card, "Reserve a seat")

    [report] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")

    text = text_of(report)
    assert "🎫 2 registrations" in text
    assert "By role: Editor: 1 and Journalist: 1" in text
    assert "Malaysia: 1" in text and "Qatar: 1" in text
    assert "Malay: 1" in text
    assert "5 tools for verifying user-generated video in under 10 minutes: 1" in text
    assert "5 tools for verifying user-generated video in under 10 minutes: 1/" in text


async def test_stats_in_arabic_and_refused_to_attendees(desk: BotHarness) -> None:
    [report] = await desk.send(desk.user(ADMIN, "Admin", lang="ar"), "/stats")
    [refused] = await desk.send(desk.user(2001, "Amina"), "/stats")

    assert "registrations" not in text_of(report)
    assert (report.text or "").startswith("\u200f")
    assert text_of(refused) == "Sorry, only organizers can do that."


def test_symposium_bot_stats_prints_the_same(sqlite_sample_db: str, tmp_path: Path) -> None:
    result = cli("stats", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)

    assert result.returncode == 0, result.stderr
    assert "Symposium figures" in result.stdout
    assert "0 registrations" in result.stdout

"""Attendees' files are not read: the role is checked before anything is fetched from
Telegram (issue #16: 13 of 15 files an attendee sent, 51 MB, were downloaded first)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.db import models as m
from tests.conftest import ADMIN
from tests.harness import BotHarness, text_of

DATA = Path(__file__).parents[1] / "importers" / "data" / "pretalx-rc3-excerpt.json"


async def test_an_attendees_document_is_never_fetched_from_telegram(desk: BotHarness) -> None:
    attendee = desk.user(2001, "Omar")

    update = await desk.fake.send_document(
        attendee, "my-cv.json", DATA.read_bytes(), "application/json"
    )
    await desk.processed(update["update_id"])

    assert [c.method for c in desk.fake.calls if c.method == "getFile"] == []
    reply = text_of(desk.fake.last_message(attendee.id))
    assert (
        reply == "I can only read text. Type a few words to search the programme, or use the menu."
    )
    async with desk.runtime.services.sessions() as db:
        refused = list(
            await db.execute(
                select(m.AuditEntry.actor_id, m.AuditEntry.action, m.AuditEntry.outcome)
            )
        )
    assert refused == [(2001, "import-preview", "refused")]  # audited once, as before


async def test_an_attendee_gets_the_same_answer_in_their_language(desk: BotHarness) -> None:
    attendee = desk.user(2002, "Layla", lang="ar")

    update = await desk.fake.send_document(attendee, "x.json", b"{}", "application/json")
    await desk.processed(update["update_id"])

    assert [c.method for c in desk.fake.calls if c.method == "getFile"] == []
    reply = text_of(desk.fake.last_message(attendee.id))
    assert reply and "text" not in reply  # said in Arabic


async def test_an_organizers_document_is_still_fetched_and_previewed(desk: BotHarness) -> None:
    organizer = desk.user(ADMIN, "Admin")

    update = await desk.fake.send_document(
        organizer, "rc3.json", DATA.read_bytes(), "application/json"
    )
    await desk.processed(update["update_id"])

    assert [c.method for c in desk.fake.calls if c.method == "getFile"] == ["getFile"]
    assert text_of(desk.fake.last_message(organizer.id)).startswith("🔍")

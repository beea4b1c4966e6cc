"""An organizer's import never holds the attendees' database: a preview writes nothing, an
unchanged programme writes nothing, a programme beyond the session limit is refused, and a
bookmark made while an import is being worked out still keeps its session."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import create_engine, create_session_factory
from bot.domain.programme_plan import Stored
from bot.importers import builder, parse_programme
from bot.services import programme as programme_service
from bot.services.imports import ImportService
from bot.services.programme import ProgrammeService
from tests.conftest import ADMIN
from tests.harness import BotHarness, text_of

DATA = Path(__file__).parents[1] / "importers" / "data" / "pretalx-rc3-excerpt.json"
PROGRAMME_TABLES = re.compile(
    r"\b(events|event_translations|rooms|room_translations|tracks|track_translations|speakers|"
    r"speaker_translations|sessions|session_translations|session_speakers)\b"
)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def programme_writes(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement that writes a programme table while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if WRITE.match(statement) and PROGRAMME_TABLES.search(statement):
            seen.append(statement.split("\n")[0][:80])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_an_organizers_preview_writes_nothing(desk: BotHarness) -> None:
    organizer = desk.user(ADMIN, "Admin")

    with programme_writes(desk.runtime.engine) as writes:
        sent = await desk.fake.send_document(
            organizer, "rc3.json", DATA.read_bytes(), "application/json"
        )
        await desk.processed(sent["update_id"])

    assert text_of(desk.fake.last_message(organizer.id)).startswith("🔍 Dry run")
    assert writes == []  # the SQLite writer stayed free for everyone else


async def test_importing_the_same_programme_again_writes_nothing(empty_db: str) -> None:
    engine = create_engine(empty_db)
    sessions = create_session_factory(engine)
    clock = FrozenClock(datetime(2020, 12, 26, 9, 0, tzinfo=UTC))
    importer = ImportService(sessions, ProgrammeService(sessions, clock), "Europe/Berlin", clock)
    first = await importer.load("rc3.json", DATA.read_bytes())

    with programme_writes(engine) as writes:
        again = await importer.load("rc3.json", DATA.read_bytes())

    await engine.dispose()
    assert len(first.added) == 5
    assert (again.added, again.changes, again.removed) == ((), (), ())
    assert writes == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "more than 3 sessions: the bot takes at most 3"),
        ("ms", "3"),
    ],
)
async def test_a_programme_beyond_the_session_limit_is_refused_in_the_organizers_language(
    desk: BotHarness, monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    monkeypatch.setattr(builder, "MAX_SESSIONS", 3)
    organizer = desk.user(ADMIN, "Admin", lang=lang)

    sent = await desk.fake.send_document(
        organizer, "rc3.json", DATA.read_bytes(), "application/json"
    )
    await desk.processed(sent["update_id"])

    answer = text_of(desk.fake.last_message(organizer.id))
    assert answer.startswith("⚠️")
    assert expected in answer
    if lang != "en":
        assert "the bot takes at most" not in answer  # translated
    assert await desk.runtime.services.programme.has_programme()  # the sample stays


async def test_a_bookmark_made_while_an_import_is_worked_out_keeps_its_session(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(empty_db)
    sessions = create_session_factory(engine)
    clock = FrozenClock(datetime(2020, 12, 26, 9, 0, tzinfo=UTC))
    importer = ImportService(sessions, ProgrammeService(sessions, clock), "Europe/Berlin", clock)
    await importer.load("rc3.json", DATA.read_bytes())
    data = json.loads(DATA.read_text("utf-8"))
    rooms = data["schedule"]["conference"]["days"][0]["rooms"]
    dropped = next(events for events in rooms.values() if events).pop(0)
    async with sessions() as db:
        event_key = await db.scalar(select(m.Event.key))
        doomed = await db.scalar(
            select(m.Session).where(m.Session.key.startswith(dropped["guid"][:8]))
        )
    assert doomed is not None
    read = programme_service.read_stored

    async def read_then_bookmark(db: AsyncSession, key: str) -> Stored:
        stored = await read(db, key)  # the plan sees nobody's bookmark...
        async with sessions.begin() as other:  # ...which an attendee makes meanwhile
            other.add(
                m.User(id=7, display_name="Nour", first_seen=clock.now(), last_seen=clock.now())
            )
            await other.flush()
            other.add(m.Bookmark(user_id=7, session_id=doomed.id, created_at=clock.now()))
        return stored

    monkeypatch.setattr(programme_service, "read_stored", read_then_bookmark)
    changed = parse_programme(
        "rc3.json", json.dumps(data).encode(), timezone="Europe/Berlin", event_key=event_key
    )
    summary = await ProgrammeService(sessions, clock).apply(changed)

    async with sessions() as db:
        kept = await db.get(m.Session, doomed.id)
    await engine.dispose()
    assert kept is not None and kept.cancelled
    assert [change.title for change in summary.changes] == [doomed.title]

"""Organizers load the programme from the tools they use: files, URLs, and live sync."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import create_engine, create_session_factory
from bot.domain.outbox_kinds import SCHEDULE_CHANGE
from bot.services.imports import ImportService
from bot.services.outbox import PENDING
from bot.services.programme import ProgrammeService
from bot.services.sync import ScheduleSync
from tests.conftest import ADMIN
from tests.features.test_cli import cli
from tests.harness import BotHarness, text_of

DATA = Path(__file__).parents[1] / "importers" / "data" / "pretalx-rc3-excerpt.json"
MOVED_GUID = "c3642671"  # "Der faule Admin automatisiert…", 11:30 on 27 December


def moved_copy(tmp_path: Path) -> Path:
    """The same programme with one session an hour later and in another room."""
    data = json.loads(DATA.read_text("utf-8"))
    days = data["schedule"]["conference"]["days"]
    rooms = days[0]["rooms"]
    source = next(r for r in rooms if any(e["guid"].startswith(MOVED_GUID) for e in rooms[r]))
    event = next(e for e in rooms[source] if e["guid"].startswith(MOVED_GUID))
    rooms[source].remove(event)
    event["date"] = "2020-12-27T12:30:00+01:00"
    event["start"] = "12:30"
    target = next(r for r in rooms if r != source)
    event["room"] = target
    rooms[target].append(event)
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_cli_import_dry_run_then_apply_then_unchanged(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)

    dry = cli("import", str(DATA), "--dry-run", cwd=tmp_path, DATABASE_URL=url)
    real = cli("import", str(DATA), cwd=tmp_path, DATABASE_URL=url)
    again = cli("import", str(DATA), "--format", "pretalx", cwd=tmp_path, DATABASE_URL=url)
    moved = cli("import", str(moved_copy(tmp_path)), "--dry-run", cwd=tmp_path, DATABASE_URL=url)

    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("🔍 Dry run: nothing has been changed yet.")
    assert "➕ 5 added:" in dry.stdout
    assert real.stdout.startswith("✅ Programme imported.")
    assert "Nothing changes: the programme is the same." in again.stdout
    assert "🔁 1 moved in time or room, or cancelled:" in moved.stdout
    assert "Der faule Admin automatisiert" in moved.stdout
    assert "Sun, Dec 27 11:30 → Sun, Dec 27 12:30" in moved.stdout  # the event's own zone


def test_a_broken_or_foreign_file_is_named_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    cli("import", str(DATA), cwd=tmp_path, DATABASE_URL=url)
    broken = json.loads(DATA.read_text("utf-8"))
    first_room = next(iter(broken["schedule"]["conference"]["days"][0]["rooms"].values()))
    first_room[0]["duration"] = "forty minutes"
    (tmp_path / "broken.json").write_text(json.dumps(broken), "utf-8")
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.7\n...")

    bad = cli("import", str(tmp_path / "broken.json"), cwd=tmp_path, DATABASE_URL=url)
    pdf = cli("import", str(tmp_path / "slides.pdf"), cwd=tmp_path, DATABASE_URL=url)
    after = cli("import", str(DATA), "--dry-run", cwd=tmp_path, DATABASE_URL=url)

    assert bad.returncode == 1
    assert "broken.json" in bad.stderr and "duration" in bad.stderr and "/rooms/" in bad.stderr
    assert pdf.returncode == 1 and "PDF" in pdf.stderr
    assert "Nothing changes" in after.stdout


async def test_a_moved_session_tells_its_bookmarkers(tmp_path: Path, empty_db: str) -> None:
    engine = create_engine(empty_db)
    sessions = create_session_factory(engine)
    clock = FrozenClock(datetime(2020, 12, 26, 9, 0, tzinfo=UTC))
    importer = ImportService(sessions, ProgrammeService(sessions, clock), "Europe/Berlin", clock)
    await importer.load("rc3.json", DATA.read_bytes())
    async with sessions.begin() as db:
        db.add(
            m.User(
                id=5,
                display_name="Amina",
                locale="ar",
                first_seen=clock.now(),
                last_seen=clock.now(),
            )
        )
        session = await db.scalar(select(m.Session).where(m.Session.key.startswith(MOVED_GUID)))
        assert session is not None
        db.add(m.Bookmark(user_id=5, session_id=session.id, created_at=clock.now()))

    summary = await importer.load("moved.json", moved_copy(tmp_path).read_bytes())

    async with sessions() as db:
        kinds = list(
            await db.scalars(
                select(m.OutboxMessage.kind).where(
                    m.OutboxMessage.recipient_id == 5, m.OutboxMessage.state == PENDING
                )
            )
        )
    await engine.dispose()
    assert len(summary.changes) == 1
    assert SCHEDULE_CHANGE in kinds


@pytest.fixture
async def schedule_server() -> AsyncIterator[tuple[TestServer, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    body = DATA.read_bytes()

    async def serve(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(body=body, headers={"ETag": '"v1"'}, content_type="application/json")

    app = web.Application()
    app.router.add_get("/schedule.json", serve)
    server = TestServer(app)
    await server.start_server()
    yield server, seen
    await server.close()


async def test_live_sync_uses_conditional_requests_and_stays_quiet_when_unchanged(
    schedule_server: tuple[TestServer, list[dict[str, str]]], empty_db: str
) -> None:
    server, seen = schedule_server
    engine = create_engine(empty_db)
    sessions = create_session_factory(engine)
    clock = FrozenClock(datetime(2020, 12, 26, 9, 0, tzinfo=UTC))
    importer = ImportService(sessions, ProgrammeService(sessions, clock), "Europe/Berlin", clock)
    sync = ScheduleSync(str(server.make_url("/schedule.json")), 10, importer)

    first = await sync.sync_once()
    second = await sync.sync_once()

    async with sessions() as db:
        notices = await db.scalar(select(m.OutboxMessage.id).limit(1))
    await engine.dispose()
    assert first is not None and len(first.added) == 5
    assert second is None  # 304 Not Modified
    assert seen[1].get("If-None-Match") == '"v1"'
    assert notices is None


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_an_organizer_sends_a_schedule_file_sees_the_diff_and_applies_it(
    desk: BotHarness, lang: str
) -> None:
    organizer = desk.user(ADMIN, "Admin", lang=lang)
    before = await desk.fake.send_document(
        organizer, "rc3.json", DATA.read_bytes(), "application/json"
    )
    await desk.processed(before["update_id"])
    preview = copy.deepcopy(desk.fake.last_message(organizer.id))

    [applied] = await desk.press(organizer, preview, "✅")
    again = await desk.fake.send_document(
        organizer, "rc3.json", DATA.read_bytes(), "application/json"
    )
    await desk.processed(again["update_id"])

    assert text_of(preview).startswith("🔍")
    assert "5" in text_of(preview)
    if lang == "en":
        assert "➕ 5 added:" in text_of(preview)
        assert text_of(applied).startswith("✅ Programme imported.")
    else:
        assert "added" not in text_of(preview)
        assert (preview.text or "").startswith("\u200f")
    assert text_of(desk.fake.last_message(organizer.id)).startswith("🔍")  # a new preview
    assert "Nothing changes" in text_of(desk.fake.last_message(organizer.id)) or lang == "ar"


async def test_an_attendees_document_is_not_imported(desk: BotHarness) -> None:
    attendee = desk.user(2001, "Omar")

    update = await desk.fake.send_document(
        attendee, "rc3.json", DATA.read_bytes(), "application/json"
    )
    await desk.processed(update["update_id"])

    assert text_of(desk.fake.last_message(attendee.id)).startswith("I can only read text.")
    assert await desk.runtime.services.schedule.search("Gluon", "en") is not None
    found = await desk.runtime.services.schedule.search("Gluon", "en")
    assert found.empty

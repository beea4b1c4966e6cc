"""An organizer edits the programme as a CSV and sends it back: nothing else may change.

The sample's rooms, tracks and speakers have keys that are not slugs of their names
(`studio-1` is "Workshop Studio 1", `nour-haddad` is stored as "نور حداد") and names in four
languages. A re-import must find them again (by key, then by any known name), keep the
translations the file does not mention, and tell only the bookmarkers of what really moved.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import models as m
from bot.sandbox.models import FakeUser, SentMessage
from bot.services import exports
from tests.conftest import ADMIN
from tests.features.test_cli import cli
from tests.features.test_reminders import arrivals, session_id
from tests.harness import BotHarness, text_of

SAMPLE = Path(__file__).parents[2] / "bot" / "sample" / "programme.json"
DAY_1 = date(2026, 3, 14)
MOVED = "d1-talk-arabic-digital-models"  # 11:45-12:30 in Merdeka Hall, day 1
MOVED_TITLE = "Business Models for Independent Arabic Digital Media"
STUDIO = "d1-workshop-verify-video"  # in Workshop Studio 1 (key studio-1)
OLD_COLUMNS = [
    *("key", "day", "start", "end", "title", "abstract", "kind", "room", "track", "language"),
    *("capacity", "speakers", "moderators", "title_ar", "title_en", "title_ms", "title_ur"),
    *("abstract_ar", "abstract_en", "abstract_ms", "abstract_ur"),
]


def documented_template() -> str:
    """The sample written by hand in the template as documented before key columns:
    English room, track and speaker names, titles in each session's own language."""
    raw = json.loads(SAMPLE.read_text("utf-8"))
    rooms = {r["key"]: r["name"]["en"] for r in raw["rooms"]}
    tracks = {t["key"]: t["name"]["en"] for t in raw["tracks"]}
    people = {s["key"]: s["name"]["en"] for s in raw["speakers"]}
    out = io.StringIO()
    writer = csv.DictWriter(out, OLD_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for s in raw["sessions"]:
        own = s["language"] if s["language"] in s["title"] else "en"
        starts = datetime.combine(
            DAY_1 + timedelta(days=s["day"] - 1), time.fromisoformat(s["start"])
        )
        row = {
            "key": s["key"],
            "day": starts.date().isoformat(),
            "start": f"{starts:%H:%M}",
            "end": f"{starts + timedelta(minutes=s['duration']):%H:%M}",
            "title": s["title"][own],
            "abstract": s["abstract"][own],
            "kind": s["kind"],
            "room": rooms[s["room"]],
            "track": tracks[s["track"]],
            "language": s["language"],
            "capacity": s.get("capacity") or "",
            "speakers": "; ".join(people[k] for k in s["speakers"]),
            "moderators": "; ".join(people[k] for k in s.get("moderators", ())),
        }
        for locale, text in s["title"].items():
            row[f"title_{locale}"] = text
        writer.writerow(row)
    return out.getvalue()


def move(text: str, key: str, *, start: str, end: str, room: str) -> str:
    """The organizer's edit in a spreadsheet: new times and a new room name on one row
    (any key or translation cells of the old room stay as they were)."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    [row] = [r for r in rows if r["key"] == key]
    row.update(start=start, end=end, room=room)
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def programme_state(bot: BotHarness) -> dict[str, Any]:
    """Everything an import writes, in a form two imports can be compared by."""

    def names(row: Any, *fields: str) -> list[tuple[str, ...]]:
        return sorted((t.locale, *(getattr(t, f) for f in fields)) for t in row.translations)

    async with bot.runtime.services.sessions() as db:
        event = await db.scalar(select(m.Event))
        assert event is not None
        rooms = list(await db.scalars(select(m.Room).order_by(m.Room.key)))
        tracks = list(await db.scalars(select(m.Track).order_by(m.Track.key)))
        speakers = list(await db.scalars(select(m.Speaker).order_by(m.Speaker.key)))
        sessions = list(await db.scalars(select(m.Session).order_by(m.Session.key)))
        return {
            "event": (event.name, event.venue, event.timezone, names(event, "name", "venue")),
            "rooms": [
                (r.id, r.key, r.name, r.capacity, r.position, names(r, "name")) for r in rooms
            ],
            "tracks": [(t.id, t.key, t.name, names(t, "name")) for t in tracks],
            "speakers": [
                (s.id, s.key, s.name, s.organization, s.bio, s.search_text, names(s, "name", "bio"))
                for s in speakers
            ],
            "sessions": [
                (
                    s.id,
                    s.key,
                    s.kind,
                    s.title,
                    s.abstract,
                    s.starts_at,
                    s.ends_at,
                    s.room.key if s.room else None,
                    s.track.key if s.track else None,
                    s.language,
                    s.capacity,
                    s.cancelled,
                    s.search_text,
                    names(s, "title", "abstract"),
                    [(p.speaker.key, p.role, p.position) for p in s.people],
                )
                for s in sessions
            ],
        }


async def count(bot: BotHarness, model: type[m.Room] | type[m.Speaker]) -> int:
    async with bot.runtime.services.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def send_file(bot: BotHarness, organizer: FakeUser, text: str) -> SentMessage:
    update = await bot.fake.send_document(
        organizer, "programme.csv", text.encode("utf-8"), "text/csv"
    )
    await bot.processed(update["update_id"])
    return copy.deepcopy(bot.fake.last_message(organizer.id))


async def bookmark(bot: BotHarness, user: FakeUser, key: str) -> None:
    await bot.send(user, "/start")
    async with bot.runtime.services.sessions.begin() as db:
        db.add(
            m.Bookmark(
                user_id=user.id, session_id=await session_id(bot, key), created_at=bot.clock.now()
            )
        )


async def exported(bot: BotHarness) -> str:
    return await exports.programme_csv(bot.runtime.services.sessions)


@pytest.mark.parametrize("template", ["exported", "documented"])
async def test_a_csv_round_trip_with_one_session_moved_changes_only_that_session(
    desk: BotHarness, template: str
) -> None:
    organizer = desk.user(ADMIN, "Admin")
    mover, bystander, reader = (
        desk.user(2001, "Omar"),
        desk.user(2002, "Siti"),
        desk.user(2003, "Nour", lang="ar"),
    )
    await bookmark(desk, mover, MOVED)
    await bookmark(desk, bystander, STUDIO)
    source = await exported(desk) if template == "exported" else documented_template()
    edited = move(source, MOVED, start="14:30", end="15:15", room="Main Hall")

    preview = await send_file(desk, organizer, edited)
    [applied] = await desk.press(organizer, preview, "✅")
    [notice] = await arrivals(desk, mover, desk.clock.now())
    bystanders_news = await arrivals(desk, bystander, desk.clock.now())
    [found] = await desk.send(reader, "نور حداد")

    assert "🔁 1 moved in time or room, or cancelled:" in text_of(preview)
    for untouched in ("added", "removed", "renamed"):
        assert untouched not in text_of(preview), text_of(preview)
    assert "Merdeka Hall → Main Hall" in text_of(preview)
    assert text_of(applied).startswith("✅ Programme imported.")
    assert await count(desk, m.Room) == 8
    assert await count(desk, m.Speaker) == 44
    assert text_of(notice).splitlines()[0] == (
        f"🔀 {MOVED_TITLE} moved from Merdeka Hall to Main Hall, now at 14:30–15:15."
    )
    assert bystanders_news == []
    assert "نور حداد" in text_of(found)
    assert len([b for b in found.button_texts() if "تحقق" not in b]) >= 4  # her 4 sessions
    state = await programme_state(desk)
    [studio] = [r for r in state["rooms"] if r[1] == "studio-1"]
    assert [locale for locale, _ in studio[5]] == ["ar", "en", "ms", "ur"]


async def test_an_exported_programme_imports_again_with_no_change_at_all(desk: BotHarness) -> None:
    organizer = desk.user(ADMIN, "Admin")
    before = await programme_state(desk)
    text = await exported(desk)

    preview = await send_file(desk, organizer, text)
    [applied] = await desk.press(organizer, preview, "✅")

    assert text.startswith("\ufeffkey,")
    assert "Nothing changes: the programme is the same." in text_of(preview)
    assert "Nothing changes: the programme is the same." in text_of(applied)
    assert await programme_state(desk) == before


async def test_an_old_template_without_key_or_translation_columns_keeps_the_translations(
    desk: BotHarness,
) -> None:
    organizer = desk.user(ADMIN, "Admin")
    before = await programme_state(desk)

    preview = await send_file(desk, organizer, documented_template())
    await desk.press(organizer, preview, "✅")
    after = await programme_state(desk)

    assert "Nothing changes: the programme is the same." in text_of(preview)
    assert after["rooms"] == before["rooms"]
    assert after["tracks"] == before["tracks"]
    assert after["speakers"] == before["speakers"]
    assert after["event"] == before["event"]
    assert [s[13] for s in after["sessions"]] == [s[13] for s in before["sessions"]]


def test_the_export_command_writes_the_template_that_imports_with_no_change(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    cli("import", "--sample", "--start-date", "2026-03-14", cwd=tmp_path, DATABASE_URL=url)

    export = cli(
        "export", "programme", "--format", "csv", "-o", "p.csv", cwd=tmp_path, DATABASE_URL=url
    )
    dry = cli("import", "p.csv", "--dry-run", cwd=tmp_path, DATABASE_URL=url)

    assert export.returncode == 0, export.stderr
    data = (tmp_path / "p.csv").read_bytes()
    assert data.startswith("\ufeff".encode())
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    for column in ("room_key", "room_ar", "track_key", "speaker_keys", "speakers_ar"):
        assert column in header
    assert "Nothing changes: the programme is the same." in dry.stdout, dry.stdout + dry.stderr


@pytest.mark.parametrize(
    ("lang", "rooms"),
    [("en", "Merdeka Hall → Main Hall"), ("ar", "قاعة مرديكا ← القاعة الرئيسية")],
)
async def test_the_dry_run_names_rooms_in_the_organizers_language(
    desk: BotHarness, lang: str, rooms: str
) -> None:
    organizer = desk.user(ADMIN, "Admin", lang=lang)
    edited = move(await exported(desk), MOVED, start="11:45", end="12:30", room="Main Hall")

    preview = await send_file(desk, organizer, edited)

    assert rooms in text_of(preview)
    assert "merdeka-hall" not in text_of(preview) and "main-hall" not in text_of(preview)

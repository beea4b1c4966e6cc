"""Importing a programme: matched by stable keys, so re-imports update in place."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.domain.programme import ProgrammeData
from bot.domain.programme_plan import ImportSummary
from bot.sample import load_sample
from bot.services.programme import ProgrammeService
from bot.services.schedule import ScheduleService
from tests.databases import IMPORT_CLOCK, SAMPLE_START, SAMPLE_ZONE

COUNTED = (
    m.Event,
    m.EventTranslation,
    m.Room,
    m.RoomTranslation,
    m.Track,
    m.TrackTranslation,
    m.Speaker,
    m.SpeakerTranslation,
    m.Session,
    m.SessionTranslation,
    m.SessionSpeaker,
)


@pytest.fixture
async def sessions(empty_db: str) -> AsyncIterator[SessionFactory]:
    """A migrated database with no programme."""
    engine = create_engine(empty_db)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def imported(sample_db: str) -> AsyncIterator[SessionFactory]:
    """A database the sample programme was already imported into, once."""
    engine = create_engine(sample_db)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def sample() -> ProgrammeData:
    return load_sample(SAMPLE_START, SAMPLE_ZONE)


async def row_counts(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as db:
        return {
            model.__tablename__: int(await db.scalar(select(func.count()).select_from(model)) or 0)
            for model in COUNTED
        }


async def session_row(sessions: SessionFactory, key: str) -> m.Session | None:
    async with sessions() as db:
        return await db.scalar(select(m.Session).where(m.Session.key == key))


def without_session(data: ProgrammeData, key: str) -> ProgrammeData:
    return dataclasses.replace(data, sessions=[s for s in data.sessions if s.key != key])


async def test_apply_sample_reports_what_it_imported(
    sessions: SessionFactory, sample: ProgrammeData
) -> None:
    summary = await ProgrammeService(sessions, IMPORT_CLOCK).apply(sample)

    assert summary == ImportSummary(
        rooms=8,
        tracks=8,
        speakers=44,
        sessions=67,
        removed_sessions=0,
        added=tuple(s.title for s in sample.sessions),
    )


async def test_a_dry_run_reports_the_same_and_writes_nothing(
    sessions: SessionFactory, sample: ProgrammeData
) -> None:
    service = ProgrammeService(sessions, IMPORT_CLOCK)

    dry = await service.apply(sample, dry_run=True)
    real = await service.apply(sample)

    assert not dry.applied
    assert dry.added == real.added
    assert len(real.added) == 67


async def test_apply_sample_stores_every_record(
    sessions: SessionFactory, sample: ProgrammeData
) -> None:
    await ProgrammeService(sessions, IMPORT_CLOCK).apply(sample)

    counts = await row_counts(sessions)

    assert (counts["events"], counts["rooms"], counts["speakers"], counts["sessions"]) == (
        1,
        8,
        44,
        67,
    )
    assert counts["session_translations"] == 67 * 4


async def test_apply_sample_twice_creates_no_duplicates(
    imported: SessionFactory, sample: ProgrammeData
) -> None:
    once = await row_counts(imported)

    summary = await ProgrammeService(imported, IMPORT_CLOCK).apply(sample)

    assert await row_counts(imported) == once
    assert (once["sessions"], summary.removed_sessions) == (67, 0)


async def test_apply_again_keeps_session_ids(
    imported: SessionFactory, sample: ProgrammeData
) -> None:
    before = await session_row(imported, "d1-keynote")

    await ProgrammeService(imported, IMPORT_CLOCK).apply(sample)

    after = await session_row(imported, "d1-keynote")
    assert before is not None and after is not None
    assert after.id == before.id


async def test_apply_without_a_session_removes_it(
    imported: SessionFactory, sample: ProgrammeData, clock: FrozenClock
) -> None:
    programme = ProgrammeService(imported, IMPORT_CLOCK)
    removed = await session_row(imported, "d2-open-mic-lightning")
    assert removed is not None

    summary = await programme.apply(without_session(sample, "d2-open-mic-lightning"))

    assert (summary.sessions, summary.removed_sessions) == (66, 1)
    assert await session_row(imported, "d2-open-mic-lightning") is None
    assert await ScheduleService(imported, clock).session(removed.id, "en") is None
    counts = await row_counts(imported)
    assert (counts["sessions"], counts["session_translations"]) == (66, 66 * 4)


async def test_apply_changed_title_and_room_updates_in_place(
    imported: SessionFactory, sample: ProgrammeData, clock: FrozenClock
) -> None:
    programme = ProgrammeService(imported, IMPORT_CLOCK)
    before = await session_row(imported, "d1-keynote")
    assert before is not None
    keynote = next(s for s in sample.sessions if s.key == "d1-keynote")
    changed = dataclasses.replace(
        keynote,
        title="Trust Is Still the Story",
        titles={**keynote.titles, "en": "Trust Is Still the Story", "ms": "Kepercayaan Kekal"},
        room_key="merdeka-hall",
    )
    edited = dataclasses.replace(
        sample, sessions=[changed if s.key == "d1-keynote" else s for s in sample.sessions]
    )

    summary = await programme.apply(edited)

    shown = ScheduleService(imported, clock)
    en = await shown.session(before.id, "en")
    ms = await shown.session(before.id, "ms")
    assert en is not None and ms is not None
    assert (en.title, en.room, ms.title, ms.room) == (
        "Trust Is Still the Story",
        "Merdeka Hall",
        "Kepercayaan Kekal",
        "Dewan Merdeka",
    )
    assert summary.removed_sessions == 0
    assert (await row_counts(imported))["sessions"] == 67


async def test_apply_changed_title_is_what_search_finds(
    imported: SessionFactory, sample: ProgrammeData, clock: FrozenClock
) -> None:
    programme = ProgrammeService(imported, IMPORT_CLOCK)
    keynote = next(s for s in sample.sessions if s.key == "d1-keynote")
    renamed = dataclasses.replace(
        keynote, title="Provenance Matters", titles={"en": "Provenance Matters"}
    )
    await programme.apply(
        dataclasses.replace(
            sample, sessions=[renamed if s.key == "d1-keynote" else s for s in sample.sessions]
        )
    )

    shown = ScheduleService(imported, clock)
    found = await shown.search("provenance", "en")
    kept = await shown.search("Sintetik", "en")  # the Malay title the import did not mention

    assert [s.title for s in found.sessions] == ["Provenance Matters"]
    assert [s.title for s in kept.sessions] == ["Provenance Matters"]  # translations are kept


async def test_has_programme_false_on_empty_database(sessions: SessionFactory) -> None:
    assert await ProgrammeService(sessions, IMPORT_CLOCK).has_programme() is False


async def test_has_programme_true_after_import(
    sessions: SessionFactory, sample: ProgrammeData
) -> None:
    programme = ProgrammeService(sessions, IMPORT_CLOCK)

    await programme.apply(sample)

    assert await programme.has_programme() is True

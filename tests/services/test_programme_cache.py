"""The programme read cache: one snapshot per process, reloaded when the version moves.

Two engines on one database stand for two instances: what one imports, the other answers
with at its next request, with no waiting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.domain.programme import ProgrammeData
from bot.sample import load_sample
from bot.services.programme import ProgrammeService
from bot.services.schedule import NoEventError, ScheduleService
from tests.databases import IMPORT_CLOCK, SAMPLE_START, SAMPLE_ZONE

KEYNOTE = "d1-keynote"


@pytest.fixture
async def two_instances(sample_db: str) -> AsyncIterator[tuple[SessionFactory, SessionFactory]]:
    """Two engines (two instances' connection pools) on the same database."""
    first, second = create_engine(sample_db), create_engine(sample_db)
    try:
        yield create_session_factory(first), create_session_factory(second)
    finally:
        await first.dispose()
        await second.dispose()


def retitled(data: ProgrammeData, key: str, title: str) -> ProgrammeData:
    sessions = tuple(
        dataclasses.replace(s, title=title, titles={}) if s.key == key else s for s in data.sessions
    )
    return dataclasses.replace(data, sessions=sessions)


async def version(sessions: SessionFactory) -> int:
    async with sessions() as db:
        found = await db.scalar(select(m.Event.programme_version))
    assert found is not None
    return found


async def keynote_id(schedule: ScheduleService) -> int:
    found = await schedule.search("trust story", "en")
    return found.sessions[0].id


async def test_an_import_on_one_instance_is_answered_by_the_other_at_once(
    two_instances: tuple[SessionFactory, SessionFactory],
) -> None:
    here, there = two_instances
    schedule = ScheduleService(here, IMPORT_CLOCK)
    session_id = await keynote_id(schedule)  # loaded and cached here
    before = await version(here)

    await ProgrammeService(there, IMPORT_CLOCK).apply(
        retitled(load_sample(SAMPLE_START, SAMPLE_ZONE), KEYNOTE, "Trust, Revisited")
    )

    assert await version(here) == before + 1
    detail = await schedule.session(session_id, "en")
    assert detail is not None and detail.title == "Trust, Revisited"
    assert [s.title for s in (await schedule.search("revisited", "en")).sessions] == [
        "Trust, Revisited"
    ]
    assert schedule.cache.loads == 2


async def test_an_organizers_edit_on_one_instance_is_seen_by_the_other(
    two_instances: tuple[SessionFactory, SessionFactory],
) -> None:
    here, there = two_instances
    schedule = ScheduleService(here, IMPORT_CLOCK)
    session_id = await keynote_id(schedule)
    detail = await schedule.session(session_id, "en")
    assert detail is not None

    await ProgrammeService(there, IMPORT_CLOCK).change_session(
        session_id, starts_at=detail.starts_at + timedelta(hours=1)
    )

    moved = await schedule.session(session_id, "en")
    assert moved is not None and moved.starts_at == detail.starts_at + timedelta(hours=1)


async def test_nothing_changed_means_no_reload(
    two_instances: tuple[SessionFactory, SessionFactory],
) -> None:
    here, _ = two_instances
    schedule = ScheduleService(here, IMPORT_CLOCK)

    await schedule.event("en")
    await schedule.day_sessions(0, "en")
    await schedule.now_and_next("en")
    await schedule.search("climate", "ms")

    assert schedule.cache.loads == 1


async def test_a_dry_run_changes_nothing_and_keeps_the_version(
    two_instances: tuple[SessionFactory, SessionFactory],
) -> None:
    here, there = two_instances
    schedule = ScheduleService(here, IMPORT_CLOCK)
    session_id = await keynote_id(schedule)
    before = await version(here)

    summary = await ProgrammeService(there, IMPORT_CLOCK).apply(
        retitled(load_sample(SAMPLE_START, SAMPLE_ZONE), KEYNOTE, "Never Written"), dry_run=True
    )

    assert summary.renamed and await version(here) == before
    detail = await schedule.session(session_id, "en")
    assert detail is not None and detail.title != "Never Written"
    assert schedule.cache.loads == 1


async def test_the_first_import_is_seen_by_an_instance_that_started_empty(
    empty_db: str,
) -> None:
    engine, other = create_engine(empty_db), create_engine(empty_db)
    try:
        schedule = ScheduleService(create_session_factory(engine), FrozenClock(IMPORT_CLOCK.now()))
        with pytest.raises(NoEventError):
            await schedule.event("en")

        await ProgrammeService(create_session_factory(other), IMPORT_CLOCK).apply(
            load_sample(SAMPLE_START, SAMPLE_ZONE)
        )

        assert (await schedule.event("en")).name == "Global Media Symposium"
    finally:
        await engine.dispose()
        await other.dispose()

"""Reminders follow bookmarks, lead times and schedule changes; digests are planned once."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.db import models as m
from bot.db.engine import create_engine, create_session_factory
from bot.domain.changes import SlotState
from bot.domain.outbox_kinds import DIGEST, REMINDER, SCHEDULE_CHANGE
from bot.domain.reminder_views import Dropped, ReminderCard
from bot.domain.reminders import JustStarted, StartsIn
from bot.sample import load_sample
from bot.services.registry import Services
from bot.services.users import TelegramIdentity
from tests.conftest import KL
from tests.databases import SAMPLE_START, SAMPLE_ZONE
from tests.services.test_registration_service import fill

AMINA, OMAR = 1001, 1002
ARABIC_MODELS = "d1-talk-arabic-digital-models"  # Sat 14 March, 11:45-12:30, Merdeka Hall
CLIMATE_PANEL = "d1-panel-climate-frontlines"  # Sat 14 March, 14:00-15:00, Main Hall
DAY2_KEYNOTE = "d2-keynote"  # Sun 15 March, 09:00
OPEN_MIC = "d2-open-mic-lightning"


def local(hour: int, minute: int = 0, day: int = 14) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=KL)


@dataclass
class World:
    services: Services
    clock: FrozenClock

    async def session_id(self, key: str) -> int:
        async with self.services.sessions() as db:
            found = await db.scalar(select(m.Session.id).where(m.Session.key == key))
        assert found is not None, key
        return found

    async def user(self, user_id: int, lang: str = "en") -> int:
        await self.services.users.touch(TelegramIdentity(user_id, "Someone", language_code=lang))
        return user_id

    async def rows(self, kind: str, state: str | None = None) -> list[m.OutboxMessage]:
        query = select(m.OutboxMessage).where(m.OutboxMessage.kind == kind)
        if state is not None:
            query = query.where(m.OutboxMessage.state == state)
        async with self.services.sessions() as db:
            return list(await db.scalars(query.order_by(m.OutboxMessage.id)))


async def _world(url: str) -> AsyncIterator[World]:
    engine = create_engine(url)
    clock = FrozenClock(local(10, 15))
    settings = Settings(database_url=url, event_timezone=SAMPLE_ZONE)
    try:
        yield World(Services.build(settings, clock, create_session_factory(engine)), clock)
    finally:
        await engine.dispose()


@pytest.fixture
async def world(sample_db: str) -> AsyncIterator[World]:
    """The sample programme, Saturday 14 March 2026 at 10:15 in Kuala Lumpur."""
    async for found in _world(sample_db):
        yield found


@pytest.fixture
async def bare(empty_db: str) -> AsyncIterator[World]:
    async for found in _world(empty_db):
        yield found


def payload(row: m.OutboxMessage) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(row.payload)
    return loaded


# --- bookmarks ---------------------------------------------------------------------------
async def test_a_bookmark_schedules_a_reminder_at_the_lead_time(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)

    await world.services.agenda.add(AMINA, session)

    [row] = await world.rows(REMINDER)
    assert (row.state, row.due_at, row.recipient_id, row.subject) == (
        "pending",
        local(11, 30),
        AMINA,
        f"session:{session}",
    )
    assert payload(row)["session_id"] == session


async def test_bookmarking_twice_schedules_one_reminder(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)

    await world.services.agenda.add(AMINA, session)
    await world.services.agenda.add(AMINA, session)

    assert len(await world.rows(REMINDER)) == 1


async def test_removing_a_bookmark_cancels_its_reminder_and_adding_it_back_restores_it(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)

    await world.services.agenda.remove(AMINA, session)
    [cancelled] = await world.rows(REMINDER)
    await world.services.agenda.add(AMINA, session)
    [restored] = await world.rows(REMINDER)

    assert (cancelled.state, restored.state, restored.id) == ("cancelled", "pending", cancelled.id)


@pytest.mark.parametrize(
    ("lead", "now"),
    [(0, local(10, 15)), (15, local(11, 31)), (15, local(12, 0))],
    ids=["reminders-off", "moment-passed", "already-started"],
)
async def test_no_reminder_is_scheduled_when_none_can_be_useful(
    world: World, lead: int, now: datetime
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.reminders.set_lead(AMINA, lead)
    world.clock.set(now)

    await world.services.agenda.add(AMINA, session)

    assert await world.rows(REMINDER) == []


async def test_bookmarking_an_unknown_session_is_refused_on_an_empty_database(
    bare: World,
) -> None:
    await bare.user(AMINA)

    with pytest.raises(LookupError):
        await bare.services.agenda.add(AMINA, 12345)
    assert await bare.rows(REMINDER) == []


# --- lead time -----------------------------------------------------------------------------
async def test_a_new_lead_time_moves_pending_reminders(world: World) -> None:
    first, second = await world.session_id(ARABIC_MODELS), await world.session_id(CLIMATE_PANEL)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, first)
    await world.services.agenda.add(AMINA, second)

    settings = await world.services.reminders.set_lead(AMINA, 30)

    assert settings.lead == 30
    assert [(r.state, r.due_at) for r in await world.rows(REMINDER)] == [
        ("pending", local(11, 15)),
        ("pending", local(13, 30)),
    ]


async def test_off_cancels_reminders_and_on_again_recreates_them_from_bookmarks(
    world: World,
) -> None:
    first, second = await world.session_id(ARABIC_MODELS), await world.session_id(CLIMATE_PANEL)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, first)
    await world.services.agenda.add(AMINA, second)

    await world.services.reminders.set_lead(AMINA, 0)
    off = [r.state for r in await world.rows(REMINDER)]
    await world.services.reminders.set_lead(AMINA, 10)
    on = [(r.state, r.due_at) for r in await world.rows(REMINDER)]

    assert off == ["cancelled", "cancelled"]
    assert on == [("pending", local(11, 35)), ("pending", local(13, 50))]


async def test_a_longer_lead_whose_moment_passed_keeps_the_pending_reminder(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)
    world.clock.set(local(11, 0))

    await world.services.reminders.set_lead(AMINA, 60)  # 10:45 has passed

    [row] = await world.rows(REMINDER)
    assert (row.state, row.due_at) == ("pending", local(11, 30))


async def test_a_lead_time_we_do_not_offer_is_refused(world: World) -> None:
    await world.user(AMINA)

    with pytest.raises(ValueError, match="lead time"):
        await world.services.reminders.set_lead(AMINA, 7)
    assert (await world.services.reminders.settings(AMINA)).lead == 15


# --- what a due reminder can say -------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(11, 30), StartsIn(15)),
        (local(11, 43), StartsIn(2)),
        (local(11, 44) + timedelta(seconds=30), StartsIn(1)),
        (local(11, 50), JustStarted(5)),
    ],
)
async def test_a_due_reminder_counts_the_minutes_when_it_is_sent(
    world: World, now: datetime, expected: object
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)
    world.clock.set(now)

    card = await world.services.reminders.card(session, AMINA, "en", None)

    assert isinstance(card, ReminderCard)
    assert card.timing == expected


async def test_a_reminder_is_dropped_with_a_reason_when_too_late_unbookmarked_or_cancelled(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)
    reminders = world.services.reminders

    world.clock.set(local(12, 15))
    too_late = await reminders.card(session, AMINA, "en", None)
    world.clock.set(local(11, 30))
    await world.services.programme.change_session(session, cancelled=True)
    cancelled = await reminders.card(session, AMINA, "en", None)
    await world.services.programme.change_session(session, cancelled=False)
    await world.services.agenda.remove(AMINA, session)
    removed = await reminders.card(session, AMINA, "en", None)

    assert too_late == Dropped("too late: the session started 30 minutes ago")
    assert cancelled == Dropped("the session was cancelled")
    assert removed == Dropped("the session is no longer in the user's agenda")


# --- schedule changes --------------------------------------------------------------------------
async def test_moving_a_session_moves_its_reminders_and_tells_each_bookmarker(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.user(OMAR, "ar")
    await world.services.reminders.set_lead(OMAR, 30)
    await world.services.agenda.add(AMINA, session)
    await world.services.agenda.add(OMAR, session)

    change = await world.services.programme.change_session(
        session, starts_at=local(14, 30), room_key="main-hall"
    )

    assert change is not None
    assert (change.retimed, change.moved_room, change.cancelled) == (True, True, False)
    assert change.after == SlotState(local(14, 30), local(15, 15), "main-hall")
    reminders = await world.rows(REMINDER)
    assert [(r.recipient_id, r.state) for r in reminders if r.state == "cancelled"] == [
        (AMINA, "cancelled"),
        (OMAR, "cancelled"),
    ]
    assert [(r.recipient_id, r.due_at) for r in reminders if r.state == "pending"] == [
        (AMINA, local(14, 15)),
        (OMAR, local(14, 0)),
    ]
    notices = await world.rows(SCHEDULE_CHANGE, "pending")
    assert [(n.recipient_id, n.due_at) for n in notices] == [
        (AMINA, local(10, 15)),
        (OMAR, local(10, 15)),
    ]
    assert (
        payload(notices[0])["before"]
        == SlotState(local(11, 45), local(12, 30), "merdeka-hall").to_json()
    )


async def test_cancelling_a_session_cancels_its_reminders_and_tells_bookmarkers(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)

    change = await world.services.programme.change_session(session, cancelled=True)

    assert change is not None and change.cancelled
    assert [r.state for r in await world.rows(REMINDER)] == ["cancelled"]
    [notice] = await world.rows(SCHEDULE_CHANGE)
    assert (notice.state, notice.recipient_id) == ("pending", AMINA)


async def test_a_change_nobody_bookmarked_queues_nothing(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)

    change = await world.services.programme.change_session(session, room_key="main-hall")

    assert change is not None and change.moved_room
    assert await world.rows(SCHEDULE_CHANGE) == []


async def test_a_session_moved_to_another_room_is_found_by_that_rooms_name(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    search = world.services.schedule.search

    before = await search("Orchid Business Models", "en")
    await world.services.programme.change_session(session, room_key="orchid-room")
    after = await search("Orchid Business Models", "en")

    assert (before.sessions, [s.id for s in after.sessions]) == ((), [session])


async def test_an_edit_that_changes_nothing_is_no_change(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)

    change = await world.services.programme.change_session(
        session, starts_at=local(11, 45), room_key="merdeka-hall"
    )

    assert change is None
    assert await world.rows(SCHEDULE_CHANGE) == []


async def test_two_changes_before_sending_become_one_notice_from_the_first_state(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)

    await world.services.programme.change_session(session, room_key="main-hall")
    await world.services.programme.change_session(session, room_key="orchid-room")

    [notice] = await world.rows(SCHEDULE_CHANGE, "pending")
    assert (payload(notice)["before"], payload(notice)["after"]) == (
        SlotState(local(11, 45), local(12, 30), "merdeka-hall").to_json(),
        SlotState(local(11, 45), local(12, 30), "orchid-room").to_json(),
    )


async def test_a_change_undone_before_anyone_heard_of_it_is_no_news(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)

    await world.services.programme.change_session(session, room_key="main-hall")
    await world.services.programme.change_session(session, room_key="merdeka-hall")

    assert await world.rows(SCHEDULE_CHANGE, "pending") == []


async def test_moving_a_session_in_the_past_tells_nobody(world: World) -> None:
    keynote = await world.session_id("d1-keynote")  # 09:00-10:00, over at 10:15
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, keynote)

    await world.services.programme.change_session(keynote, room_key="merdeka-hall")

    assert await world.rows(SCHEDULE_CHANGE) == []


# --- imports ----------------------------------------------------------------------------------
async def test_importing_the_same_programme_again_reports_and_tells_nothing(
    world: World,
) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)

    summary = await world.services.programme.apply(load_sample(SAMPLE_START, SAMPLE_ZONE))

    assert (summary.changes, summary.removed_sessions) == ((), 0)
    assert await world.rows(SCHEDULE_CHANGE) == []
    assert [r.state for r in await world.rows(REMINDER)] == ["pending"]


async def test_an_import_that_moves_a_session_reports_it_and_reschedules(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)
    sample = load_sample(SAMPLE_START, SAMPLE_ZONE)
    later = [
        dataclasses.replace(s, starts_at=local(16, 0), ends_at=local(16, 45))
        if s.key == ARABIC_MODELS
        else s
        for s in sample.sessions
    ]

    summary = await world.services.programme.apply(dataclasses.replace(sample, sessions=later))
    again = await world.services.programme.apply(dataclasses.replace(sample, sessions=later))

    [change] = summary.changes
    assert (change.key, change.retimed, change.moved_room) == (ARABIC_MODELS, True, False)
    assert again.changes == ()
    assert len(await world.rows(SCHEDULE_CHANGE)) == 1
    assert [(r.state, r.due_at) for r in await world.rows(REMINDER)] == [
        ("cancelled", local(11, 30)),
        ("pending", local(15, 45)),
    ]


async def test_a_bookmarked_session_missing_from_an_import_is_cancelled_not_deleted(
    world: World,
) -> None:
    bookmarked, unwanted = await world.session_id(ARABIC_MODELS), await world.session_id(OPEN_MIC)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, bookmarked)
    sample = load_sample(SAMPLE_START, SAMPLE_ZONE)
    gone = {ARABIC_MODELS, OPEN_MIC}

    summary = await world.services.programme.apply(
        dataclasses.replace(sample, sessions=[s for s in sample.sessions if s.key not in gone])
    )

    [change] = summary.changes
    assert (change.key, change.cancelled, change.removed) == (ARABIC_MODELS, True, True)
    assert summary.removed_sessions == 2
    shown = await world.services.schedule.session(bookmarked, "en")
    assert shown is not None and shown.cancelled
    assert await world.services.schedule.session(unwanted, "en") is None
    assert [r.state for r in await world.rows(REMINDER)] == ["cancelled"]


async def test_a_session_back_in_the_programme_gets_its_reminders_back(world: World) -> None:
    session = await world.session_id(ARABIC_MODELS)
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, session)
    sample = load_sample(SAMPLE_START, SAMPLE_ZONE)
    without = [s for s in sample.sessions if s.key != ARABIC_MODELS]
    await world.services.programme.apply(dataclasses.replace(sample, sessions=without))

    summary = await world.services.programme.apply(sample)

    [change] = summary.changes
    assert change.restored
    [reminder] = await world.rows(REMINDER)
    assert (reminder.state, reminder.due_at) == ("pending", local(11, 30))


# --- the daily digest ---------------------------------------------------------------------------
async def test_planning_the_digest_twice_plans_each_day_once(world: World) -> None:
    world.clock.set(local(6, 0))
    await world.user(AMINA)
    await world.user(OMAR)
    await world.services.agenda.add(AMINA, await world.session_id(ARABIC_MODELS))
    await world.services.agenda.add(AMINA, await world.session_id(CLIMATE_PANEL))
    await world.services.agenda.add(AMINA, await world.session_id(DAY2_KEYNOTE))
    await world.services.agenda.add(OMAR, await world.session_id(ARABIC_MODELS))
    await world.services.reminders.set_digest(OMAR, False)

    first = await world.services.digest.plan(world.clock.now())
    second = await world.services.digest.plan(world.clock.now())

    assert (first, second) == (2, 0)
    assert [(r.recipient_id, r.subject, r.due_at) for r in await world.rows(DIGEST)] == [
        (AMINA, "day:2026-03-14", local(7, 30)),
        (AMINA, "day:2026-03-15", local(7, 30, day=15)),
    ]


async def test_todays_digest_is_not_planned_when_the_morning_is_long_gone(world: World) -> None:
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, await world.session_id(CLIMATE_PANEL))
    await world.services.agenda.add(AMINA, await world.session_id(DAY2_KEYNOTE))

    await world.services.digest.plan(world.clock.now())  # 10:15

    assert [r.subject for r in await world.rows(DIGEST)] == ["day:2026-03-15"]


async def test_the_digest_lists_the_days_sessions_not_over_yet(world: World) -> None:
    world.clock.set(local(7, 30))
    await world.user(AMINA)
    for key in ("d1-keynote", ARABIC_MODELS, CLIMATE_PANEL, DAY2_KEYNOTE):
        await world.services.agenda.add(AMINA, await world.session_id(key))
    world.clock.set(local(9, 15))  # the keynote is still on until 10:00

    day = await world.services.digest.day(AMINA, SAMPLE_START, "en")
    world.clock.set(local(9, 29, day=15))
    nothing = await world.services.digest.day(AMINA, SAMPLE_START, "en")

    assert not isinstance(day, Dropped)
    assert [s.title[:20] for s in day.sessions] == [
        "Trust Is the Story: ",
        "Business Models for ",
        "Reporting the Climat",
    ]
    assert isinstance(nothing, Dropped)


async def test_switching_the_digest_off_cancels_it_and_on_plans_it_again(world: World) -> None:
    world.clock.set(local(6, 0))
    await world.user(AMINA)
    await world.services.agenda.add(AMINA, await world.session_id(ARABIC_MODELS))
    await world.services.digest.plan(world.clock.now())

    await world.services.reminders.set_digest(AMINA, False)
    off = [r.state for r in await world.rows(DIGEST)]
    await world.services.reminders.set_digest(AMINA, True)
    on = [r.state for r in await world.rows(DIGEST)]

    assert (off, on) == (["cancelled"], ["pending"])


async def test_without_a_programme_no_digest_is_planned(bare: World) -> None:
    await bare.user(AMINA)

    assert await bare.services.digest.plan(bare.clock.now() - timedelta(hours=5)) == 0


async def test_erasing_a_registration_cancels_what_was_planned_for_that_person(
    world: World,
) -> None:
    world.clock.set(local(6, 0))
    await world.user(AMINA)
    await fill(world.services.registration, AMINA)
    await world.services.registration.confirm(AMINA)
    await world.services.agenda.add(AMINA, await world.session_id(ARABIC_MODELS))
    await world.services.digest.plan(world.clock.now())

    await world.services.registration.erase(AMINA)

    assert [r.state for r in await world.rows(REMINDER) + await world.rows(DIGEST)] == [
        "cancelled",
        "cancelled",
    ]

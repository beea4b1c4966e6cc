"""Registration on SQLite and PostgreSQL: the dialogue state, idempotent confirmation, unique
codes, and erasure that keeps only anonymous figures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.domain.registration import Draft, Problem, Step, is_code
from bot.domain.registration_views import Cancelled, Progress, RegistrationView
from bot.services.conversations import CONVERSATION_TTL
from bot.services.registration import RegistrationService
from bot.services.seats import SeatService
from bot.services.users import TelegramIdentity, UserService

AMINA, BILAL = 1001, 1002


@dataclass
class World:
    service: RegistrationService
    sessions: SessionFactory
    users: UserService
    seats: SeatService
    clock: FrozenClock


def codes_from(values: list[str]) -> Callable[[], str]:
    """A code generator that hands out `values` in order: collisions on demand."""
    source: Iterator[str] = iter(values)
    return lambda: next(source)


@pytest.fixture
async def world(sample_db: str, clock: FrozenClock) -> AsyncIterator[World]:
    engine = create_engine(sample_db)
    sessions = create_session_factory(engine)
    users = UserService(sessions, clock, frozenset())
    for user_id in (AMINA, BILAL):
        await users.touch(TelegramIdentity(id=user_id, first_name="Test", language_code="en"))
    seats = SeatService(sessions, clock)
    try:
        yield World(RegistrationService(sessions, clock, seats), sessions, users, seats, clock)
    finally:
        await engine.dispose()


async def fill(service: RegistrationService, user_id: int, name: str = "Amina Rahman") -> None:
    """Answer every question and agree, leaving the dialogue at the summary."""
    await service.begin(user_id)
    for text in (name, "amina@example.org", "Bernama"):
        await service.answer(user_id, text, "en")
    await service.choose(user_id, Step.ROLE, "journalist")
    await service.choose(user_id, Step.COUNTRY, "MY")
    await service.choose(user_id, Step.LANGUAGE, "ms")
    progress = await service.agree(user_id)
    assert progress is not None and progress.step is Step.SUMMARY


async def test_begin_asks_the_name_then_resumes_the_same_dialogue(world: World) -> None:
    first = await world.service.begin(AMINA)
    await world.service.answer(AMINA, "Amina Rahman", "en")

    again = await world.service.begin(AMINA)

    assert first == Progress(Step.NAME, Draft())
    assert isinstance(again, Progress)
    assert (again.step, again.resumed, again.draft.full_name) == (Step.EMAIL, True, "Amina Rahman")


async def test_answers_advance_through_every_step_in_order(world: World) -> None:
    service = world.service
    await service.begin(AMINA)
    steps = []
    for text in ("Amina Rahman", "amina@example.org", "Bernama"):
        progress = await service.answer(AMINA, text, "en")
        assert progress is not None
        steps.append(progress.step)
    for step, value in ((Step.ROLE, "editor"), (Step.COUNTRY, "PK"), (Step.LANGUAGE, "ur")):
        progress = await service.choose(AMINA, step, value)
        assert progress is not None
        steps.append(progress.step)

    assert steps == [
        Step.EMAIL,
        Step.ORGANIZATION,
        Step.ROLE,
        Step.COUNTRY,
        Step.LANGUAGE,
        Step.CONSENT,
    ]


async def test_a_refused_answer_keeps_the_step_and_says_why(world: World) -> None:
    await world.service.begin(AMINA)

    refused = await world.service.answer(AMINA, "A", "en")
    current = await world.service.current(AMINA)

    assert refused is not None and refused.problem is Problem.NAME_LENGTH
    assert current == Progress(Step.NAME, Draft())


async def test_a_typed_country_returns_matches_without_answering(world: World) -> None:
    await fill(world.service, AMINA)
    await world.service.go_to(AMINA, Step.COUNTRY)

    progress = await world.service.answer(AMINA, "pakist", "en")

    assert progress is not None and progress.step is Step.COUNTRY
    assert progress.matches[0].code == "PK"
    assert progress.draft.country == "MY"


async def test_a_button_of_another_step_or_a_forged_value_is_refused(world: World) -> None:
    await world.service.begin(AMINA)

    assert await world.service.choose(AMINA, Step.ROLE, "journalist") is None  # asking the name
    assert await world.service.choose(AMINA, Step.COUNTRY, "ZZ") is None
    assert await world.service.choose(AMINA, Step.NAME, "Amina") is None
    assert await world.service.agree(AMINA) is None


async def test_confirm_twice_keeps_one_registration_with_the_same_code(world: World) -> None:
    await fill(world.service, AMINA)

    first = await world.service.confirm(AMINA)
    second = await world.service.confirm(AMINA)

    assert first is not None and second is not None
    assert (first.first_time, first.badge is not None) == (True, True)
    assert (second.already, second.badge) == (True, None)
    assert second.registration.code == first.registration.code
    assert is_code(first.registration.code)
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(m.Registration)) == 1


async def test_registering_again_updates_the_row_and_keeps_the_code(world: World) -> None:
    await fill(world.service, AMINA)
    first = await world.service.confirm(AMINA)
    world.clock.advance(timedelta(hours=1))

    await world.service.edit_registration(AMINA)
    await world.service.go_to(AMINA, Step.ORGANIZATION)
    await world.service.answer(AMINA, "Astro Awani", "en")
    again = await world.service.confirm(AMINA)

    assert first is not None and again is not None
    assert (again.first_time, again.changed, again.badge) == (False, True, None)
    assert again.registration.code == first.registration.code
    assert again.registration.organization == "Astro Awani"
    assert again.registration.created_at == first.registration.created_at
    assert again.registration.updated_at == world.clock.now()


async def test_codes_are_unique_even_when_the_generator_repeats(world: World) -> None:
    world.service = RegistrationService(
        world.sessions, world.clock, world.seats, codes_from(["AAAA2222", "AAAA2222", "BBBB3333"])
    )
    await fill(world.service, AMINA)
    await fill(world.service, BILAL, name="Bilal Ahmed")

    amina = await world.service.confirm(AMINA)
    bilal = await world.service.confirm(BILAL)

    assert amina is not None and bilal is not None
    assert (amina.registration.code, bilal.registration.code) == ("AAAA2222", "BBBB3333")


async def test_confirm_without_a_dialogue_or_registration_is_refused(world: World) -> None:
    assert await world.service.confirm(AMINA) is None


async def test_cancel_drops_the_dialogue_and_says_what_was_cancelled(world: World) -> None:
    await world.service.begin(AMINA)

    assert await world.service.cancel(AMINA) is Cancelled.DRAFT
    assert await world.service.cancel(AMINA) is Cancelled.NOTHING
    assert await world.service.current(AMINA) is None


async def test_an_abandoned_dialogue_is_forgotten_after_its_lifetime(world: World) -> None:
    await world.service.begin(AMINA)
    world.clock.advance(CONVERSATION_TTL + timedelta(minutes=1))

    assert await world.service.answer(AMINA, "Amina Rahman", "en") is None


async def test_erase_blanks_personal_data_and_keeps_anonymous_counts(world: World) -> None:
    await fill(world.service, AMINA)
    await world.service.confirm(AMINA)

    erasure = await world.service.erase(AMINA)

    assert erasure.erased
    assert await world.service.registration(AMINA) is None
    counts = await world.service.counts()
    assert (counts.confirmed, counts.erased) == (0, 1)
    assert (counts.by_profession, counts.by_country) == ({"journalist": 1}, {"MY": 1})
    async with world.sessions() as db:
        row = await db.get(m.Registration, AMINA)
    assert row is not None
    assert (row.full_name, row.email, row.organization, row.code, row.consent_at) == ((None,) * 5)
    assert (row.status, row.profession, row.country, row.language) == (
        "erased",
        "journalist",
        "MY",
        "ms",
    )


async def test_erase_drops_bookmarks_and_gives_seats_to_the_waitlist(world: World) -> None:
    await fill(world.service, AMINA)
    await world.service.confirm(AMINA)
    workshop = await _workshop_with_one_seat(world)
    await world.seats.reserve(AMINA, workshop)  # a seat, and the workshop in her agenda
    await world.seats.reserve(BILAL, workshop)  # waitlisted behind Amina

    erasure = await world.service.erase(AMINA)

    assert [(p.user_id, p.session_id) for p in erasure.promoted] == [(BILAL, workshop)]
    bilal = await world.seats.state(workshop, BILAL)
    assert bilal is not None and bilal.status == "confirmed"
    async with world.sessions() as db:
        for model in (m.Bookmark, m.Reservation):
            mine = select(func.count()).select_from(model).where(model.user_id == AMINA)
            assert await db.scalar(mine) == 0


async def test_registering_after_erasure_reuses_the_row_with_a_new_code(world: World) -> None:
    await fill(world.service, AMINA)
    first = await world.service.confirm(AMINA)
    await world.service.erase(AMINA)

    await fill(world.service, AMINA)
    again = await world.service.confirm(AMINA)

    assert first is not None and again is not None
    assert again.first_time and again.badge is not None
    assert again.registration.code != first.registration.code
    assert (await world.service.counts()).confirmed == 1


async def test_erase_without_a_registration_changes_nothing(world: World) -> None:
    assert not (await world.service.erase(AMINA)).erased


async def test_begin_when_registered_returns_the_registration(world: World) -> None:
    await fill(world.service, AMINA)
    await world.service.confirm(AMINA)

    found = await world.service.begin(AMINA)

    assert isinstance(found, RegistrationView) and found.full_name == "Amina Rahman"


async def _workshop_with_one_seat(world: World) -> int:
    async with world.sessions.begin() as db:
        session = await db.scalar(select(m.Session).order_by(m.Session.id).limit(1))
        assert session is not None
        session.capacity = 1
        return session.id

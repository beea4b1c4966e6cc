"""Who is talking: a sender's row read along with their update's lease serves the update's
user lookup, so an update of a known, unchanged user costs no transaction of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.services.inbox import InboxItem, InboxService
from bot.services.users import TelegramIdentity, UserService
from tests.services.test_inbox_service import message

AMINA = TelegramIdentity(500, "Amina", language_code="ar")


@pytest.fixture
async def engine(empty_db: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_db)
    try:
        yield engine
    finally:
        await engine.dispose()


def statements_of(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: seen.append(statement.split()[0]),
    )
    return seen


async def lease_reading_amina(inbox: InboxService, users: UserService, update_id: int) -> None:
    def read_along(connection: Connection, items: Sequence[InboxItem]) -> Callable[[], None]:
        return users.read_along(connection, {500 for _ in items})

    update = message(update_id, chat_id=1000 + update_id)  # a chat with nothing in hand
    intake = await inbox.take_in([update], lease_now=1, read_along=read_along)
    assert [item.update_id for item in intake.leased] == [update_id]


async def test_a_known_unchanged_sender_read_along_costs_no_statement(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = create_session_factory(engine)
    users, inbox = UserService(sessions, clock, frozenset()), InboxService(sessions, clock)
    first = await users.touch(AMINA)
    assert first.is_new and first.locale == "ar"

    await lease_reading_amina(inbox, users, 1)
    seen = statements_of(engine)
    again = await users.touch(AMINA)

    assert seen == []
    assert (again.id, again.locale, again.is_new) == (500, "ar", False)


async def test_what_changed_since_is_written_and_a_newcomer_is_created(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = create_session_factory(engine)
    users, inbox = UserService(sessions, clock, frozenset()), InboxService(sessions, clock)
    await lease_reading_amina(inbox, users, 1)  # not in the database yet
    seen = statements_of(engine)
    created = await users.touch(AMINA)
    assert created.is_new and seen == ["INSERT"]

    clock.advance(timedelta(minutes=5))
    await lease_reading_amina(inbox, users, 2)
    seen.clear()
    renamed = await users.touch(TelegramIdentity(500, "Amina Y.", language_code="ar"))
    assert renamed.display_name == "Amina Y." and seen == ["UPDATE"]
    profile = await users.profile(500)
    assert profile is not None and profile.display_name == "Amina Y."


async def test_a_row_read_along_long_ago_is_not_trusted(
    engine: AsyncEngine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = create_session_factory(engine)
    users, inbox = UserService(sessions, clock, frozenset()), InboxService(sessions, clock)
    await users.touch(AMINA)
    await lease_reading_amina(inbox, users, 1)
    await users.set_locale(500, "ms")  # meanwhile, elsewhere
    monkeypatch.setattr("bot.services.users.READ_ALONG_MAX_AGE", 0.0)

    assert (await users.touch(AMINA)).locale == "ms"

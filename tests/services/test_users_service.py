"""Users: created on first contact with a negotiated language; language and role remembered.
A sender's row read along with their update's lease serves the update's user lookup, so an
update of a known, unchanged user costs no transaction of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.domain.views import UserProfile
from bot.services import conversations
from bot.services.inbox import InboxItem, InboxService
from bot.services.users import TelegramIdentity, UserService
from tests.services.test_inbox_service import message

ADMIN_ID = 4242
AMINA = TelegramIdentity(500, "Amina", language_code="ar")


@pytest.fixture
async def users(empty_db: str, clock: FrozenClock) -> AsyncIterator[UserService]:
    engine = create_engine(empty_db)
    try:
        yield UserService(create_session_factory(engine), clock, frozenset({ADMIN_ID}))
    finally:
        await engine.dispose()


def amina(language_code: str | None = "ms-MY", **changes: str) -> TelegramIdentity:
    fields = {"first_name": "Amina", "last_name": "Rahman", "username": "amina_r", **changes}
    return TelegramIdentity(id=1001, language_code=language_code, **fields)


async def test_touch_first_contact_creates_user_with_negotiated_locale(
    users: UserService,
) -> None:
    profile = await users.touch(amina("ms-MY"))

    assert profile == UserProfile(
        id=1001,
        display_name="Amina Rahman",
        locale="ms",
        role="attendee",
        blocked=False,
        is_new=True,
        locale_certain=True,
    )


async def test_touch_first_contact_with_close_language_is_uncertain(users: UserService) -> None:
    profile = await users.touch(amina("id"))

    assert (profile.locale, profile.locale_certain) == ("ms", False)


async def test_touch_second_contact_is_not_new(users: UserService) -> None:
    await users.touch(amina())

    again = await users.touch(amina())

    assert (again.is_new, again.locale) == (False, "ms")
    assert await users.count() == 1


async def test_touch_keeps_a_chosen_locale_when_the_hint_changes(users: UserService) -> None:
    await users.touch(amina("ms"))
    await users.set_locale(1001, "ms")

    again = await users.touch(amina("ar"))

    assert again.locale == "ms"


async def test_a_locale_that_was_only_guessed_follows_the_hint(users: UserService) -> None:
    await users.touch(amina("ms"))

    again = await users.touch(amina("ar"))
    without_hint = await users.touch(amina(None))

    assert again.locale == "ar"
    assert without_hint.locale == "ar"  # no hint is no reason to change


async def test_touch_updates_display_name(users: UserService) -> None:
    await users.touch(amina())

    again = await users.touch(amina(last_name="Rahman-Ali"))

    assert again.display_name == "Amina Rahman-Ali"


async def test_touch_admin_id_gets_admin_role(users: UserService) -> None:
    profile = await users.touch(TelegramIdentity(id=ADMIN_ID, first_name="Organizer"))

    assert profile.role == "admin"


async def test_set_locale_persists_and_is_certain(users: UserService) -> None:
    await users.touch(amina("zz"))

    await users.set_locale(1001, "ur")

    again = await users.touch(amina("zz"))
    assert (again.locale, again.locale_certain) == ("ur", True)
    stored = await users.profile(1001)
    assert stored is not None and stored.locale == "ur"


async def test_set_locale_unsupported_raises(users: UserService) -> None:
    await users.touch(amina())

    with pytest.raises(ValueError, match="fr"):
        await users.set_locale(1001, "fr")


async def test_display_name_control_characters_are_removed(users: UserService) -> None:
    profile = await users.touch(amina(first_name="Am\x00ina\x1b", last_name="Rah\x7fman"))

    assert profile.display_name == "Amina Rahman"


def test_display_name_whitespace_collapsed_and_long_names_shortened() -> None:
    long = TelegramIdentity(id=1, first_name="Amina\t\tRahman " + "x" * 300)

    assert long.display_name.startswith("Amina Rahman")
    assert len(long.display_name) <= 200


async def test_profile_of_unknown_user_is_none(users: UserService) -> None:
    assert await users.profile(999) is None


async def test_touch_tells_which_dialogue_is_under_way(empty_db: str, clock: FrozenClock) -> None:
    """Free text skips asking every flow when no dialogue awaits it (handlers/search.py)."""
    engine = create_engine(empty_db)
    try:
        sessions = create_session_factory(engine)
        users = UserService(sessions, clock, frozenset())
        assert (await users.touch(amina())).dialogue is None
        async with sessions.begin() as db:
            await conversations.save(db, 1001, "registration", "name", {}, clock.now())

        assert (await users.touch(amina())).dialogue == "registration"
    finally:
        await engine.dispose()


# --- who is talking: the sender's row read along with the lease ------------------------------
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

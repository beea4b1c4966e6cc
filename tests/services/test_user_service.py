"""Users: created on first contact with a negotiated language; language and role remembered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.domain.views import UserProfile
from bot.services import conversations
from bot.services.users import TelegramIdentity, UserService

ADMIN_ID = 4242


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

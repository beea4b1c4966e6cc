"""Each person's command menu and /help list what they can do: attendees the attendee
commands only, speakers theirs too, organizers and admins theirs, refreshed as roles change."""

from __future__ import annotations

from bot.app import publish_commands
from bot.sandbox.models import FakeUser
from tests.conftest import ADMIN
from tests.features.test_reminders import expected
from tests.features.test_speakers import link
from tests.harness import BotHarness, text_of

ORGANIZER_COMMANDS = {"checkin", "broadcast", "broadcasts", "stats", "invite", "revoke"}
ADMIN_COMMANDS = {"promote", "demote", "audit"}
SPEAKER_COMMANDS = {"mysessions", "questions"}
LOCALES = ("ar", "en", "ms", "ur")


def menu(harness: BotHarness, user: FakeUser | None = None, language: str = "en") -> set[str]:
    """The commands Telegram shows `user` (None: anyone without a list of their own)."""
    if user is not None:
        scoped = harness.fake.commands(language, scope=f"chat:{user.id}")
        if scoped:
            return {c["command"] for c in scoped}
    return {c["command"] for c in harness.fake.commands(language)}


async def help_commands(harness: BotHarness, user: FakeUser) -> set[str]:
    [reply] = await harness.send(user, "/help")
    return {word[1:].rstrip(":") for word in text_of(reply).split() if word.startswith("/")}


async def test_attendees_see_only_attendee_commands(desk: BotHarness) -> None:
    amina = desk.user(2001, "Amina", lang="ms")
    await desk.send(amina, "/start")

    for language in ("", *LOCALES):
        shown = menu(desk, amina, language)
        assert "programme" in shown and "help" in shown
        assert not shown & (SPEAKER_COMMANDS | ORGANIZER_COMMANDS | ADMIN_COMMANDS), language
    listed = await help_commands(desk, amina)
    assert "programme" in listed
    assert not listed & (SPEAKER_COMMANDS | ORGANIZER_COMMANDS | ADMIN_COMMANDS)


async def test_an_admin_from_bot_admins_gets_the_admin_menu_on_first_contact(
    desk: BotHarness,
) -> None:
    admin = desk.user(ADMIN, "Admin", lang="ar")

    await desk.send(admin, "/start")

    for language in LOCALES:
        assert menu(desk, admin, language) >= ORGANIZER_COMMANDS | ADMIN_COMMANDS
    arabic = desk.fake.commands("ar", scope=f"chat:{ADMIN}")
    stats = next(c for c in arabic if c["command"] == "stats")
    assert stats["description"] != "Symposium figures"  # said in Arabic
    assert await help_commands(desk, admin) >= ORGANIZER_COMMANDS | ADMIN_COMMANDS


async def test_promotion_and_demotion_refresh_the_organizers_menu_and_help(
    desk: BotHarness,
) -> None:
    admin, omar = desk.user(ADMIN, "Admin"), desk.user(2002, "Omar", lang="ur")
    await desk.send(admin, "/start")
    await desk.send(omar, "/start")

    await desk.send(admin, "/promote 2002")
    promoted_menu = menu(desk, omar, "ur")
    promoted_help = await help_commands(desk, omar)
    await desk.send(admin, "/demote 2002")
    demoted_menu = menu(desk, omar, "ur")
    demoted_help = await help_commands(desk, omar)

    assert promoted_menu >= ORGANIZER_COMMANDS and not promoted_menu & ADMIN_COMMANDS
    assert promoted_help >= ORGANIZER_COMMANDS and not promoted_help & ADMIN_COMMANDS
    assert desk.fake.commands("ur", scope="chat:2002") == []  # back to the attendees' list
    assert not demoted_menu & ORGANIZER_COMMANDS
    assert not demoted_help & ORGANIZER_COMMANDS


async def test_a_linked_speaker_gets_the_speaker_commands(desk: BotHarness) -> None:
    admin, mariam = desk.user(ADMIN, "Admin"), desk.user(3001, "Mariam", lang="ms")
    await desk.send(admin, "/start")

    await link(desk, mariam, admin, "mariam-obeid")

    assert menu(desk, mariam, "ms") >= SPEAKER_COMMANDS
    assert not menu(desk, mariam, "ms") & ORGANIZER_COMMANDS
    description = next(
        c["description"]
        for c in desk.fake.commands("ms", scope=f"chat:{mariam.id}")
        if c["command"] == "mysessions"
    )
    assert description == await expected(desk, "ms", "Speakers: my sessions")
    assert await help_commands(desk, mariam) >= SPEAKER_COMMANDS


async def test_the_menus_of_everyone_with_a_role_are_published_again_at_start(
    desk: BotHarness,
) -> None:
    admin, omar = desk.user(ADMIN, "Admin"), desk.user(2002, "Omar")
    await desk.send(admin, "/start")
    await desk.send(omar, "/start")
    await desk.send(admin, "/promote 2002")
    desk.fake.state.commands.clear()  # as on a bot whose menus were never published

    await publish_commands(desk.runtime)

    assert menu(desk, admin) >= ORGANIZER_COMMANDS | ADMIN_COMMANDS
    assert menu(desk, omar) >= ORGANIZER_COMMANDS and not menu(desk, omar) & ADMIN_COMMANDS
    assert not menu(desk) & (SPEAKER_COMMANDS | ORGANIZER_COMMANDS)
    # the list without a language is the person's own language in the bot
    assert desk.fake.commands("", scope=f"chat:{ADMIN}")

"""First contact and language: greeting in the user's language, the menu, /language."""

from __future__ import annotations

import pytest

from bot.i18n import plain_text
from bot.presentation.menu import MENU_ACTIONS
from tests.harness import BotHarness, text_of


async def expected(bot: BotHarness, locale: str, message: str, **values: str) -> str:
    """The catalog's text as the user reads it: no tags, no bidi marks, entities decoded."""
    l10n = await bot.runtime.services.localizer(locale)
    return plain_text(l10n._(message, **values))


@pytest.mark.parametrize("locale", ["ar", "en", "ms", "ur"])
async def test_start_greets_in_the_telegram_language_with_the_main_menu(
    bot: BotHarness, locale: str
) -> None:
    user = bot.user(lang=locale)

    [welcome] = await bot.send(user, "/start")

    greeting = await expected(bot, locale, "👋 Welcome, {name}!", name="Amina")
    assert text_of(welcome).splitlines()[0] == greeting
    if locale != "en":
        assert greeting != "👋 Welcome, Amina!"  # really translated
    menu = await expected(bot, locale, "📅 Programme")
    assert menu in welcome.keyboard_texts()
    assert len(welcome.keyboard_texts()) == len(MENU_ACTIONS)


async def test_arabic_greeting_is_arabic_and_right_to_left(bot: BotHarness) -> None:
    user = bot.user(lang="ar")

    [welcome] = await bot.send(user, "/start")

    assert "أهلًا" in text_of(welcome) or "مرحب" in text_of(welcome)
    assert (welcome.text or "").startswith("\u200f")


@pytest.mark.parametrize(
    ("language_code", "locale"), [("id", "ms"), ("ps", "ur"), ("fa", "en"), (None, "en")]
)
async def test_a_guessed_language_comes_with_the_language_picker(
    bot: BotHarness, language_code: str | None, locale: str
) -> None:
    user = bot.user(lang=language_code)

    welcome, picker = await bot.send(user, "/start")

    assert text_of(welcome).splitlines()[0] == await expected(
        bot, locale, "👋 Welcome, {name}!", name="Amina"
    )
    assert picker.button_texts() == ["العربية", "English", "Melayu", "اردو"]


async def test_an_exact_language_gets_no_picker(bot: BotHarness) -> None:
    user = bot.user(lang="en-GB")

    replies = await bot.send(user, "/start")

    assert len(replies) == 1


async def test_choosing_a_language_persists_over_the_telegram_hint(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    [picker] = await bot.send(user, "/language")

    replies = await bot.press(user, picker, "اردو")
    [welcome] = await bot.send(user, "/start")

    confirmation = await expected(
        bot, "ur", "Done! I will speak {language} with you from now on.", language="اردو"
    )
    assert confirmation in [text_of(r) for r in replies]
    assert text_of(welcome).splitlines()[0] == await expected(
        bot, "ur", "👋 Welcome, {name}!", name="Amina"
    )


async def test_menu_buttons_work_in_every_language(bot: BotHarness) -> None:
    user = bot.user(lang="ms")
    [welcome] = await bot.send(user, "/start")
    programme_label = welcome.keyboard_texts()[0]
    [picker] = await bot.send(user, "/language")
    await bot.press(user, picker, "English")

    [days] = await bot.send(user, programme_label)  # an old Malay keyboard still works

    assert "choose a day" in text_of(days)


async def test_help_lists_the_commands_in_the_users_language(bot: BotHarness) -> None:
    user = bot.user(lang="ms")

    [help_message] = await bot.send(user, "/help")

    assert "/programme" in text_of(help_message)
    assert text_of(help_message).splitlines()[0] == await expected(
        bot, "ms", "<b>How I can help</b>"
    )


async def test_localized_command_menus_are_published_at_start(bot: BotHarness) -> None:
    for locale in ("ar", "en", "ms", "ur"):
        commands = bot.fake.commands(language_code=locale)
        assert [c["command"] for c in commands][:4] == ["start", "programme", "now", "next"]
        description = await expected(bot, locale, "The programme, day by day")
        assert commands[1]["description"] == description
    assert bot.fake.commands()  # and a default for every other language

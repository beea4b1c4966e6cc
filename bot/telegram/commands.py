"""The command menus Telegram shows: an attendee's for everyone (the default scope), and a
list of their own (BotCommandScopeChat) for each organizer, admin and linked speaker.

Telegram picks a chat's list in the client's language, else the chat's list without a
language, else the default's; so each privileged chat gets one list per supported language
and one without a language in the person's own. A failure here (a chat Telegram does not
know yet, say someone promoted before they wrote) is logged and never stops anything: their
/start publishes it again.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.domain.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.domain.roles import Standing
from bot.presentation.menu import Guide, command_descriptions
from bot.services.registry import Services

log = logging.getLogger(__name__)


async def _commands(
    services: Services, guide: Guide, locale: str, standing: Standing | None
) -> list[BotCommand]:
    l10n = await services.localizer(locale)
    described = command_descriptions(l10n, guide, standing)
    return [BotCommand(name, text[:256]) for name, text in described]


async def publish_default(bot: Bot, services: Services, guide: Guide) -> None:
    """Everyone's menu: the attendee commands, in each language and a default."""
    for locale in SUPPORTED_LOCALES:
        commands = await _commands(services, guide, locale, None)
        try:
            await bot.set_my_commands(commands, language_code=locale)
            if locale == DEFAULT_LOCALE:
                await bot.set_my_commands(commands)
        except TelegramError as error:
            log.warning("setMyCommands for %s failed: %s", locale, error)


async def publish_for(bot: Bot, services: Services, guide: Guide, standing: Standing) -> None:
    """One person's menu: their role's list, or none of their own (the default applies)."""
    scope = BotCommandScopeChat(standing.user_id)
    try:
        if not standing.privileged:
            for code in ("", *SUPPORTED_LOCALES):
                await bot.delete_my_commands(scope=scope, language_code=code or None)
            return
        for locale in SUPPORTED_LOCALES:
            commands = await _commands(services, guide, locale, standing)
            await bot.set_my_commands(commands, scope=scope, language_code=locale)
        own = await _commands(services, guide, standing.locale, standing)
        await bot.set_my_commands(own, scope=scope)
    except TelegramError as error:
        log.warning("command menu of chat %s not published: %s", standing.user_id, error)


async def refresh(bot: Bot, services: Services, guide: Guide, user_id: int) -> None:
    """After a role changed (promoted, demoted, linked as a speaker, an admin's first visit)."""
    await publish_for(bot, services, guide, await services.roles.standing(user_id))


async def publish_all(bot: Bot, services: Services, guide: Guide) -> None:
    """At start: everyone's menu, then each organizer's, admin's and speaker's own (`guide`:
    the commands the features declared, `handlers.FEATURES`)."""
    await publish_default(bot, services, guide)
    for standing in await services.roles.privileged():
        await publish_for(bot, services, guide, standing)

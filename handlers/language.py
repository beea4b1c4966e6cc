"""Choosing and remembering the user's language."""

from __future__ import annotations

from telegram import Update

from bot.domain.locales import is_supported
from bot.presentation import callbacks as verbs
from bot.presentation import menu
from bot.presentation.callbacks import decode
from bot.presentation.menu import HelpLine
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, MenuAction, press
from bot.telegram.replies import send, show


async def choose(update: Update, context: BotContext) -> None:
    await send(update, context, menu.language_picker(context.l10n))


async def chosen(update: Update, context: BotContext) -> None:
    data = decode(update.callback_query.data if update.callback_query else None)
    profile = context.profile
    if data is None or profile is None or not is_supported(data.args[0]):
        await show(update, context, menu.language_picker(context.l10n))
        return
    await context.services.users.set_locale(profile.id, data.args[0])
    context.use_localizer(await context.services.localizer(data.args[0]))
    await show(update, context, menu.language_set(context.l10n))


FEATURE = Feature(
    "language",
    commands=(Command("language", choose, lambda l10n: l10n._("Choose your language"), last=True),),
    presses=(press(chosen, verbs.LANGUAGE),),
    menu=(MenuAction("language", choose),),
    help=(HelpLine(lambda l10n: l10n._("/language: choose your language")),),
)

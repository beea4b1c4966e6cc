"""Speakers: the list and each speaker's card."""

from __future__ import annotations

from telegram import Update

from bot.presentation import callbacks as verbs
from bot.presentation import people as screens
from bot.presentation.callbacks import decode
from bot.presentation.menu import HelpLine
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, MenuAction, press
from bot.telegram.replies import show
from handlers.fallback import stale_button


async def speakers(update: Update, context: BotContext) -> None:
    data = decode(update.callback_query.data if update.callback_query else None)
    page = data.int_arg(0) if data and data.args and data.args[0].isdigit() else 0
    found = await context.services.schedule.speakers(context.l10n.locale)
    await show(update, context, screens.speaker_list(context.l10n, found, page))


async def speaker(update: Update, context: BotContext) -> None:
    data = decode(update.callback_query.data if update.callback_query else None)
    found = None
    if data is not None and data.args[0].isdigit():
        found = await context.services.schedule.speaker(data.int_arg(0), context.l10n.locale)
    if found is None:
        await stale_button(update, context)
        return
    await show(update, context, screens.speaker_card(context.l10n, found))


FEATURE = Feature(
    "people",
    commands=(Command("speakers", speakers, lambda l10n: l10n._("Speakers")),),
    presses=(press(speakers, verbs.SPEAKERS), press(speaker, verbs.SPEAKER)),
    menu=(MenuAction("speakers", speakers),),
    help=(HelpLine(lambda l10n: l10n._("/speakers: speakers and their sessions")),),
)

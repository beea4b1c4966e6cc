"""Everything nothing else understood gets a translated answer, never silence."""

from __future__ import annotations

from telegram import Update

from bot.presentation import callbacks as verbs
from bot.presentation import menu
from bot.telegram.context import BotContext
from bot.telegram.features import Feature, press
from bot.telegram.replies import send


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message else "/"
    await send(
        update, context, menu.unknown_command(context.l10n, context.features.guide, command[:40])
    )


async def not_text(update: Update, context: BotContext) -> None:
    await send(update, context, menu.not_text(context.l10n))


async def stale_button(update: Update, context: BotContext) -> None:
    """Old or forged callback data: say so in a toast, change nothing."""
    query = update.callback_query
    if query is not None:
        await query.answer(menu.stale_button(context.l10n), show_alert=True)


async def noop(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


# The page counter between Previous and Next: a button that does nothing.
FEATURE = Feature("fallback", presses=(press(noop, verbs.NOOP),))

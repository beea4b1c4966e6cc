"""/settings: reminder lead time, the morning summary, and a way to the language picker."""

from __future__ import annotations

from telegram import Update

from bot.domain.reminders import LEAD_CHOICES
from bot.presentation import callbacks as verbs
from bot.presentation import reminders as screens
from bot.presentation.callbacks import decode
from bot.presentation.menu import HelpLine
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, press
from bot.telegram.replies import show
from handlers.fallback import stale_button


async def settings(update: Update, context: BotContext) -> None:
    """The command, and the ⚙️ buttons (`stg`): show the current settings."""
    current = await context.services.reminders.settings(_user_id(context))
    await show(update, context, screens.settings(context.l10n, current))


async def lead_pressed(update: Update, context: BotContext) -> None:
    """`lead:<minutes>`: reminders that many minutes before (0 = off)."""
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not data.args[0].isdigit() or data.int_arg(0) not in LEAD_CHOICES:
        await stale_button(update, context)
        return
    minutes = data.int_arg(0)
    current = await context.services.reminders.set_lead(_user_id(context), minutes)
    notice = screens.lead_changed(context.l10n, minutes)
    await show(update, context, screens.settings(context.l10n, current).with_notice(notice))


async def digest_pressed(update: Update, context: BotContext) -> None:
    """`dig:1` / `dig:0`: the morning summary on or off (a value, so a double tap is harmless)."""
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or data.args[0] not in ("0", "1"):
        await stale_button(update, context)
        return
    on = data.args[0] == "1"
    current = await context.services.reminders.set_digest(_user_id(context), on)
    notice = screens.digest_changed(context.l10n, on)
    await show(update, context, screens.settings(context.l10n, current).with_notice(notice))


def _user_id(context: BotContext) -> int:
    if context.profile is None:
        raise RuntimeError("settings need a user")
    return context.profile.id


FEATURE = Feature(
    "settings",
    commands=(
        Command(
            "settings", settings, lambda l10n: l10n._("Reminders, morning summary and language")
        ),
    ),
    presses=(
        press(settings, verbs.SETTINGS),
        press(lead_pressed, verbs.LEAD),
        press(digest_pressed, verbs.DIGEST),
    ),
    help=(HelpLine(lambda l10n: l10n._("/settings: reminders, morning summary and language")),),
)

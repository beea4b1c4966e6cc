"""Rooms: the list, and what is on in one room on one day."""

from __future__ import annotations

from telegram import Update

from bot.presentation import callbacks as verbs
from bot.presentation import rooms as screens
from bot.presentation.callbacks import decode
from bot.presentation.menu import HelpLine
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, MenuAction, press
from bot.telegram.replies import show
from handlers.fallback import stale_button


async def rooms(update: Update, context: BotContext) -> None:
    schedule = context.services.schedule
    found = await schedule.rooms(context.l10n.locale)
    await show(
        update, context, screens.room_list(context.l10n, found, await schedule.today_index())
    )


async def room(update: Update, context: BotContext) -> None:
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not all(a.isdigit() for a in data.args):
        await stale_button(update, context)
        return
    schedule = context.services.schedule
    view = await schedule.room_day(data.int_arg(0), data.int_arg(1), context.l10n.locale)
    if view is None:
        await stale_button(update, context)
        return
    event = await schedule.event(context.l10n.locale)
    await show(update, context, screens.room_day(context.l10n, view, event.days))


FEATURE = Feature(
    "rooms",
    commands=(Command("rooms", rooms, lambda l10n: l10n._("Rooms")),),
    presses=(press(rooms, verbs.ROOMS), press(room, verbs.ROOM)),
    menu=(MenuAction("rooms", rooms),),
    help=(HelpLine(lambda l10n: l10n._("/rooms: what is on in each room")),),
)

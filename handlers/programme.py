"""The programme: days, a day's sessions, a session card, now and next."""

from __future__ import annotations

from telegram import Update

from bot.presentation import callbacks as verbs
from bot.presentation import programme as screens
from bot.presentation.callbacks import Callback, decode
from bot.presentation.menu import HelpLine
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, MenuAction, press
from bot.telegram.replies import show
from handlers import agenda
from handlers.fallback import stale_button


async def days(update: Update, context: BotContext) -> None:
    event = await context.services.schedule.event(context.l10n.locale)
    await show(update, context, screens.day_picker(context.l10n, event.days, event.name))


async def day(update: Update, context: BotContext) -> None:
    data = _callback(update)
    if data is None:
        await stale_button(update, context)
        return
    index, page = data.int_arg(0), data.int_arg(1)
    date, sessions = await context.services.schedule.day_sessions(index, context.l10n.locale)
    await show(update, context, screens.day_page(context.l10n, index, date, sessions, page))


async def session(update: Update, context: BotContext) -> None:
    data = _callback(update)
    found = None
    if data is not None:
        found = await context.services.schedule.session(data.int_arg(0), context.l10n.locale)
    if data is None or found is None:
        await stale_button(update, context)
        return
    mine = await agenda.my_session(context, found)
    await show(update, context, screens.session_card(context.l10n, found, data.args[1], mine))


async def now(update: Update, context: BotContext) -> None:
    view = await context.services.schedule.now_and_next(context.l10n.locale)
    await show(update, context, screens.now_and_next(context.l10n, view))


async def next_sessions(update: Update, context: BotContext) -> None:
    view = await context.services.schedule.now_and_next(context.l10n.locale)
    await show(update, context, screens.now_and_next(context.l10n, view, only_next=True))


def _callback(update: Update) -> Callback | None:
    """Decoded button data whose numeric arguments really are numbers."""
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not data.args[0].isdigit():
        return None
    if data.verb == verbs.DAY and not data.args[1].isdigit():
        return None
    return data


FEATURE = Feature(
    "programme",
    commands=(
        Command("programme", days, lambda l10n: l10n._("The programme, day by day")),
        Command("program", days),
        Command("now", now, lambda l10n: l10n._("What is on now")),
        Command("next", next_sessions, lambda l10n: l10n._("The next sessions")),
    ),
    presses=(
        press(days, verbs.DAYS),
        press(day, verbs.DAY),
        press(session, verbs.SESSION),
        press(now, verbs.NOW),
    ),
    menu=(MenuAction("programme", days), MenuAction("now", now)),
    help=(
        HelpLine(lambda l10n: l10n._("/programme: the programme, day by day")),
        HelpLine(lambda l10n: l10n._("/now: what is on now and what comes next")),
        HelpLine(lambda l10n: l10n._("/next: the next sessions")),
    ),
)

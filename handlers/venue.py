"""/venue: where the symposium takes place, with a map link."""

from __future__ import annotations

from telegram import Update

from bot.domain.locales import DEFAULT_LOCALE
from bot.presentation import menu
from bot.presentation import venue as screens
from bot.presentation.menu import HelpLine
from bot.services.schedule import NoEventError
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature
from bot.telegram.replies import send


async def venue(update: Update, context: BotContext) -> None:
    """The venue in the reader's language; the map searched by the event's own words."""
    l10n, schedule = context.l10n, context.services.schedule
    try:
        event = await schedule.event(l10n.locale)
        original = await schedule.event(DEFAULT_LOCALE)
    except NoEventError:
        await send(update, context, menu.no_programme(l10n))
        return
    await send(update, context, screens.venue_card(l10n, event, original.venue))


FEATURE = Feature(
    "venue",
    commands=(Command("venue", venue, lambda l10n: l10n._("Venue and map")),),
    help=(HelpLine(lambda l10n: l10n._("/venue: where the symposium takes place, with a map")),),
)

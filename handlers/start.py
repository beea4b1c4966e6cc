"""Greeting and help."""

from __future__ import annotations

from telegram import Update

from bot.domain.speakers import parse_payload
from bot.presentation import menu
from bot.services.schedule import NoEventError
from bot.telegram.context import BotContext
from bot.telegram.replies import send, show
from handlers import speakers


async def start(update: Update, context: BotContext) -> None:
    """/start: greet in the user's language; offer the picker when we only guessed it."""
    profile = context.profile
    assert profile is not None
    token = parse_payload(context.args[0]) if context.args else None
    if token is not None:  # a speaker's invite link (a forged one gets its own answer)
        await speakers.redeem(update, context, token)
        return
    try:
        event = await context.services.schedule.event(profile.locale)
    except NoEventError:
        event = None
    reply = menu.welcome(
        context.l10n, profile.display_name, event, offer_languages=not profile.locale_certain
    )
    await send(update, context, reply)


async def help_command(update: Update, context: BotContext) -> None:
    await show(update, context, menu.help_text(context.l10n))

"""Greeting and help, and links that open one thing (`/start session-12`)."""

from __future__ import annotations

from telegram import Update

from bot.domain import deep_links
from bot.domain.deep_links import DeepLink, Target
from bot.domain.roles import ATTENDEE
from bot.domain.speakers import parse_payload
from bot.presentation import Reply, menu
from bot.presentation import callbacks as verbs
from bot.presentation import inline as links
from bot.presentation import people as people_screens
from bot.presentation import programme as programme_screens
from bot.presentation import rooms as room_screens
from bot.presentation.callbacks import ORIGIN_SEARCH
from bot.services.schedule import NoEventError
from bot.telegram import commands
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, MenuAction, press
from bot.telegram.replies import send, show
from handlers import agenda, organizers, speakers


async def start(update: Update, context: BotContext) -> None:
    """/start: greet in the user's language; offer the picker when we only guessed it."""
    profile = context.profile
    assert profile is not None
    token = parse_payload(context.args[0]) if context.args else None
    if token is not None:  # a speaker's invite link (a forged one gets its own answer)
        await speakers.redeem(update, context, token)
        return
    badge = deep_links.parse_badge(context.args[0]) if context.args else None
    if badge is not None:  # a badge's QR code, scanned with a phone
        await organizers.badge_scanned(update, context, badge)
        return
    link = deep_links.parse(context.args[0]) if context.args else None
    if link is not None:  # a session, speaker or room link (a Share, a door sign)
        await send(update, context, await _linked(context, link))
        return
    try:
        event = await context.services.schedule.event(profile.locale)
    except NoEventError:
        event = None
    reply = menu.welcome(
        context.l10n, profile.display_name, event, offer_languages=not profile.locale_certain
    )
    await send(update, context, reply)
    if profile.role != ATTENDEE:  # an admin's first visit, someone promoted before writing
        await commands.refresh(context.bot, context.services, context.features.guide, profile.id)


async def help_command(update: Update, context: BotContext) -> None:
    """What this person can do: everyone's commands, and a speaker's, organizer's, admin's."""
    profile = context.profile
    standing = await context.services.roles.standing(profile.id) if profile else None
    await show(update, context, menu.help_text(context.l10n, context.features.guide, standing))


async def _linked(context: BotContext, link: DeepLink) -> Reply:
    """What a link opens; one to something not (or no longer) in the programme says so."""
    l10n, schedule = context.l10n, context.services.schedule
    try:
        if link.target is Target.SESSION:
            session = await schedule.session(link.id, l10n.locale)
            if session is not None:
                mine = await agenda.my_session(context, session)
                return programme_screens.session_card(l10n, session, ORIGIN_SEARCH, mine)
        elif link.target is Target.SPEAKER:
            speaker = await schedule.speaker(link.id, l10n.locale)
            if speaker is not None:
                return people_screens.speaker_card(l10n, speaker)
        else:
            room = await schedule.room_now_next(link.id, l10n.locale)
            if room is not None:
                return room_screens.room_now_next(l10n, room)
    except NoEventError:
        return menu.no_programme(l10n)
    return links.link_not_found(l10n)


WELCOME = Feature(
    "welcome", commands=(Command("start", start, lambda l10n: l10n._("Welcome and main menu")),)
)
# Help is listed last in the command menu, after the language.
HELP = Feature(
    "help",
    commands=(Command("help", help_command, lambda l10n: l10n._("Help"), last=True),),
    presses=(press(help_command, verbs.HELP),),
    menu=(MenuAction("help", help_command),),
)

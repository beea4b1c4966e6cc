"""Speakers: organizers' invites, linking by deep link, /mysessions, the check-in buttons."""

from __future__ import annotations

import logging

from telegram import Update

from bot.domain.speakers import RedeemFailure, deep_link
from bot.presentation import callbacks as verbs
from bot.presentation import speakers as screens
from bot.presentation.callbacks import decode
from bot.presentation.menu import Audience, HelpLine
from bot.presentation.organizers import not_allowed
from bot.services.audit import NotAllowed
from bot.telegram import commands
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, press
from bot.telegram.replies import send, show
from handlers.fallback import stale_button

log = logging.getLogger(__name__)


async def invite(update: Update, context: BotContext) -> None:
    """/invite, /invite NAME (a search), or a page of the picker: the speakers to choose from."""
    profile = context.profile
    if profile is None:
        return
    page, query = _page_and_query(update, context)
    try:
        found = await context.services.speakers.speakers_for(profile, context.l10n.locale, query)
    except NotAllowed:
        log.warning("user %s (role %s) tried /invite", profile.id, profile.role)
        await show(update, context, not_allowed(context.l10n))
        return
    if not found:
        l10n = context.l10n
        await show(
            update, context, screens.no_match(l10n, query) if query else screens.no_speakers(l10n)
        )
        return
    await show(update, context, screens.invite_picker(context.l10n, found, page, query))


async def invite_pressed(update: Update, context: BotContext) -> None:
    """A speaker chosen in the picker: a fresh one-time link, naming them in the reader's
    language."""
    profile = context.profile
    data = decode(update.callback_query.data if update.callback_query else None)
    if profile is None or data is None or not data.args[0].isdigit():
        await stale_button(update, context)
        return
    try:
        made = await context.services.speakers.invite(profile, data.int_arg(0), context.l10n.locale)
    except NotAllowed:
        await show(update, context, not_allowed(context.l10n))
        return
    except LookupError:
        await stale_button(update, context)
        return
    link = deep_link(context.bot.username, made.token)
    await show(update, context, screens.invite_link(context.l10n, made, link))


async def revoke(update: Update, context: BotContext) -> None:
    """/revoke (the speakers with open invites to pick from), /revoke SPEAKER_KEY, /revoke
    NAME (a search among them), or a page of the picker."""
    profile = context.profile
    if profile is None:
        return
    page, query = _page_and_query(update, context)
    speakers = context.services.speakers
    try:
        if query and len(context.args or []) == 1:
            try:  # a speaker key, as the command line and earlier versions take it
                count = await speakers.revoke(profile, query)
            except LookupError:
                pass
            else:
                await send(update, context, screens.revoked(context.l10n, count))
                return
        found = await speakers.revocable(profile, context.l10n.locale, query)
    except NotAllowed:
        log.warning("user %s (role %s) tried /revoke", profile.id, profile.role)
        await show(update, context, not_allowed(context.l10n))
        return
    if not found:
        empty = screens.no_match(context.l10n, query) if query else None
        await show(update, context, empty or screens.no_open_invites(context.l10n))
        return
    await show(update, context, screens.revoke_picker(context.l10n, found, page, query))


async def revoke_pressed(update: Update, context: BotContext) -> None:
    """`spr:<speaker>`: withdraw that speaker's open invites, and say how many."""
    profile = context.profile
    data = decode(update.callback_query.data if update.callback_query else None)
    if profile is None or data is None or not data.args[0].isdigit():
        await stale_button(update, context)
        return
    try:
        done = await context.services.speakers.revoke_speaker(
            profile, data.int_arg(0), context.l10n.locale
        )
    except NotAllowed:
        await show(update, context, not_allowed(context.l10n))
        return
    except LookupError:
        await stale_button(update, context)
        return
    await show(update, context, screens.revoked_speaker(context.l10n, done))


def _page_and_query(update: Update, context: BotContext) -> tuple[int, str]:
    """A picker's page (from its button) and the name searched (`/invite NAME`)."""
    if update.callback_query is not None:
        data = decode(update.callback_query.data)
        page = data.int_arg(0) if data and data.args and data.args[0].isdigit() else 0
        return page, ""
    return 0, " ".join(context.args or []).strip()


async def redeem(update: Update, context: BotContext, token: str) -> None:
    """/start spk_<token>: link the account, then greet the speaker with their sessions (a
    speaker reopening their own link is welcomed back); their command menu follows."""
    profile = context.profile
    if profile is None:
        return
    try:
        done = await context.services.speakers.redeem(profile.id, token)
    except RedeemFailure as failure:
        log.info("invite refused for user %s: %s", profile.id, failure.reason)
        await send(update, context, screens.invite_refused(context.l10n, failure.reason))
        return
    home = await context.services.speakers.home(profile.id, context.l10n.locale)
    if home is not None:
        greeting = screens.linked_again if done.again else screens.linked
        await send(update, context, greeting(context.l10n, home))
    if not done.again:
        for user_id in (profile.id, *done.displaced):
            await commands.refresh(context.bot, context.services, context.features.guide, user_id)


async def my_sessions(update: Update, context: BotContext) -> None:
    profile = context.profile
    if profile is None:
        return
    home = await context.services.speakers.home(profile.id, context.l10n.locale)
    if home is None:
        await send(update, context, screens.not_a_speaker(context.l10n))
        return
    await send(update, context, screens.my_sessions(context.l10n, home))


async def checkin_pressed(update: Update, context: BotContext) -> None:
    """ "I'm here" / "I'm running late" under the check-in question."""
    profile = context.profile
    data = decode(update.callback_query.data if update.callback_query else None)
    if profile is None or data is None or not data.args[0].isdigit() or data.args[1] not in "hl":
        await stale_button(update, context)
        return
    status = "here" if data.args[1] == "h" else "late"
    item = await context.services.speaker_desk.check_in(profile.id, data.int_arg(0), status)
    if item is None:
        await stale_button(update, context)
        return
    await show(update, context, screens.checked_in(context.l10n, item))


async def alerts(update: Update, context: BotContext) -> None:
    """🔔 on /mysessions: the speaker's alert setting and its choices."""
    profile = context.profile
    setting = await context.services.speakers.alert_setting(profile.id) if profile else None
    if setting is None:
        await show(update, context, screens.not_a_speaker(context.l10n))
        return
    await show(update, context, screens.alert_settings(context.l10n, setting))


async def alerts_chosen(update: Update, context: BotContext) -> None:
    """`spas:<choice>`: store the choice; alerts no longer wanted are cancelled at once."""
    profile = context.profile
    data = decode(update.callback_query.data if update.callback_query else None)
    valid, choice = screens.alert_choice(data.args[0]) if data else (False, None)
    if profile is None or not valid:
        await stale_button(update, context)
        return
    setting = await context.services.speakers.set_alert_leads(profile.id, choice)
    if setting is None:
        await show(update, context, screens.not_a_speaker(context.l10n))
        return
    notice = screens.alerts_changed(context.l10n, setting)
    await show(update, context, screens.alert_settings(context.l10n, setting).with_notice(notice))


FEATURE = Feature(
    "speakers",
    commands=(
        Command(
            "mysessions",
            my_sessions,
            lambda l10n: l10n._("Speakers: my sessions"),
            Audience.SPEAKER,
        ),
        Command(
            "invite",
            invite,
            lambda l10n: l10n._("Organizers: invite a speaker"),
            Audience.ORGANIZER,
        ),
        Command(
            "revoke",
            revoke,
            lambda l10n: l10n._("Organizers: withdraw a speaker's invites"),
            Audience.ORGANIZER,
        ),
    ),
    presses=(
        press(invite, verbs.INVITE_PAGE),
        press(invite_pressed, verbs.INVITE),
        press(revoke, verbs.REVOKE_PAGE),
        press(revoke_pressed, verbs.REVOKE),
        press(checkin_pressed, verbs.SPEAKER_CHECKIN),
        press(alerts, verbs.SPEAKER_ALERTS),
        press(alerts_chosen, verbs.SPEAKER_ALERTS_SET),
    ),
    help=(
        HelpLine(
            lambda l10n: l10n._("/mysessions: your sessions, how many saved them, and your alerts"),
            Audience.SPEAKER,
        ),
        HelpLine(
            lambda l10n: l10n._("/invite: a one-time link for a speaker; add a name to search"),
            Audience.ORGANIZER,
        ),
        HelpLine(
            lambda l10n: l10n._("/revoke: withdraw a speaker's open invites"), Audience.ORGANIZER
        ),
    ),
)

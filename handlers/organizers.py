"""Organizer commands: the badge desk."""

from __future__ import annotations

import logging

from telegram import Message, MessageOriginHiddenUser, MessageOriginUser, Update

from bot.domain.registration import is_code
from bot.domain.registration_views import Badge
from bot.domain.roles import ORGANIZER_ROLES
from bot.presentation import organizers as screens
from bot.presentation.menu import Audience, HelpLine
from bot.services.audit import NotAllowed
from bot.services.checkin import Scanned
from bot.telegram import commands
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature
from bot.telegram.replies import send
from handlers import registration

log = logging.getLogger(__name__)


async def checkin(update: Update, context: BotContext) -> None:
    """/checkin CODE"""
    profile = context.profile
    if profile is None:
        return
    if not context.args:
        await send(update, context, screens.checkin_usage(context.l10n))
        return
    await checkin_code(update, context, context.args[0])


async def checkin_code(update: Update, context: BotContext, code: str) -> None:
    profile = context.profile
    if profile is None:
        return
    try:
        result = await context.services.checkin.check_in(profile, code)
    except NotAllowed:
        log.warning("user %s (role %s) tried /checkin", profile.id, profile.role)
        await send(update, context, screens.not_allowed(context.l10n))
        return
    await send(update, context, screens.checkin_result(context.l10n, result))


async def badge_scanned(update: Update, context: BotContext, code: str) -> None:
    """A badge's QR link (`/start badge-CODE`): check-in for organizers, the badge for its
    owner, and for anyone else a polite word that says nothing about the attendee."""
    profile = context.profile
    if profile is None:
        return
    result = await context.services.checkin.scan(profile, code)
    if result is Scanned.OWN:
        await registration.send_badge(update, context, Badge(code))
    elif result is Scanned.OTHER:
        await send(update, context, screens.someone_elses_badge(context.l10n))
    else:
        await send(update, context, screens.checkin_result(context.l10n, result))


async def pasted_code(update: Update, context: BotContext) -> bool:
    """An organizer sent a bare registration code (typed, or pasted from a scanner): check
    it in. False for anything else, which goes on to the question engine."""
    profile, message = context.profile, update.effective_message
    if profile is None or profile.role not in ORGANIZER_ROLES or message is None:
        return False
    code = (message.text or "").strip()
    if not is_code(code):
        return False
    await checkin_code(update, context, code)
    return True


async def promote(update: Update, context: BotContext) -> None:
    """/promote USER_ID, or /promote in reply to a forwarded message."""
    await _change_role(update, context, "/promote")


async def demote(update: Update, context: BotContext) -> None:
    await _change_role(update, context, "/demote")


async def audit(update: Update, context: BotContext) -> None:
    profile = context.profile
    if profile is None:
        return
    try:
        lines = await context.services.audit.entries(profile, context.l10n.locale)
    except NotAllowed:
        log.warning("user %s (role %s) tried /audit", profile.id, profile.role)
        await send(update, context, screens.admins_only(context.l10n))
        return
    await send(update, context, screens.audit_log(context.l10n, lines))


async def _change_role(update: Update, context: BotContext, command: str) -> None:
    profile, message = context.profile, update.effective_message
    if profile is None or message is None:
        return
    target = _target(message, context.args or [])
    if target is None:
        hidden = message.reply_to_message is not None and isinstance(
            message.reply_to_message.forward_origin, MessageOriginHiddenUser
        )
        reply = (
            screens.hidden_sender(context.l10n)
            if hidden
            else screens.role_usage(context.l10n, command)
        )
        await send(update, context, reply)
        return
    roles = context.services.roles
    try:
        if command == "/promote":
            change = await roles.promote(profile, target)
        else:
            change = await roles.demote(profile, target)
    except NotAllowed:
        log.warning("user %s (role %s) tried %s", profile.id, profile.role, command)
        await send(update, context, screens.admins_only(context.l10n))
        return
    await send(update, context, screens.role_changed(context.l10n, change))
    if change.changed:
        await commands.refresh(
            context.bot, context.services, context.features.guide, change.user_id
        )


def _target(message: Message, args: list[str]) -> int | None:
    """A user id from the arguments, or the sender of the forwarded message replied to."""
    if args and args[0].lstrip("-").isdigit():
        return int(args[0])
    replied = message.reply_to_message
    if replied is not None and isinstance(replied.forward_origin, MessageOriginUser):
        return replied.forward_origin.sender_user.id
    return None


async def stats(update: Update, context: BotContext) -> None:
    profile = context.profile
    if profile is None:
        return
    try:
        figures = await context.services.stats.figures(profile, context.l10n.locale)
    except NotAllowed:
        log.warning("user %s (role %s) tried /stats", profile.id, profile.role)
        await send(update, context, screens.not_allowed(context.l10n))
        return
    await send(update, context, screens.stats_report(context.l10n, figures))


CHECKIN = Feature(
    "checkin",
    commands=(
        Command(
            "checkin",
            checkin,
            lambda l10n: l10n._("Organizers: check in an attendee"),
            Audience.ORGANIZER,
        ),
    ),
    help=(
        HelpLine(
            lambda l10n: l10n._("/checkin CODE: check in an attendee by their badge code"),
            Audience.ORGANIZER,
        ),
    ),
)
STATS = Feature(
    "stats",
    commands=(
        Command(
            "stats",
            stats,
            lambda l10n: l10n._("Organizers: the symposium's figures"),
            Audience.ORGANIZER,
        ),
    ),
    help=(HelpLine(lambda l10n: l10n._("/stats: the symposium's figures"), Audience.ORGANIZER),),
)
ROLES = Feature(
    "roles",
    commands=(
        Command(
            "promote",
            promote,
            lambda l10n: l10n._("Admins: make someone an organizer"),
            Audience.ADMIN,
        ),
        Command(
            "demote",
            demote,
            lambda l10n: l10n._("Admins: take the organizer role back"),
            Audience.ADMIN,
        ),
        Command("audit", audit, lambda l10n: l10n._("Admins: the audit log"), Audience.ADMIN),
    ),
    help=(
        HelpLine(
            lambda l10n: l10n._("/promote ID, /demote ID: give or take back the organizer role"),
            Audience.ADMIN,
        ),
        HelpLine(lambda l10n: l10n._("/audit: the audit log"), Audience.ADMIN),
    ),
)

"""Organizer commands: the badge desk."""

from __future__ import annotations

import logging

from telegram import Message, MessageOriginHiddenUser, MessageOriginUser, Update

from bot.presentation import organizers as screens
from bot.services.audit import NotAllowed
from bot.telegram.context import BotContext
from bot.telegram.replies import send

log = logging.getLogger(__name__)


async def checkin(update: Update, context: BotContext) -> None:
    """/checkin CODE"""
    profile = context.profile
    if profile is None:
        return
    if not context.args:
        await send(update, context, screens.checkin_usage(context.l10n))
        return
    try:
        result = await context.services.checkin.check_in(profile, context.args[0])
    except NotAllowed:
        log.warning("user %s (role %s) tried /checkin", profile.id, profile.role)
        await send(update, context, screens.not_allowed(context.l10n))
        return
    await send(update, context, screens.checkin_result(context.l10n, result))


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
        lines = await context.services.roles.audit(profile)
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

"""Organizer commands: the badge desk."""

from __future__ import annotations

import logging

from telegram import Update

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

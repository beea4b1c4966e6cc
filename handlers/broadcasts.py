"""Broadcasts: /broadcast and its dialogue, /broadcasts, and Cancel under a progress message."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.domain.attachments import Attachment
from bot.domain.broadcast_views import Prompt
from bot.domain.broadcasts import Incoming, Step
from bot.domain.views import UserProfile
from bot.presentation import broadcast_status as status
from bot.presentation import broadcasts as screens
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import decode
from bot.presentation.menu import Audience, HelpLine
from bot.presentation.organizers import not_allowed
from bot.services.audit import NotAllowed
from bot.services.broadcast_store import FLOW as BROADCAST_FLOW
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Dialogue, Feature, press
from bot.telegram.replies import send, show
from handlers.fallback import stale_button

log = logging.getLogger(__name__)


async def broadcast(update: Update, context: BotContext) -> None:
    """/broadcast: a new draft, starting with its audience. Organizers only."""
    profile = _profile(context)
    try:
        found = await context.services.broadcasts.begin(profile)
    except NotAllowed:
        await _refuse(update, context, profile, "/broadcast")
        return
    await show(update, context, screens.prompt(context.l10n, found))


async def history(update: Update, context: BotContext) -> None:
    """/broadcasts: the last ten, newest first, with their figures."""
    profile = _profile(context)
    try:
        found = await context.services.broadcast_runs.history(profile)
    except NotAllowed:
        await _refuse(update, context, profile, "/broadcasts")
        return
    await send(update, context, status.history(context.l10n, found))


async def pressed(update: Update, context: BotContext) -> None:
    """`bc:<action>:<value>`: the dialogue's buttons."""
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None:
        await stale_button(update, context)
        return
    action, value = data.args
    profile = _profile(context)
    service = context.services.broadcasts
    if action == "cancel":
        if await service.discard(profile):
            await show(update, context, screens.discarded(context.l10n))
        else:
            await stale_button(update, context)
        return
    if action in ("now", "ok"):
        await _confirm(update, context, profile, scheduled=action == "ok")
        return
    await _render(update, context, await service.press(profile, action, value))


async def cancel_pressed(update: Update, context: BotContext) -> None:
    """`bcx:<id>`: the Cancel button under a progress message."""
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not data.args[0].isdigit():
        await stale_button(update, context)
        return
    profile = _profile(context)
    try:
        found = await context.services.broadcast_runs.cancel(profile, data.int_arg(0))
    except NotAllowed:
        await _refuse(update, context, profile, "broadcast cancel")
        return
    if found is None:
        await stale_button(update, context)
        return
    await show(update, context, status.progress(context.l10n, found))


async def continue_conversation(update: Update, context: BotContext) -> bool:
    """Typed text for a broadcast draft; False if there is none. Menu buttons come first."""
    message = update.effective_message
    if message is None or message.text is None or context.profile is None:
        return False
    return await _receive(update, context, context.profile, _incoming(message))


async def media(update: Update, context: BotContext) -> None:
    """A photo, document or anything else not text: the draft's message if one is awaited.
    Otherwise it goes on to the other handlers (this one runs in an earlier group)."""
    message = update.effective_message
    if message is None or context.profile is None:
        return
    if await _receive(update, context, context.profile, _incoming(message)):
        raise ApplicationHandlerStop


# --- helpers ---------------------------------------------------------------------------------
async def _receive(
    update: Update, context: BotContext, profile: UserProfile, incoming: Incoming
) -> bool:
    zone = await context.services.event_timezone()
    found = await context.services.broadcasts.receive(profile, incoming, zone)
    if found is None:
        return False
    await _render(update, context, found)
    return True


async def _confirm(
    update: Update, context: BotContext, profile: UserProfile, *, scheduled: bool
) -> None:
    """The pressed message becomes the progress message the monitor keeps up to date."""
    pressed_message = update.callback_query.message if update.callback_query else None
    where = (pressed_message.chat.id, pressed_message.message_id) if pressed_message else None
    try:
        result = await context.services.broadcasts.confirm(profile, where, scheduled=scheduled)
    except NotAllowed:
        await _refuse(update, context, profile, "broadcast confirm")
        return
    if result is None or isinstance(result, Prompt):
        await _render(update, context, result)
        return
    reply = status.progress(context.l10n, result.broadcast)
    if result.already:
        reply = reply.with_notice(status.already_confirmed(context.l10n))
    await show(update, context, reply)


async def _render(update: Update, context: BotContext, found: Prompt | None) -> None:
    """The next screen; the preview is several messages, one per version."""
    if found is None:
        await stale_button(update, context)
        return
    if found.step is not Step.PREVIEW or found.problem is not None:
        await show(update, context, screens.prompt(context.l10n, found))
        return
    intro, *messages = screens.preview(context.l10n, found)
    await show(update, context, intro)
    for reply in messages:
        await send(update, context, reply)


def _incoming(message: Message) -> Incoming:
    """The formatted text (PTB's HTML of the entities) and any photo or document."""
    attachment = None
    if message.photo:
        attachment = Attachment("photo", message.photo[-1].file_id)  # the largest size
    elif message.document is not None:
        attachment = Attachment("document", message.document.file_id)
    if message.text is not None:
        return Incoming(message.text_html, message.text)
    caption = message.caption or ""
    html = message.caption_html if caption else ""
    return Incoming(html, caption, attachment, supported=attachment is not None)


async def _refuse(update: Update, context: BotContext, profile: UserProfile, what: str) -> None:
    log.warning("user %s (role %s) tried %s", profile.id, profile.role, what)
    reply = not_allowed(context.l10n)
    if update.callback_query is not None:
        await update.callback_query.answer(reply.text, show_alert=True)
        return
    await send(update, context, reply)


def _profile(context: BotContext) -> UserProfile:
    if context.profile is None:
        raise RuntimeError("broadcasts need a user")
    return context.profile


FEATURE = Feature(
    "broadcasts",
    commands=(
        Command(
            "broadcast",
            broadcast,
            lambda l10n: l10n._("Organizers: send a message"),
            Audience.ORGANIZER,
        ),
        Command(
            "broadcasts",
            history,
            lambda l10n: l10n._("Organizers: the last broadcasts"),
            Audience.ORGANIZER,
        ),
    ),
    presses=(press(pressed, verbs.BROADCAST), press(cancel_pressed, verbs.BROADCAST_CANCEL)),
    help=(
        HelpLine(
            lambda l10n: l10n._("/broadcast: a message to everyone or to a group"),
            Audience.ORGANIZER,
        ),
        HelpLine(
            lambda l10n: l10n._("/broadcasts: the last broadcasts and their figures"),
            Audience.ORGANIZER,
        ),
    ),
    dialogue=Dialogue(BROADCAST_FLOW, continue_conversation),
)

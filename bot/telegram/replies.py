"""Turning a presentation `Reply` into Bot API calls: send, or edit the pressed message."""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.i18n import Localizer
from bot.presentation import Reply
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def inline_markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data, url=b.url) for b in row]
            for row in reply.buttons
        ]
    )


def menu_markup(reply: Reply) -> ReplyKeyboardMarkup | None:
    if reply.menu is None:
        return None
    return ReplyKeyboardMarkup(
        [list(row) for row in reply.menu], resize_keyboard=True, is_persistent=True
    )


async def send(update: Update, context: BotContext, reply: Reply) -> Message | None:
    """Send `reply` (and its follow-ups) as new messages to the update's chat."""
    chat = update.effective_chat
    if chat is None:
        return None
    l10n = context.l10n
    sent = await context.bot.send_message(
        chat.id,
        l10n.finish(reply.text),
        parse_mode=ParseMode.HTML,
        reply_markup=inline_markup(reply) or menu_markup(reply),
        link_preview_options=NO_PREVIEW,
    )
    for extra in reply.extra:
        await send(update, context, extra)
    return sent


async def show(update: Update, context: BotContext, reply: Reply) -> None:
    """Answer a button press by editing its message in place; a plain message gets a new one."""
    query = update.callback_query
    if query is None or query.message is None or reply.menu is not None:
        if query is not None:
            await _answer(query, context.l10n, reply.notice)
        await send(update, context, reply)
        return
    await _answer(query, context.l10n, reply.notice)
    try:
        await context.bot.edit_message_text(
            context.l10n.finish(reply.text),
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=inline_markup(reply),
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return  # a second press on the same button
        if (
            "to edit not found" in error.message.lower()
            or "can't be edited" in error.message.lower()
        ):
            await send(update, context, reply)
            return
        raise
    for extra in reply.extra:
        await send(update, context, extra)


async def _answer(query: CallbackQuery, l10n: Localizer, notice: str | None) -> None:
    try:
        await query.answer(notice[:200] if notice else None)
    except BadRequest as error:  # too old to answer: the user still gets the edit
        log.info("callback query %s not answered: %s", query.id, error.message)

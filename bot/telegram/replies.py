"""Turning a presentation `Reply` into Bot API calls: send, or edit the pressed message."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
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
from telegram.request import BaseRequest

from bot.domain.attachments import Attachment
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
    text = reply.text if reply.finished else context.l10n.finish(reply.text)
    if reply.attachment is not None:
        sent = await send_attachment(context.bot, chat.id, reply.attachment, text, reply)
    else:
        sent = await context.bot.send_message(
            chat.id,
            text,
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
    if query is None or query.message is None or reply.menu is not None or reply.attachment:
        if query is not None:
            await _answer(query, context.l10n, reply.notice)
        await send(update, context, reply)
        return
    await _answer(query, context.l10n, reply.notice)
    try:
        await context.bot.edit_message_text(
            reply.text if reply.finished else context.l10n.finish(reply.text),
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


async def send_attachment(
    bot: Bot,
    chat_id: int,
    attachment: Attachment,
    caption: str,
    reply: Reply,
    read_timeout: float | None = None,
) -> Message:
    """A photo or document Telegram already has (by file_id), `caption` in HTML."""
    timeout = BaseRequest.DEFAULT_NONE if read_timeout is None else read_timeout
    if attachment.kind == "photo":
        return await bot.send_photo(
            chat_id,
            attachment.file_id,
            caption=caption or None,
            parse_mode=ParseMode.HTML,
            reply_markup=inline_markup(reply),
            read_timeout=timeout,
        )
    return await bot.send_document(
        chat_id,
        attachment.file_id,
        caption=caption or None,
        parse_mode=ParseMode.HTML,
        reply_markup=inline_markup(reply),
        read_timeout=timeout,
    )


async def _answer(query: CallbackQuery, l10n: Localizer, notice: str | None) -> None:
    try:
        await query.answer(notice[:200] if notice else None)
    except BadRequest as error:  # too old to answer: the user still gets the edit
        log.info("callback query %s not answered: %s", query.id, error.message)

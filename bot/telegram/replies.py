"""Turning a presentation `Reply` into Bot API calls: send, or edit the pressed message.

The parameters are built as plain JSON and sent with `call_api` rather than through
`Bot.send_message` and friends: no handler reads the `Message` those parse from Telegram's
answer, and on the busiest screens (a day's programme, a session card) building and parsing
PTB's objects was about a tenth of the CPU an update costs.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.domain.attachments import Attachment
from bot.presentation import Reply
from bot.telegram.context import BotContext
from bot.telegram.request import call_api

log = logging.getLogger(__name__)
NO_PREVIEW = {"is_disabled": True}
SEND_ATTACHMENT = {"photo": "sendPhoto", "document": "sendDocument"}  # by attachment kind


def reply_markup(reply: Reply, *, menu: bool = True) -> dict[str, Any] | None:
    """The reply's keyboard in the Bot API's JSON: its inline buttons, else (when `menu`)
    the persistent menu it changes to."""
    if reply.buttons:
        return {
            "inline_keyboard": [
                [
                    {"text": b.label}
                    | ({"callback_data": b.data} if b.data is not None else {})
                    | ({"url": b.url} if b.url is not None else {})
                    | (
                        {"switch_inline_query": b.switch_inline_query}
                        if b.switch_inline_query is not None
                        else {}
                    )
                    for b in row
                ]
                for row in reply.buttons
            ]
        }
    if menu and reply.menu is not None:
        return {
            "keyboard": [[{"text": label} for label in row] for row in reply.menu],
            "resize_keyboard": True,
            "is_persistent": True,
        }
    return None


async def send(update: Update, context: BotContext, reply: Reply) -> None:
    """Send `reply` (and its follow-ups) as new messages to the update's chat."""
    chat = update.effective_chat
    if chat is None:
        return
    text = reply.text if reply.finished else context.l10n.finish(reply.text)
    if reply.attachment is not None:
        await _send_attachment(context.bot, chat.id, reply.attachment, text, reply)
    else:
        params = _message(text, reply_markup(reply))
        await call_api(context.bot, "sendMessage", {"chat_id": chat.id, **params})
    for extra in reply.extra:
        await send(update, context, extra)


async def show(update: Update, context: BotContext, reply: Reply) -> None:
    """Answer a button press by editing its message in place; a plain message gets a new one."""
    query = update.callback_query
    if query is None or query.message is None or reply.menu is not None or reply.attachment:
        if query is not None:
            await _answer(context.bot, query, reply.notice)
        await send(update, context, reply)
        return
    await _answer(context.bot, query, reply.notice)
    text = reply.text if reply.finished else context.l10n.finish(reply.text)
    try:
        await call_api(
            context.bot,
            "editMessageText",
            {
                "chat_id": query.message.chat.id,
                "message_id": query.message.message_id,
                **_message(text, reply_markup(reply, menu=False)),
            },
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


async def _send_attachment(
    bot: Bot, chat_id: int, attachment: Attachment, caption: str, reply: Reply
) -> None:
    """A photo or document Telegram already has (by file_id), `caption` in HTML."""
    params: dict[str, Any] = {
        "chat_id": chat_id,
        attachment.kind: attachment.file_id,  # the field is named after the kind
        "parse_mode": ParseMode.HTML.value,
    }
    if caption:
        params["caption"] = caption
    if (markup := reply_markup(reply, menu=False)) is not None:
        params["reply_markup"] = markup
    await call_api(bot, SEND_ATTACHMENT[attachment.kind], params)


def _message(text: str, markup: dict[str, Any] | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "text": text,
        "parse_mode": ParseMode.HTML.value,
        "link_preview_options": NO_PREVIEW,
    }
    if markup is not None:
        params["reply_markup"] = markup
    return params


async def _answer(bot: Bot, query: CallbackQuery, notice: str | None) -> None:
    params: dict[str, Any] = {"callback_query_id": query.id}
    if notice:
        params["text"] = notice[:200]
    try:
        await call_api(bot, "answerCallbackQuery", params)
    except BadRequest as error:  # too old to answer: the user still gets the edit
        log.info("callback query %s not answered: %s", query.id, error.message)

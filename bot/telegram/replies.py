"""Turning a presentation `Reply` into Bot API calls: send, or edit the pressed message.

The parameters are built as plain JSON and sent with `call_api` rather than through
`Bot.send_message` and friends: no handler reads the `Message` those parse from Telegram's
answer, and on the busiest screens (a day's programme, a session card) building and parsing
PTB's objects was about a tenth of the CPU an update costs.

`message_calls` is the one place where a reply becomes Bot API calls, for these replies and
for the outbox's messages alike (`bot/delivery/telegram_sender.py`). It keeps every text
within Telegram's limits (4,096 characters, a caption 1,024, after parsing): a longer one is
split at line boundaries into several messages (`bot/domain/message_split.py`), the buttons
on the last. Screens whose lists can grow summarise instead; this is the net under them.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.domain.message_split import (
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    TEXT_LIMIT,
    fit_utf16,
    split_html,
)
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


def message_calls(
    chat_id: int, reply: Reply, text: str, *, menu: bool = True
) -> list[tuple[str, dict[str, Any]]]:
    """The Bot API calls (method, parameters) that show `reply` with `text` (already laid
    out for its reader) as new messages: one, or a text split to fit, keyboard on the last."""
    markup = reply_markup(reply, menu=menu)
    calls: list[tuple[str, dict[str, Any]]] = []
    if reply.attachment is not None:  # a photo or document Telegram has, text as caption
        parts = split_html(text, TEXT_LIMIT, first_limit=CAPTION_LIMIT)
        kind = reply.attachment.kind
        first: dict[str, Any] = {
            "chat_id": chat_id,
            kind: reply.attachment.file_id,  # the field is named after the kind
            "parse_mode": ParseMode.HTML.value,
        }
        if parts:
            first["caption"] = parts.pop(0)
        calls.append((SEND_ATTACHMENT[kind], first))
    else:
        parts = split_html(text) or [text]  # nothing to read: Telegram says what is wrong
    calls.extend(("sendMessage", {"chat_id": chat_id, **_message(part, None)}) for part in parts)
    if markup is not None:
        calls[-1][1]["reply_markup"] = markup
    return calls


async def send(update: Update, context: BotContext, reply: Reply) -> None:
    """Send `reply` (and its follow-ups) as new messages to the update's chat."""
    chat = update.effective_chat
    if chat is None:
        return
    text = reply.text if reply.finished else context.l10n.finish(reply.text)
    for method, params in message_calls(chat.id, reply, text):
        await call_api(context.bot, method, params)
    for extra in reply.extra:
        await send(update, context, extra)


async def show(update: Update, context: BotContext, reply: Reply) -> None:
    """Answer a button press by editing its message in place; a plain message gets a new one.
    A text too long for one message replaces the pressed one with its first part, and the
    rest follows as new messages, the keyboard on the last."""
    query = update.callback_query
    if query is None or query.message is None or reply.menu is not None or reply.attachment:
        if query is not None:
            await _answer(context.bot, query, reply.notice)
        await send(update, context, reply)
        return
    await _answer(context.bot, query, reply.notice)
    text = reply.text if reply.finished else context.l10n.finish(reply.text)
    first, *rest = split_html(text) or [text]
    try:
        await call_api(
            context.bot,
            "editMessageText",
            {
                "chat_id": query.message.chat.id,
                "message_id": query.message.message_id,
                **_message(first, None if rest else reply_markup(reply, menu=False)),
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
    for number, part in enumerate(rest, start=1):
        markup = reply_markup(reply, menu=False) if number == len(rest) else None
        await call_api(
            context.bot, "sendMessage", {"chat_id": query.message.chat.id, **_message(part, markup)}
        )
    for extra in reply.extra:
        await send(update, context, extra)


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
        params["text"] = fit_utf16(notice, CALLBACK_ANSWER_LIMIT)
    try:
        await call_api(bot, "answerCallbackQuery", params)
    except BadRequest as error:  # too old to answer: the user still gets the edit
        log.info("callback query %s not answered: %s", query.id, error.message)

"""Sending a rendered reply with PTB, and sorting Telegram's answers into outcomes."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery.outcomes import Delivered, Outcome, Refused, SlowDown, TryLater, Unreachable
from bot.presentation import Reply
from bot.telegram.replies import NO_PREVIEW, inline_markup, send_attachment

log = logging.getLogger(__name__)


class TelegramSender:
    def __init__(self, bot: Bot, *, read_timeout: float = 15.0) -> None:
        self._bot = bot
        self._read_timeout = read_timeout  # a timeout is a TryLater: the send may have arrived

    async def send(self, chat_id: int, reply: Reply, locale: str) -> Outcome:
        try:
            if reply.attachment is not None:  # a photo or document, the text as its caption
                message = await send_attachment(
                    self._bot, chat_id, reply.attachment, reply.text, reply, self._read_timeout
                )
            else:
                message = await self._bot.send_message(
                    chat_id,
                    reply.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=inline_markup(reply),
                    link_preview_options=NO_PREVIEW,
                    read_timeout=self._read_timeout,
                )
        except TelegramError as error:
            outcome = _outcome(error)
            if outcome is None:
                raise
            return outcome
        return Delivered(message.message_id)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> Outcome:
        """Edit a text message in place (a broadcast's progress); unchanged counts as done."""
        try:
            await self._bot.edit_message_text(
                reply.text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=inline_markup(reply),
                link_preview_options=NO_PREVIEW,
                read_timeout=self._read_timeout,
            )
        except TelegramError as error:
            if isinstance(error, BadRequest) and "not modified" in error.message.lower():
                return Delivered(message_id)
            outcome = _outcome(error)
            if outcome is None:
                raise
            return outcome
        return Delivered(message_id)


def _outcome(error: TelegramError) -> Outcome | None:
    """What Telegram's error means for the message; None for errors we do not expect."""
    if isinstance(error, RetryAfter):
        return SlowDown(_seconds(error.retry_after))
    if isinstance(error, Forbidden):
        return Unreachable(error.message)
    if isinstance(error, TimedOut):  # a subclass of NetworkError: the send may have arrived
        return TryLater(f"timeout: {error.message}")
    if isinstance(error, BadRequest):
        return Refused(error.message)
    if isinstance(error, NetworkError):  # 5xx and connection errors
        return TryLater(error.message)
    return None


def _seconds(value: Any) -> float:
    """PTB 22 gives an int (and warns it becomes a timedelta); accept both."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)

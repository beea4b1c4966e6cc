"""Sending a rendered reply with PTB, and sorting Telegram's answers into outcomes."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.outcomes import Delivered, Outcome, Refused, SlowDown, TryLater, Unreachable
from bot.presentation import Reply
from bot.telegram.replies import NO_PREVIEW, inline_markup

log = logging.getLogger(__name__)


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, reply: Reply, locale: str) -> Outcome:
        try:
            message = await self._bot.send_message(
                chat_id,
                reply.text,
                parse_mode=ParseMode.HTML,
                reply_markup=inline_markup(reply),
                link_preview_options=NO_PREVIEW,
            )
        except RetryAfter as error:
            return SlowDown(_seconds(error.retry_after))
        except Forbidden as error:
            return Unreachable(error.message)
        except TimedOut as error:  # a subclass of NetworkError: the send may have arrived
            return TryLater(f"timeout: {error.message}")
        except BadRequest as error:
            return Refused(error.message)
        except NetworkError as error:  # 5xx and connection errors
            return TryLater(error.message)
        return Delivered(message.message_id)


def _seconds(value: Any) -> float:
    """PTB 22 gives an int (and warns it becomes a timedelta); accept both."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)

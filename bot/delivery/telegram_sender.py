"""Sending a rendered reply to the Bot API, and sorting Telegram's answers into outcomes.

Sends go out as one JSON POST on a shared aiohttp session rather than through PTB's `Bot`:
PTB with httpx spent about 1.2 ms of CPU per message (building and parsing `Message`
objects, httpx/anyio bookkeeping), which capped one process at roughly 500 messages/s. The
answer is mapped the way PTB maps it (same descriptions), so rows record the same reasons.
Edits (broadcast progress, rare) still go through PTB.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import aiohttp
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
from bot.telegram.replies import NO_PREVIEW, SEND_ATTACHMENT, reply_markup
from bot.telegram.request import call_api, env_proxy

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
_JSON = {"Content-Type": "application/json"}


class TelegramSender:
    def __init__(self, bot: Bot, *, read_timeout: float = 15.0) -> None:
        self._bot = bot
        self._base = bot.base_url  # ".../bot<token>", as PTB calls it
        # a timeout is a TryLater: the send may have arrived
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=CONNECT_TIMEOUT, sock_read=read_timeout
        )
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    async def send(self, chat_id: int, reply: Reply, locale: str) -> Outcome:
        params: dict[str, Any] = {"chat_id": chat_id, "parse_mode": ParseMode.HTML.value}
        if reply.attachment is not None:  # a photo or document Telegram has, text as caption
            method = SEND_ATTACHMENT[reply.attachment.kind]
            params[reply.attachment.kind] = reply.attachment.file_id  # the field is the kind
            if reply.text:
                params["caption"] = reply.text
        else:
            method = "sendMessage"
            params["text"] = reply.text
            params["link_preview_options"] = NO_PREVIEW
        if (markup := reply_markup(reply, menu=False)) is not None:
            params["reply_markup"] = markup
        return await self._post(method, params)

    async def close(self) -> None:
        """Close the HTTP session (the runtime stops); a later send opens a new one."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _post(self, method: str, params: dict[str, Any]) -> Outcome:
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                proxy=env_proxy(self._base),  # read once, not per request
            )
        body = json.dumps(params, ensure_ascii=False).encode()
        try:
            async with session.post(f"{self._base}/{method}", data=body, headers=_JSON) as answer:
                status, payload = answer.status, await answer.read()
        except TimeoutError:  # aiohttp's read timeouts are TimeoutErrors too
            return TryLater("timeout: Timed out")
        except aiohttp.ClientError as error:  # refused, reset, closed mid-answer
            return TryLater(f"aiohttp.{error.__class__.__name__}: {error}")
        return _answer(status, payload)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> Outcome:
        """Edit a text message in place (a broadcast's progress); unchanged counts as done."""
        try:
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": reply.text,
                "parse_mode": ParseMode.HTML.value,
                "link_preview_options": NO_PREVIEW,
            }
            if (markup := reply_markup(reply, menu=False)) is not None:
                params["reply_markup"] = markup
            await call_api(self._bot, "editMessageText", params, self._read_timeout)
        except TelegramError as error:
            if isinstance(error, BadRequest) and "not modified" in error.message.lower():
                return Delivered(message_id)
            outcome = _outcome(error)
            if outcome is None:
                raise
            return outcome
        return Delivered(message_id)


def _answer(status: int, payload: bytes) -> Outcome:
    """Telegram's answer as an outcome, with the descriptions PTB would give."""
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    if 200 <= status <= 299 and data.get("ok"):
        result = data.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Delivered(message_id if isinstance(message_id, int) else None)
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    message = _description(str(data.get("description") or message))
    parameters = data.get("parameters") or {}
    if parameters.get("migrate_to_chat_id"):
        chat = parameters["migrate_to_chat_id"]
        return Refused(f"Group migrated to supergroup. New chat id: {chat}")
    if parameters.get("retry_after"):
        return SlowDown(float(parameters["retry_after"]))
    if status == HTTPStatus.FORBIDDEN:
        return Unreachable(message)
    if 400 <= status <= 499:  # 400 and the like: sending again fails the same way
        return Refused(message)
    return TryLater(message)  # 5xx, or an answer that makes no sense


def _description(message: str) -> str:
    """PTB's TelegramError: strip 'Error: ' / 'Bad Request: ' and capitalize what is left."""
    stripped = message.removeprefix("Error: ").removeprefix("[Error]: ")
    stripped = stripped.removeprefix("Bad Request: ")
    return stripped.capitalize() if stripped != message else message


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

"""Sending a rendered reply to the Bot API, and sorting Telegram's answers into outcomes.

Sends go out as one JSON POST on a shared aiohttp session rather than through PTB's `Bot`:
PTB with httpx spent about 1.2 ms of CPU per message (building and parsing `Message`
objects, httpx/anyio bookkeeping), which capped one process at roughly 500 messages/s. The
answer is mapped the way PTB maps it (same descriptions), so rows record the same reasons.
Edits (broadcast progress, rare) still go through PTB.

The calls are built by `message_calls` (`bot/telegram/replies.py`), as for direct replies, so
a text over Telegram's limit goes out split in several messages. The dispatcher sends a row
again after a 429 or a failure, so only the first part may fail that way: once it arrived,
the later parts are retried here, in place (a 429 waited out, a 5xx tried again), and a row
whose later part still does not go through fails with the reason rather than being sent
again from the start, which would repeat the parts that arrived.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.delivery.outcomes import Delivered, Outcome, Refused, SlowDown, TryLater
from bot.domain.message_split import shorten_html
from bot.presentation import Reply
from bot.telegram.outcomes import outcome_of_answer, outcome_of_error
from bot.telegram.replies import NO_PREVIEW, message_calls, reply_markup
from bot.telegram.request import RetryPolicy, call_api, env_proxy

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
_JSON = {"Content-Type": "application/json"}
# The later parts of a split text: the first arrived, so these are not left to the
# dispatcher (which would send the whole text again) but retried here.
LATER_PARTS = RetryPolicy(attempts=5, budget=60.0, backoff=1.0)


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
        """Send a rendered reply (its text laid out already); a long one in several parts."""
        calls = message_calls(chat_id, reply, reply.text, menu=False)
        method, params = calls[0]
        outcome = await self._post(method, params)
        for number, (method, params) in enumerate(calls[1:], start=2):
            if not isinstance(outcome, Delivered):
                break
            outcome = await self._post_later_part(method, params)
            if isinstance(outcome, SlowDown | TryLater):
                return Refused(f"part {number} of {len(calls)} not sent: {outcome}"[:500])
        return outcome

    async def _post_later_part(self, method: str, params: dict[str, Any]) -> Outcome:
        """A later part of a split text, tried in place within `LATER_PARTS`."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        attempt = 1
        while True:
            outcome = await self._post(method, params)
            if isinstance(outcome, SlowDown):
                wait = outcome.seconds
            elif isinstance(outcome, TryLater):
                wait = LATER_PARTS.pause(attempt)
            else:
                return outcome
            elapsed = loop.time() - started
            if attempt >= LATER_PARTS.attempts or elapsed + wait > LATER_PARTS.budget:
                return outcome
            await asyncio.sleep(wait)
            attempt += 1

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
        return outcome_of_answer(status, payload)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> Outcome:
        """Edit a text message in place (a broadcast's progress); unchanged counts as done."""
        try:
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": shorten_html(reply.text),  # a progress message: one message, always
                "parse_mode": ParseMode.HTML.value,
                "link_preview_options": NO_PREVIEW,
            }
            if (markup := reply_markup(reply, menu=False)) is not None:
                params["reply_markup"] = markup
            await call_api(self._bot, "editMessageText", params, self._read_timeout)
        except TelegramError as error:
            if isinstance(error, BadRequest) and "not modified" in error.message.lower():
                return Delivered(message_id)
            outcome = outcome_of_error(error)
            if outcome is None:
                raise
            return outcome
        return Delivered(message_id)

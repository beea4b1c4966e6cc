"""Telegram's limits, per bot: overall, per private chat, per group; and the 429 pause."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

MAX_TRACKED_CHATS = 10_000


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0


class Pacer:
    """`await pacer.wait_turn(chat_id)` waits for every limit that applies to the chat."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._overall = AsyncLimiter(limits.per_second, 1)
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._resume = asyncio.Event()
        self._resume.set()
        self._paused_until = 0.0

    async def wait_turn(self, chat_id: int) -> None:
        await self._resume.wait()
        await self._chat(chat_id).acquire()
        while True:
            await self._overall.acquire()
            if self._resume.is_set():
                return
            # A 429 arrived while we queued. Tokens handed out during the pause are void:
            # holding on to them would release them all at once when the pause ends.
            await self._resume.wait()

    async def pause(self, seconds: float) -> None:
        """On 429 every send of the bot waits `seconds` (plus a little)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds + 0.1
        if until <= self._paused_until:
            return
        self._paused_until = until
        self._resume.clear()
        loop.call_at(until, self._maybe_resume)

    def _maybe_resume(self) -> None:
        if asyncio.get_running_loop().time() >= self._paused_until - 0.001:
            self._resume.set()

    def _chat(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if chat_id < 0:  # groups and channels
                limiter = AsyncLimiter(self.limits.per_group_per_minute, 60)
            else:
                limiter = AsyncLimiter(self.limits.per_chat_per_second, 1)
            self._chats[chat_id] = limiter
            if len(self._chats) > MAX_TRACKED_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

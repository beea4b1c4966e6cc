"""Update delivery like Telegram's: a getUpdates queue with long polling, or webhook pushes.

Why: the bot's robustness (offset handling, webhook secret checks, retries after a failed
webhook answer, ordering per chat) can only be tested against delivery semantics that match
Telegram's, including the 409 conflicts Telegram answers when both modes are mixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiohttp

from .models import ApiError, bad_request

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONNECTION_FAILED = -1  # delivery status when the webhook could not be reached at all
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}


@dataclass
class Delivery:
    """One webhook POST attempt, for tests of the retry behaviour."""

    update_id: int
    status: int
    at: float


def update_kind(update: dict[str, Any]) -> str:
    """The update type, i.e. its only key besides ``update_id``."""
    return next((key for key in update if key != "update_id"), "")


def chat_key(update: dict[str, Any]) -> int:
    """The chat an update belongs to; webhook delivery is sequential per chat."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat")
        message = value.get("message")
        if not isinstance(chat, dict) and isinstance(message, dict):
            chat = message.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


class UpdateHub:
    """Holds undelivered updates and hands them out by getUpdates or webhook."""

    def __init__(self) -> None:
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_retry_delay = 0.05
        self.webhook_timeout = 10.0
        self.max_connections = 40
        self.allowed_updates: list[str] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.acknowledged: set[int] = set()
        self.deliveries: list[Delivery] = []
        self._last_id = 0
        self._queue: list[dict[str, Any]] = []
        self._backlog: dict[int, deque[dict[str, Any]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._first_attempt: dict[int, asyncio.Future[int]] = {}
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._session: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------------ bookkeeping
    def next_id(self) -> int:
        """Update ids increase by one, like Telegram's."""
        self._last_id += 1
        return self._last_id

    def note_id(self, update_id: int) -> None:
        """Keep ids increasing after a raw update brought its own id."""
        self._last_id = max(self._last_id, update_id)

    def pending_count(self) -> int:
        """Updates not yet confirmed (getUpdates) or not yet answered 2xx (webhook)."""
        return len(self._queue) + sum(len(q) for q in self._backlog.values())

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _accepted(self, update: dict[str, Any]) -> bool:
        kind = update_kind(update)
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _NOT_BY_DEFAULT

    # ------------------------------------------------------------------ delivery
    async def deliver(self, update: dict[str, Any]) -> int:
        """Queue or push an update; the first webhook status, or 0 if it was only queued."""
        if not self._accepted(update):
            return 0
        if self.webhook_url is None:
            self._queue.append(update)
            self._wake()
            return 0
        key = chat_key(update)
        backlog = self._backlog.setdefault(key, deque())
        waiting = bool(backlog)
        backlog.append(update)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._first_attempt[int(update["update_id"])] = future
        self._ensure_worker(key)
        if waiting:
            return 0  # an earlier update of this chat is still being retried
        return await future

    def _ensure_worker(self, key: int) -> None:
        worker = self._workers.get(key)
        if worker is None or worker.done():
            self._workers[key] = asyncio.create_task(self._worker(key))

    async def _worker(self, key: int) -> None:
        backlog = self._backlog[key]
        try:
            while backlog and self.webhook_url is not None and not self._closing:
                update = backlog[0]
                update_id = int(update["update_id"])
                status = await self._post(update)
                self.deliveries.append(Delivery(update_id, status, time.time()))
                future = self._first_attempt.pop(update_id, None)
                if future is not None and not future.done():
                    future.set_result(status)
                if 200 <= status < 300:
                    backlog.popleft()
                    self.acknowledged.add(update_id)
                else:
                    await asyncio.sleep(self.webhook_retry_delay)
        finally:
            if self._workers.get(key) is asyncio.current_task():
                del self._workers[key]
            if not backlog and self._backlog.get(key) is backlog:
                del self._backlog[key]

    async def _stop_workers(self) -> None:
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        for future in self._first_attempt.values():
            if not future.done():
                future.set_result(0)
        self._first_attempt.clear()

    async def _post(self, update: dict[str, Any]) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        url = self.webhook_url or ""
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        try:
            async with self._session.post(
                url, json=update, headers=headers, timeout=timeout
            ) as response:
                await response.read()
                status = response.status
                reason = response.reason or ""
        except (aiohttp.ClientError, TimeoutError) as error:
            self.last_error_date = int(time.time())
            self.last_error_message = f"Connection failed: {error.__class__.__name__}"
            return CONNECTION_FAILED
        if not 200 <= status < 300:
            self.last_error_date = int(time.time())
            self.last_error_message = f"Wrong response from the webhook: {status} {reason}"
        return status

    # ------------------------------------------------------------------ webhook config
    async def set_webhook(self, params: dict[str, Any]) -> None:
        """setWebhook; queued getUpdates updates move over to webhook delivery."""
        url = str(params["url"])
        if not url:
            await self.delete_webhook(bool(params.get("drop_pending_updates")))
            return
        if not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if not 1 <= int(params.get("max_connections", 40)) <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        self.max_connections = int(params.get("max_connections", 40))
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            await self._stop_workers()
            self._queue.clear()
            self._backlog.clear()
        queued, self._queue = self._queue, []
        for update in queued:
            self._backlog.setdefault(chat_key(update), deque()).append(update)
        for key in list(self._backlog):
            self._ensure_worker(key)
        self._wake()

    async def delete_webhook(self, drop_pending: bool) -> None:
        """deleteWebhook; undelivered webhook updates become available to getUpdates."""
        self.webhook_url = None
        self.webhook_secret = None
        await self._stop_workers()
        pending = [update for backlog in self._backlog.values() for update in backlog]
        self._backlog.clear()
        if drop_pending:
            self._queue.clear()
        else:
            self._queue = sorted(self._queue + pending, key=lambda u: int(u["update_id"]))
        self._wake()

    def webhook_info(self) -> dict[str, Any]:
        """getWebhookInfo answer."""
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": self.pending_count(),
        }
        if self.webhook_url:
            info["max_connections"] = self.max_connections
            if self.allowed_updates:
                info["allowed_updates"] = list(self.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message or ""
        return info

    # ------------------------------------------------------------------ long polling
    def _confirm(self, offset: int) -> None:
        if offset > 0:
            for update in self._queue:
                if int(update["update_id"]) < offset:
                    self.acknowledged.add(int(update["update_id"]))
            self._queue = [u for u in self._queue if int(u["update_id"]) >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getUpdates with offset confirmation and long polling up to ``timeout`` seconds."""
        if self.webhook_url is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"])
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting is terminated with 409
        self._confirm(int(params.get("offset", 0)))
        limit = int(params.get("limit", 100))
        limit = 100 if limit <= 0 else min(limit, 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0, int(params.get("timeout", 0)))
        while not self._queue:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            remaining = deadline - loop.time()
            if self.webhook_url is not None or self._closing or remaining <= 0:
                return []
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        if generation != self._poll_generation:
            raise ApiError(409, POLL_CONFLICT)
        return [dict(update) for update in self._queue[:limit]]

    async def close(self) -> None:
        """Release pollers and webhook workers so the server can stop promptly."""
        self._closing = True
        self._wake()
        await self._stop_workers()
        if self._session is not None:
            await self._session.close()
            self._session = None

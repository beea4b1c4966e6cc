"""Getting updates into the inbox (polling) and out of it into the handlers (worker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import Application

from bot.services.inbox import MAX_ATTEMPTS, Finished, InboxItem, InboxService

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25


class InboxWorker:
    """Feeds stored updates to PTB: one chat's updates in order, different chats concurrently.

    The inbox hands out only the oldest unfinished update of each chat, so everything claimed
    belongs to different chats and runs at once. Each update finishes on its own: a slow one
    holds up only its own chat, and as soon as one is done the worker claims again (that
    chat's next update is now due). At most `concurrency` updates are in hand at a time.

    A handled update is marked finished by that next claim, in its transaction (one
    transaction fewer per update). Until then the row stays leased, so its chat's next update
    waits, and a crash in between only means the update is handled again after its lease,
    which handlers already allow for.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        inbox: InboxService,
        *,
        concurrency: int = 32,
        idle_poll: float = 1.0,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._concurrency = concurrency
        self._idle_poll = idle_poll
        self._wake = asyncio.Event()
        self._running: dict[asyncio.Task[None], int] = {}  # task -> update_id
        self._finished: list[Finished] = []  # handled, to be marked with the next claim

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and process until `stop`; then finish what is in hand (the caller bounds
        how long). Cancelled, it hands unfinished updates back to the inbox at once."""
        try:
            while not stop.is_set():
                self._wake.clear()  # before claiming, so a wake-up during the claim counts
                room = self._concurrency - len(self._running)
                claimed = await self._claim(room) if room > 0 or self._finished else 0
                if claimed and claimed == room:
                    continue  # a full claim: there may be more due already
                waits = [asyncio.ensure_future(e.wait()) for e in (self._wake, stop)]
                await asyncio.wait(
                    [*waits, *self._running],
                    timeout=self._idle_poll,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for waiter in waits:
                    waiter.cancel()
            if self._running:
                await asyncio.wait(list(self._running))
        finally:
            if self._running:  # cancelled mid-update: let another worker take them now
                unfinished = set(self._running.values())
                for task in self._running:
                    task.cancel()
                await asyncio.gather(*self._running, return_exceptions=True)
                await asyncio.shield(self._inbox.release(unfinished))
            if self._finished:
                await asyncio.shield(self._claim(0))

    async def _claim(self, limit: int) -> int:
        finished, self._finished = self._finished, []
        try:
            items = await self._inbox.claim(max(limit, 0), finished)
        except Exception:  # the database may be away; try again shortly
            log.exception("inbox worker: claiming updates failed")
            self._finished[:0] = finished  # still to be marked
            return 0
        for item in items:
            task = asyncio.create_task(self._process_safely(item), name=f"update-{item.update_id}")
            self._running[task] = item.update_id
            task.add_done_callback(self._running.pop)
        return len(items)

    async def _process_safely(self, item: InboxItem) -> None:
        try:
            await self._process(item)
        except Exception:  # e.g. finishing failed: the lease runs out and it is retried
            log.exception("update %s: could not be settled", item.update_id)

    async def _process(self, item: InboxItem) -> None:
        try:
            update = Update.de_json(item.payload, self._application.bot)
        except Exception as error:  # malformed: keep it for inspection, never retry
            log.warning("update %s is malformed: %s", item.update_id, error)
            self._done(Finished(item.update_id, f"malformed: {error}"[:500]))
            return
        try:
            # PTB routes handler exceptions to our error handler and returns normally.
            await self._application.process_update(update)
        except Exception as error:
            log.exception("update %s: processing failed", item.update_id)
            if item.attempts >= MAX_ATTEMPTS:
                self._done(Finished(item.update_id, repr(error)[:500]))
            else:
                await self._inbox.release([item.update_id])
            return
        self._done(Finished(item.update_id))

    def _done(self, finished: Finished) -> None:
        self._finished.append(finished)
        self._wake.set()  # claim (and so finish) now, even if a claim is under way


class Poller:
    """Long polling that confirms an update to Telegram only once it is in the inbox.

    Telegram confirms updates below the `offset` of the next getUpdates call, so we raise
    the offset only after the batch is committed: a crash in between gets it redelivered.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        inbox: InboxService,
        worker: InboxWorker,
        *,
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        self._url = f"{base_url}{token}/getUpdates"
        self._inbox = inbox
        self._worker = worker
        self._timeout = timeout
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        client_timeout = aiohttp.ClientTimeout(total=self._timeout + 15)
        async with aiohttp.ClientSession(timeout=client_timeout) as http:
            while not stop.is_set():
                try:
                    await self._poll_once(http, stop)
                    backoff = 1.0
                except _RetryLater as wait:
                    await _sleep_or_stop(stop, wait.seconds)
                except (aiohttp.ClientError, TimeoutError) as error:
                    log.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
                    await _sleep_or_stop(stop, backoff + random.random())
                    backoff = min(backoff * 2, 60)
                except Exception:  # the database refused the batch: fetch it again later
                    log.exception("storing updates failed; they will be fetched again")
                    await _sleep_or_stop(stop, backoff)
                    backoff = min(backoff * 2, 60)

    async def _poll_once(self, http: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        body: dict[str, Any] = {"timeout": self._timeout, "allowed_updates": ALLOWED_UPDATES}
        if self._offset is not None:
            body["offset"] = self._offset
        fetch = asyncio.ensure_future(http.post(self._url, json=body))
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopping}, return_when="FIRST_COMPLETED")
        stopping.cancel()
        if fetch not in done:
            fetch.cancel()
            return
        async with fetch.result() as response:
            answer = await response.json(content_type=None)
        if not answer.get("ok"):
            raise _error_from(answer)
        updates = [u for u in answer.get("result", []) if isinstance(u, dict)]
        valid = [u for u in updates if isinstance(u.get("update_id"), int)]
        if valid:
            await self._inbox.store(valid)
            self._offset = max(u["update_id"] for u in valid) + 1
            self._worker.wake()


class _RetryLater(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _error_from(answer: dict[str, Any]) -> Exception:
    code = answer.get("error_code")
    description = answer.get("description", "")
    if code == 429:
        return _RetryLater(float((answer.get("parameters") or {}).get("retry_after", 5)))
    if code in (401, 404):
        raise SystemExit(f"Telegram refused the bot token ({code} {description})")
    log.warning("getUpdates answered %s %s", code, description)
    return _RetryLater(5.0)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)

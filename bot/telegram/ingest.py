"""Getting updates into the inbox (polling) and out of it into the handlers (worker)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
from collections.abc import Callable, Collection, Sequence
from typing import Any

import aiohttp
from sqlalchemy.engine import Connection
from telegram import Update
from telegram.ext import Application

from bot.db.outage import Outage, one_line
from bot.services.inbox import (
    LARGEST_ID,
    MAX_ATTEMPTS,
    Finished,
    InboxItem,
    InboxService,
    ReadAlong,
    UpdateIdInUse,
    chat_of,
    problem_with,
    sender_of,
    unstorable,
)

log = logging.getLogger(__name__)

# inline_query: `@bot words` in any chat (inline mode must be switched on in @BotFather).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "inline_query"]
POLL_TIMEOUT = 25
# The inbox's housekeeping (InboxService.housekeep): every HOUSEKEEP_EVERY seconds, and after
# HOUSEKEEP_AFTER finished updates (at most every HOUSEKEEP_SOON seconds) with a VACUUM.
HOUSEKEEP_AFTER = 1000
HOUSEKEEP_SOON = 5.0
HOUSEKEEP_EVERY = 60.0


# Updates given to `InboxWorker.accept` by one caller, and the future it waits on.
Arrival = tuple[list[dict[str, Any]], asyncio.Future[None]]


class InboxWorker:
    """Feeds stored updates to PTB: one chat's updates in order, different chats concurrently.

    Updates come in through `accept` (the webhook, the poller). Whatever arrives while a store
    is being committed goes into the next one together (a group commit), and that same
    transaction leases the new updates whose chat is idle to this worker, so the usual update
    costs one transaction before its handler starts. The rest wait in the inbox as pending
    and are claimed in order: the inbox hands out only the oldest unfinished update of each
    chat, so everything in hand belongs to different chats. At most `concurrency` updates
    are in hand at a time.

    A handled update is marked finished by the next inbox transaction (a store or a claim),
    at the latest after `finish_delay`, and at once when an update of its chat (or one that
    found no room) is waiting. Until then the row stays leased: its chat's next update waits,
    and a crash in between only means the update is handled again after its lease, which
    handlers already allow for.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        inbox: InboxService,
        *,
        concurrency: int = 32,
        idle_poll: float = 1.0,
        finish_delay: float = 0.05,
        read_senders: ReadSenders | None = None,
        housekeep_after: int = HOUSEKEEP_AFTER,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._read_along = None if read_senders is None else _senders_read_by(read_senders)
        self._concurrency = concurrency
        self._idle_poll = idle_poll
        self._finish_delay = finish_delay
        # Set by `wake`; the run loop sleeps on `_waiter` (a bare future, not tasks: the loop
        # sleeps and wakes about once per update at moderate load).
        self._woken = False
        self._waiter: asyncio.Future[None] | None = None
        self._flush_timer: asyncio.TimerHandle | None = None  # wakes the loop at `_flush_by`
        self._running: dict[asyncio.Task[None], InboxItem] = {}
        self._reserved = 0  # room promised to inbox transactions under way
        self._finished: list[Finished] = []  # handled, to be marked by the next transaction
        self._flush_by: float | None = None  # loop time by which they must be marked
        self._backlog = 1  # > 0: updates may be claimable now (so, at start, look)
        self._waiting: collections.Counter[int | None] = collections.Counter()  # ours, pending
        self._arrivals: list[Arrival] = []
        self._storing: asyncio.Task[None] | None = None
        self._leasing = False  # only while `run` runs are new updates leased at once
        self._housekeep_after = housekeep_after
        self._finished_since_housekeeping = 0
        self._housekept_at = 0.0  # loop time of the last housekeeping (or of the start)
        self._housekeeping: asyncio.Task[None] | None = None
        self._store_started: float | None = None  # loop time the store under way began
        self._claims = Outage("inbox worker: claiming updates", log)
        self._retry_at: float | None = None  # claims wait until then (loop time) after one failed
        self._housekeepings = Outage("inbox worker: housekeeping", log)

    def arrivals_waiting(self) -> int:
        """Updates given to `accept` that wait for the store under way to end."""
        return sum(len(updates) for updates, _ in self._arrivals)

    def storing_for(self) -> float:
        """How long (seconds) the store under way has been waiting for the database; 0 when
        none is. Readiness reports writes as stuck when it grows (bot/app.py)."""
        started = self._store_started
        return 0.0 if started is None else asyncio.get_running_loop().time() - started

    def wake(self) -> None:
        self._woken = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def settle_now(self) -> None:
        """Mark handled updates finished now rather than within `finish_delay` (for
        whoever waits on the inbox's state, as tests do)."""
        if self._finished:
            self._flush_at(0.0)
            self.wake()

    async def accept(self, updates: list[dict[str, Any]]) -> None:
        """Store updates (those already stored, same id and content, are ignored). Raises
        if the database refused them, or one's id still belongs to a different unfinished
        update (`UpdateIdInUse`), and then none was stored (the caller makes Telegram send
        them again). Whatever arrives meanwhile from other callers is stored in the same
        transaction; if one caller's updates hold a value the database cannot take
        (`unstorable`), the callers are stored again one at a time, so only that one fails."""
        arrival: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._arrivals.append((updates, arrival))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_arrivals(), name="inbox-store")
        await arrival

    async def _store_arrivals(self) -> None:
        while self._arrivals:
            batch, self._arrivals = self._arrivals, []
            try:
                await self._store(batch)
            except Exception as error:
                if len(batch) > 1 and unstorable(error):  # one of them: find it, alone
                    for alone in batch:
                        with contextlib.suppress(Exception):  # told to its caller
                            await self._store([alone])
                    continue
                for _, arrival in batch:
                    if not arrival.done():
                        arrival.set_exception(error)

    async def _store(self, batch: list[Arrival]) -> None:
        """One transaction for the updates of `batch`; each arrival learns the outcome."""
        updates = [u for group, _ in batch for u in group]
        room = self._room() if self._leasing else 0
        finished = self._take_finished()
        self._reserved += room
        self._store_started = asyncio.get_running_loop().time()
        try:
            intake = await self._inbox.take_in(updates, finished, room, self._read_along)
        except Exception as error:
            self._give_back_finished(finished)
            if len(batch) == 1 and not batch[0][1].done():
                batch[0][1].set_exception(error)
            raise
        finally:
            self._reserved -= room
            self._store_started = None
        self._start(intake.leased)
        leased = {item.update_id for item in intake.leased}
        waiting = [chat_of(u) for u in updates if int(u["update_id"]) not in leased]
        if waiting:  # behind a busy chat or for lack of room (or stored before)
            self._waiting.update(waiting)
            self._backlog += 1
            self.wake()
        for _, arrival in batch:
            if not arrival.done():
                arrival.set_result(None)

    def _room(self) -> int:
        return max(0, self._concurrency - len(self._running) - self._reserved)

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and process until `stop`; then finish what is in hand (the caller bounds
        how long). Cancelled, it hands unfinished updates back to the inbox at once."""
        loop = asyncio.get_running_loop()
        next_poll = loop.time()
        self._leasing = True
        self._housekept_at = next_poll
        stopping = asyncio.ensure_future(stop.wait())
        stopping.add_done_callback(lambda _: self.wake())
        try:
            while not stop.is_set():
                self._woken = False  # before claiming, so a wake-up during the claim counts
                now = loop.time()
                if now >= next_poll:  # now and then: others' updates, lapsed leases
                    next_poll = now + self._idle_poll
                    self._backlog += 1
                    self._forget_waiting()
                    self._housekeep_maybe(now)
                if self._retry_at is not None and now < self._retry_at:  # the database is
                    await self._sleep_until(min(self._retry_at, next_poll))  # away: wait
                    continue
                room = self._room()
                flush = self._flush_by is not None and now >= self._flush_by
                if (self._backlog and room > 0) or flush:
                    await self._claim(room)
                    continue
                if not self._woken:  # `_flush_timer` wakes it for `_flush_by`
                    await self._sleep_until(next_poll)
            self._leasing = False
            if self._running:
                await asyncio.wait(list(self._running))
        finally:
            stopping.cancel()
            if self._housekeeping is not None:  # interrupting a purge or VACUUM is harmless,
                self._housekeeping.cancel()  # leaving it to outlive the engine is not
                await asyncio.wait([self._housekeeping])  # its end, not its CancelledError
            self._leasing = False
            if self._running:  # cancelled mid-update: let another worker take them now
                unfinished = {item.update_id for item in self._running.values()}
                for task in self._running:
                    task.cancel()
                await asyncio.gather(*self._running, return_exceptions=True)
                await asyncio.shield(self._inbox.release(unfinished))
            if self._finished:
                await asyncio.shield(self._claim(0))

    def _housekeep_maybe(self, now: float) -> None:
        """Start the inbox's housekeeping in the background every HOUSEKEEP_EVERY seconds, or
        sooner (at most every HOUSEKEEP_SOON), with a VACUUM, after `housekeep_after`
        finished updates."""
        if self._housekeeping is not None and not self._housekeeping.done():
            return
        since = now - self._housekept_at
        busy = self._finished_since_housekeeping >= self._housekeep_after
        if since < HOUSEKEEP_EVERY and not (busy and since >= HOUSEKEEP_SOON):
            return
        self._housekept_at, self._finished_since_housekeeping = now, 0
        self._housekeeping = asyncio.create_task(self._housekeep(busy), name="inbox-housekeeping")

    async def _housekeep(self, vacuum: bool) -> None:
        try:
            purged = await self._inbox.housekeep(vacuum=vacuum)
        except Exception as error:  # the database may be away: next time
            self._housekeepings.failed(error)
            return
        self._housekeepings.succeeded()
        if purged:
            log.info("inbox: forgot %d updates handled long ago", purged)

    async def _sleep_until(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        timer = loop.call_at(deadline, self.wake)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    async def _claim(self, limit: int) -> None:
        finished = self._take_finished()
        backlog = self._backlog
        self._reserved += limit
        try:
            items = await self._inbox.claim(limit, finished, self._read_along)
        except Exception as error:  # the database may be away: try again after a pause
            pause = self._claims.failed(error)
            self._retry_at = asyncio.get_running_loop().time() + pause
            self._give_back_finished(finished)
            return
        finally:
            self._reserved -= limit
        if self._retry_at is not None:
            self._retry_at = None
            self._claims.succeeded()
        if limit > 0 and len(items) < limit and self._backlog == backlog:
            self._backlog = 0  # nothing more is due now (unless a store said so meanwhile)
        for item in items:
            if self._waiting[item.chat_id] > 0:
                self._waiting[item.chat_id] -= 1
        self._start(items)

    def _take_finished(self) -> list[Finished]:
        finished, self._finished = self._finished, []
        self._flush_at(None)
        return finished

    def _give_back_finished(self, finished: list[Finished]) -> None:
        """The transaction failed: mark them with a later one (the database may be away)."""
        self._finished[:0] = finished
        if self._finished:
            self._flush_at(asyncio.get_running_loop().time() + self._idle_poll)

    def _flush_at(self, deadline: float | None) -> None:
        """Finished updates must be marked by `deadline` (loop time; None: nothing to mark).
        A timer wakes the run loop then, so it need not wake now to learn of it."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        self._flush_by = deadline
        if deadline is not None and deadline > 0:
            self._flush_timer = asyncio.get_running_loop().call_at(deadline, self._flush_due)

    def _flush_due(self) -> None:
        self._flush_timer = None
        self._flush_by = 0.0  # timers may fire a hair early: due means due
        self.wake()

    def _forget_waiting(self) -> None:
        """Keep only chats still in hand: the others' waiting updates were claimed since
        (perhaps by another instance), or will be by the regular look."""
        in_hand = {item.chat_id for item in self._running.values()}
        self._waiting = collections.Counter(
            {chat: n for chat, n in self._waiting.items() if n > 0 and chat in in_hand}
        )

    def _start(self, items: list[InboxItem]) -> None:
        for item in items:
            task = asyncio.create_task(self._process_safely(item), name=f"update-{item.update_id}")
            self._running[task] = item
            task.add_done_callback(self._running.pop)

    async def _process_safely(self, item: InboxItem) -> None:
        try:
            await self._process(item)
        except Exception:  # e.g. finishing failed: the lease runs out and it is retried
            log.exception("update %s: could not be settled", item.update_id)

    async def _process(self, item: InboxItem) -> None:
        try:
            update = Update.de_json(as_handled(item.payload), self._application.bot)
        except Exception as error:  # malformed: keep it for inspection, never retry
            log.warning("update %s is malformed: %s", item.update_id, error)
            self._done(Finished(item.update_id, f"malformed: {error}"[:500]), item.chat_id)
            return
        try:
            # PTB routes handler exceptions to our error handler and returns normally.
            await self._application.process_update(update)
        except Exception as error:
            log.exception("update %s: processing failed", item.update_id)
            if item.attempts >= MAX_ATTEMPTS:
                self._done(Finished(item.update_id, repr(error)[:500]), item.chat_id)
            else:
                await self._inbox.release([item.update_id])
            return
        self._done(Finished(item.update_id), item.chat_id)

    def _done(self, finished: Finished, chat_id: int | None) -> None:
        """Mark it with the next transaction: at once (with a claim) if one of its chat's
        updates is waiting, or others wait for room; else within `finish_delay`."""
        self._finished.append(finished)
        self._finished_since_housekeeping += 1
        if self._backlog or self._waiting[chat_id] > 0 or self._finish_delay <= 0:
            self._backlog += 1
            self._flush_at(0.0)
            self.wake()
        elif self._flush_by is None:
            self._flush_at(asyncio.get_running_loop().time() + self._finish_delay)


# Reads the senders' rows (by Telegram id) in the transaction that leases their updates;
# returns what to do once it has committed.
ReadSenders = Callable[[Connection, Collection[int]], Callable[[], None]]


def _senders_read_by(read: ReadSenders) -> ReadAlong:
    def read_along(connection: Connection, items: Sequence[InboxItem]) -> Callable[[], None]:
        return read(connection, {s for i in items if (s := sender_of(i.payload)) is not None})

    return read_along


# What no handler reads of the message whose button was pressed: its keyboard and its
# formatting. PTB turns every button and entity into an object, and for a day's programme
# (a dozen buttons) that was three quarters of parsing the press (0.84 ms of 1.1). The stored
# payload keeps them.
PRESSED_UNREAD = frozenset({"reply_markup", "entities", "caption_entities"})


def as_handled(payload: dict[str, Any]) -> dict[str, Any]:
    """The update as handlers get it: a pressed message without what they never read."""
    query = payload.get("callback_query")
    if not isinstance(query, dict):
        return payload
    pressed = query.get("message")
    if not isinstance(pressed, dict) or PRESSED_UNREAD.isdisjoint(pressed):
        return payload
    pressed = {k: v for k, v in pressed.items() if k not in PRESSED_UNREAD}
    return {**payload, "callback_query": {**query, "message": pressed}}


class Poller:
    """Long polling that confirms an update to Telegram only once it is in the inbox.

    Telegram confirms updates below the `offset` of the next getUpdates call, so we raise
    the offset only after the batch is committed: a crash in between gets it redelivered.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        worker: InboxWorker,
        *,
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        self._url = f"{base_url}{token}/getUpdates"
        self._worker = worker
        self._timeout = timeout
        self._offset: int | None = None
        self._stores = Outage("poller: storing updates", log)

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
                except UpdateIdInUse as taken:  # ids restarted under a waiting update
                    log.warning("%s; fetching the batch again once it is handled", taken)
                    await _sleep_or_stop(stop, backoff)
                    backoff = min(backoff * 2, 60)
                except Exception as error:  # the database refused the batch: fetch it again
                    await _sleep_or_stop(stop, self._stores.failed(error))

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
            raw = await response.read()
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError) as error:
            answer = f"not JSON ({error})"
        if not isinstance(answer, dict):
            log.warning("getUpdates answered %s; asking again", str(answer)[:200])
            raise _RetryLater(5.0)
        if not answer.get("ok"):
            raise _error_from(answer)
        updates: list[dict[str, Any]] = []
        top: int | None = None  # the highest id, refused or not: the offset goes past it
        for update in answer.get("result", []):
            problem = problem_with(update, raw)
            if problem is None:
                updates.append(update)
            else:  # logged once: the offset goes past it, so it does not come again
                log.warning("getUpdates: skipped %s: %s", _described(update), problem)
            update_id = update.get("update_id") if isinstance(update, dict) else None
            if type(update_id) is int and 0 <= update_id <= LARGEST_ID:
                top = update_id if top is None else max(top, update_id)
        if updates:
            await self._store(updates)
        if top is not None:
            self._offset = top + 1

    async def _store(self, updates: list[dict[str, Any]]) -> None:
        """Store a batch; if one update holds what the database cannot take, store them one
        at a time and skip (and log) only that one. Anything else raises: the batch is
        fetched again."""
        try:
            await self._worker.accept(updates)
        except Exception as error:
            if not unstorable(error):
                raise
            for update in updates:
                try:
                    await self._worker.accept([update])
                except Exception as alone:
                    if not unstorable(alone):
                        raise
                    log.warning("getUpdates: skipped %s: %s", _described(update), one_line(alone))
        self._stores.succeeded()


def _described(update: Any) -> str:
    """An update in a log line: its id if it has one (never its content)."""
    if isinstance(update, dict) and "update_id" in update:
        return f"update {str(update['update_id'])[:30]}"
    return f"a {type(update).__name__} that is not an update"


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

"""The dispatcher: claim due rows, render each in its recipient's language, send, settle.

Nothing a single message does stops the loop: a 429 pauses every send for `retry_after`,
transient failures are retried with exponential backoff and jitter up to a limit, a 403 marks
the recipient unreachable, and any other exception fails only its own row.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.db.outage import Outage
from bot.delivery.leadership import SenderLock
from bot.delivery.outcomes import Delivered, Refused, Sender, SlowDown, TryLater, Unreachable
from bot.delivery.pacing import Pacer
from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.services.outbox import Claimed, Outbox, SentRow

log = logging.getLogger(__name__)


# A renderer answers the reply, or `Dropped` (why the row is no longer worth sending, most
# often as its service answered it): recorded on the row as skipped here, the one place.
Render = Callable[[Claimed, Localizer], Awaitable[Reply | Dropped]]
LocalizerFor = Callable[[str], Awaitable[Localizer]]


@dataclass(frozen=True)
class _Batch:
    rows: list[Claimed]
    locales: dict[int, str]  # recipients' current languages (reachable ones only)
    l10n: dict[str, Localizer]  # one per language, built once per batch, not per row
    deadline: datetime  # a little before the lease runs out: later, another claim may send it


@dataclass(frozen=True)
class DeliveryConfig:
    batch: int = 100
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 5
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    idle_poll: float = 1.0
    # Rows falling due within this window are claimed together: waking for each one of a
    # stream spread at 30/s cost about 9 ms of CPU per message; the window adds at most its
    # length to a reminder's lateness.
    coalesce: float = 0.1
    # Rows delivered within this many seconds are marked sent in one transaction (a group
    # commit): one commit per message was the dispatcher's main cost at high rates.
    settle_window: float = 0.02
    # Sends awaiting Telegram's answer at once. Little's law: enough for the rate times the
    # round trip (30/s x 0.2 s = 6); more only costs (HTTP pool bookkeeping grows with it).
    in_flight: int = 16


class Dispatcher:
    def __init__(
        self,
        *,
        outbox: Outbox,
        sessions: SessionFactory,
        sender: Sender,
        pacer: Pacer,
        renderers: Mapping[str, Render],
        localizer_for: LocalizerFor,
        clock: Clock,
        config: DeliveryConfig | None = None,
        lock: SenderLock | None = None,
    ) -> None:
        self._outbox = outbox
        self._lock = lock
        self._sessions = sessions
        self._sender = sender
        self._pacer = pacer
        self._renderers = renderers
        self._localizer_for = localizer_for
        self._clock = clock
        self.config = config or DeliveryConfig()
        self.worker = f"dispatcher-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._delivered: list[SentRow] = []
        self._commit: asyncio.Future[None] | None = None
        self._sending = asyncio.Semaphore(self.config.in_flight)
        # the database away: one log line when it goes, one when it is back
        self._claims = Outage("dispatcher: claiming", log)
        self._settling = Outage("dispatcher: settling a batch", log)
        self._turns: dict[int, asyncio.Future[None]] = {}  # each chat's latest turn, for order

    def wake(self) -> None:
        """Something new is due: look now rather than at the next poll."""
        self._wake.set()

    async def close(self) -> None:
        """Release the sender's HTTP session, if it keeps one (the runtime stops)."""
        close = getattr(self._sender, "close", None)
        if close is not None:
            await close()

    @property
    def leading(self) -> bool:
        """Whether this process is the one that sends (see bot/delivery/leadership.py)."""
        return self._lock is None or self._lock.held

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self._run(stop)
        finally:
            if self._lock is not None:
                await asyncio.shield(self._lock.release())

    async def _run(self, stop: asyncio.Event) -> None:
        """Claim the next batch while the current one is being sent (a two-batch pipeline).

        Waiting for a batch to be settled before claiming the next left Telegram's turns
        unused for the claim, the language lookup and the last group commit: on PostgreSQL
        about a third of the time at 1000/s. At most two batches are claimed and unsettled.
        Claiming ahead after a partial batch too keeps rows that fall due meanwhile from
        waiting for the whole batch (at 1000/s, p99 lateness 0.1 s rather than 0.2-0.3 s).
        """
        running: asyncio.Task[None] | None = None
        try:
            while not stop.is_set():
                batch = await self._next_batch()
                if batch is not None:
                    started = asyncio.create_task(self._deliver_batch(batch))
                    try:
                        if running is not None:
                            await running
                    finally:
                        running = started  # cancelled above: the finally below cancels it
                    continue
                if running is not None:  # nothing more yet: finish this one, then look again
                    await running
                    running = None
                    continue
                await self._idle(stop)
            if running is not None:  # stopping: the claimed batch is finished first
                await running
                running = None
        finally:
            if running is not None:  # we are being cancelled (or failed): so is the batch
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)

    async def _next_batch(self) -> _Batch | None:
        """Claim a batch (if this instance sends); None when there is nothing to do."""
        try:
            if self._lock is not None and not await self._lock.acquire():
                return None  # another instance sends; stand by and try again
            batch = await self._claim()
        except Exception as error:  # e.g. the database is away: try again shortly
            self._claims.failed(error)
            return None
        self._claims.succeeded()
        return batch

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for a wake-up, the next row's due time, or `idle_poll`, whichever is first:
        a reminder due in 200 ms should not wait a whole poll."""
        self._wake.clear()
        timeout = self.config.idle_poll
        if self.leading:
            try:
                due = await self._outbox.next_due()
            except Exception:  # the database is away: the next claim will say so
                due = None
            if due is not None:  # already due (it fell due since the claim): look again soon
                until = (due - self._clock.now()).total_seconds()
                timeout = min(timeout, max(until, 0.0) + self.config.coalesce)
        waits = [asyncio.ensure_future(e.wait()) for e in (self._wake, stop)]
        await asyncio.wait(waits, timeout=timeout, return_when="FIRST_COMPLETED")
        for waiter in waits:
            waiter.cancel()

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns the number of rows handled."""
        batch = await self._claim()
        if batch is None:
            return 0
        await self._deliver_batch(batch)
        return len(batch.rows)

    async def drain(self) -> int:
        """Deliver until nothing is due (tests and `deliver --once`)."""
        total = 0
        while handled := await self.run_once():
            total += handled
        return total

    def batch_size(self) -> int:
        """`batch`, but small enough that two batches go out well within the lease at the
        configured rate (at 1 message/s, 100 rows would outlast a 60 s lease)."""
        seconds = self.config.lease.total_seconds() * self._pacer.limits.per_second
        return max(1, min(self.config.batch, int(seconds / 4)))

    async def _claim(self) -> _Batch | None:
        deadline = self._clock.now() + self.config.lease * 0.9
        rows = await self._outbox.claim(self.batch_size(), self.config.lease, self.worker)
        if not rows:
            return None
        locales = await self._locales({r.recipient_id for r in rows})
        l10n = {loc: await self._localizer_for(loc) for loc in sorted(set(locales.values()))}
        return _Batch(rows, locales, l10n, deadline)

    async def _deliver_batch(self, batch: _Batch) -> None:
        """Different chats at once; one chat's rows one after the other, in claim order,
        also across batches (the pipeline holds two, and rendering takes longer for some
        kinds): a chat's turn in this batch starts when its turn in the previous one ends."""
        by_chat: dict[int, list[Claimed]] = {}
        for row in batch.rows:
            by_chat.setdefault(row.recipient_id, []).append(row)
        turns = []
        for chat, rows in by_chat.items():  # no await in this loop: the chain stays in order
            turn = asyncio.ensure_future(self._deliver_in_turn(rows, batch, self._turns.get(chat)))
            self._turns[chat] = turn
            turn.add_done_callback(functools.partial(self._turn_over, chat))
            turns.append(turn)
        try:
            await asyncio.gather(*turns)
        except Exception as error:  # settling failed (the database is away): the lease
            self._settling.failed(error)  # brings the rows back
        else:
            self._settling.succeeded()

    async def _deliver_in_turn(
        self, rows: list[Claimed], batch: _Batch, after: asyncio.Future[None] | None
    ) -> None:
        if after is not None and not after.done():
            await asyncio.wait([after])  # its outcome is its own batch's business
        for row in rows:
            await self._deliver(row, batch)

    def _turn_over(self, chat: int, turn: asyncio.Future[None]) -> None:
        if self._turns.get(chat) is turn:
            del self._turns[chat]

    async def _deliver(self, row: Claimed, batch: _Batch) -> None:
        try:
            await self._deliver_one(row, batch)
        except Exception as error:  # a bug in one renderer must not stop the others
            log.exception("outbox row %s (%s) failed", row.id, row.kind)
            await self._outbox.failed(row.id, row.attempts + 1, f"error: {error!r}"[:500])

    async def _deliver_one(self, row: Claimed, batch: _Batch) -> None:
        locale = batch.locales.get(row.recipient_id)
        if locale is None:
            await self._outbox.skipped(row.id, "recipient unknown or unreachable")
            return
        render = self._renderers.get(row.kind)
        if render is None:
            await self._outbox.failed(row.id, row.attempts, f"no renderer for kind {row.kind!r}")
            return
        l10n = batch.l10n.get(locale) or await self._localizer_for(locale)
        rendered = await render(row, l10n)
        if isinstance(rendered, Dropped):
            await self._outbox.skipped(row.id, rendered.reason)
            return
        text = rendered.text if rendered.finished else l10n.finish(rendered.text)
        reply = Reply(text, rendered.buttons, attachment=rendered.attachment)
        while True:
            async with self._sending:
                await self._pacer.wait_turn(row.recipient_id)
                if self._clock.now() >= batch.deadline:
                    # queued past its lease (long 429 pauses): another claim may be sending it
                    # by now, so leave it `sending`; once the lease is over it is claimed again
                    log.warning("outbox row %s outlasted its lease before its turn", row.id)
                    return
                outcome = await self._sender.send(row.recipient_id, reply, locale)
            if not isinstance(outcome, SlowDown):
                break
            log.warning("429 from Telegram: every send waits %.1f s", outcome.seconds)
            await self._pacer.pause(outcome.seconds)
        await self._settle(row, locale, outcome)

    async def _settle(
        self, row: Claimed, locale: str, outcome: Delivered | TryLater | Unreachable | Refused
    ) -> None:
        if isinstance(outcome, Delivered):
            await self._mark_sent(SentRow(row.id, outcome.message_id, locale, self._clock.now()))
        elif isinstance(outcome, Unreachable):
            skipped = await self._outbox.unreachable(row.id, row.recipient_id, outcome.reason)
            log.info(
                "user %s unreachable (%s); %s rows skipped",
                row.recipient_id,
                outcome.reason,
                skipped,
            )
        elif isinstance(outcome, Refused):
            await self._outbox.failed(row.id, row.attempts + 1, outcome.reason[:500])
        else:
            attempts = row.attempts + 1
            if attempts >= self.config.max_attempts:
                await self._outbox.failed(row.id, attempts, f"gave up: {outcome.reason}"[:500])
                return
            await self._outbox.retry(
                row.id, attempts, outcome.reason[:500], self._backoff(attempts)
            )

    async def _mark_sent(self, sent: SentRow) -> None:
        """Group commit: the first delivered row waits `settle_window`, then stores every row
        delivered meanwhile in one transaction; each caller returns once its row is stored."""
        self._delivered.append(sent)
        commit = self._commit
        if commit is not None:
            await asyncio.shield(commit)
            return
        commit = self._commit = asyncio.get_running_loop().create_future()
        commit.add_done_callback(_retrieve)  # nobody else may be waiting for it
        try:
            await asyncio.sleep(self.config.settle_window)
            rows, self._delivered, self._commit = self._delivered, [], None
            await self._outbox.sent_many(rows)
        except BaseException as error:
            if self._commit is commit:  # cancelled while waiting: the next row starts afresh
                self._delivered, self._commit = [], None
            if isinstance(error, asyncio.CancelledError):
                commit.cancel()
            else:
                commit.set_exception(error)
            raise
        commit.set_result(None)

    def _backoff(self, attempts: int) -> datetime:
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempts - 1))
        return self._clock.now() + timedelta(seconds=delay * random.uniform(0.5, 1.0))

    async def _locales(self, user_ids: set[int]) -> dict[int, str]:
        """Current languages of reachable recipients (rendering happens in them)."""
        users = m.User.__table__.c  # a plain (not ORM) select: cheaper per batch
        async with self._sessions() as db:
            rows = await db.execute(
                select(users.id, users.locale).where(
                    users.id.in_(user_ids), users.blocked.is_(False)
                )
            )
            return {user_id: locale for user_id, locale in rows.all()}


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()

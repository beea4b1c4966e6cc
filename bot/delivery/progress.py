"""The broadcast progress monitor: every few seconds, bring each organizer's progress message
up to date ("Sent N · pending P · failed F · unreachable U"), and mark a broadcast done once
nothing is pending or in flight.

A loop over database state, like the planner: a restart loses nothing (the first round after
it edits once more, and "not modified" counts as done). Only the instance that sends runs it,
so several instances do not edit the same message. Time comes from the injectable clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace

from bot.db.outage import Outage
from bot.delivery.dispatcher import LocalizerFor
from bot.delivery.outcomes import Delivered, Editor, Refused, Sender, SlowDown, TryLater
from bot.domain.broadcast_views import Figures, State
from bot.presentation.broadcast_status import progress
from bot.services.broadcast_runs import BroadcastRuns, Refreshed

log = logging.getLogger(__name__)
FINAL = (State.DONE, State.CANCELLED)


class ProgressMonitor:
    def __init__(
        self,
        runs: BroadcastRuns,
        telegram: Editor,
        sender: Sender,
        localizer_for: LocalizerFor,
        *,
        leading: Callable[[], bool] = lambda: True,
        every: float = 3.0,
    ) -> None:
        self._runs = runs
        self._telegram = telegram
        self._sender = sender  # sends the progress anew when the old message is gone
        self._localizer_for = localizer_for
        self._leading = leading
        self.every = every
        self._shown: dict[int, tuple[State, Figures]] = {}
        self._outage = Outage("progress monitor: a round", log)  # an outage: two log lines

    async def close(self) -> None:
        """Release the sender's HTTP session, if it keeps one (the runtime stops)."""
        for part in dict.fromkeys((self._sender, self._telegram)):  # often one object
            close = getattr(part, "close", None)
            if close is not None:
                await close()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self._leading():
                try:
                    await self.run_once()
                except Exception as error:  # e.g. the database is away: try again next round
                    self._outage.failed(error)
                else:
                    self._outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

    async def run_once(self) -> int:
        """One round over the unfinished broadcasts; returns the progress messages updated."""
        updated = 0
        for tracked in await self._runs.unfinished():
            found = await self._runs.refresh(tracked.id)
            if found is None:
                continue
            view = found.view
            shown = (view.state, view.figures)
            settled = True  # the organizer has seen the latest figures (or cannot see any)
            chat_id, message_id = found.chat_id, found.message_id
            if chat_id and message_id and self._shown.get(view.id) != shown:
                settled = await self._update(chat_id, message_id, found)
                if settled:
                    self._shown[view.id] = shown
                    updated += 1
            if settled and view.figures.pending == 0 and view.state in FINAL:
                await self._runs.close(view.id)
                self._shown.pop(view.id, None)
        return updated

    async def _update(self, chat_id: int, message_id: int, found: Refreshed) -> bool:
        """Edit the progress message; False when Telegram wants us to try again later."""
        l10n = await self._localizer_for(found.locale)
        reply = progress(l10n, found.view)
        reply = replace(reply, text=l10n.finish(reply.text))
        outcome = await self._telegram.edit(chat_id, message_id, reply)
        if isinstance(outcome, Refused):  # deleted, or too old to edit: send it anew
            outcome = await self._sender.send(chat_id, reply, found.locale)
            if isinstance(outcome, Delivered) and outcome.message_id is not None:
                await self._runs.moved(found.view.id, chat_id, outcome.message_id)
        if isinstance(outcome, SlowDown | TryLater):
            log.info("progress of broadcast %s not updated: %s", found.view.id, outcome)
            return False
        return True

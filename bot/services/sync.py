"""Live sync: re-import the published programme on a timer, cheaply and quietly.

Conditional requests (ETag / Last-Modified) make an unchanged programme a 304; and even a
full download of an unchanged programme changes nothing, so nobody gets a notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from bot.domain.programme_plan import ImportSummary
from bot.importers.base import ProgrammeFormatError
from bot.services.imports import ImportService, fetch

log = logging.getLogger(__name__)


@dataclass
class SyncState:
    etag: str | None = None
    last_modified: str | None = None


class ScheduleSync:
    def __init__(self, url: str, minutes: float, imports: ImportService) -> None:
        self.url = url
        self.interval = minutes * 60
        self._imports = imports
        self.state = SyncState()

    async def sync_once(self) -> ImportSummary | None:
        """Fetch and apply if the server says it changed; None when it did not."""
        fetched = await fetch(
            self.url, etag=self.state.etag, last_modified=self.state.last_modified
        )
        if fetched.unchanged:
            return None
        summary = await self._imports.load(fetched.name, fetched.data)
        self.state = SyncState(fetched.etag, fetched.last_modified)
        if summary.changes or summary.added or summary.removed:
            log.info(
                "schedule sync: %s added, %s removed, %s changed",
                len(summary.added),
                len(summary.removed),
                len(summary.changes),
            )
        return summary

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sync_once()
            except ProgrammeFormatError as error:  # keep the last good programme
                log.error("schedule sync: %s", error)
            except Exception:
                log.exception("schedule sync failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

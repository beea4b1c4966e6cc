"""Loading a programme from a file or URL: fetch (aiohttp), parse (in a thread), apply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory, engine_of
from bot.domain.programme_plan import ImportSummary
from bot.domain.views import UserProfile
from bot.importers import Format, builder
from bot.importers.base import N_, Problem, ProgrammeFormatError
from bot.services import conversations
from bot.services.audit import record, require_role
from bot.services.import_worker import ImportWorker, Job, shared_worker
from bot.services.programme import ProgrammeService

MAX_PROGRAMME_BYTES = 20_000_000
FLOW = "import"
FETCH_TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass(frozen=True)
class Fetched:
    name: str
    data: bytes
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False  # 304 Not Modified


@dataclass(frozen=True)
class PendingImport:
    name: str
    file_ref: str  # the Telegram file id the organizer sent


class ImportService:
    def __init__(
        self,
        sessions: SessionFactory,
        programme: ProgrammeService,
        timezone: str,
        clock: Clock,
        worker: ImportWorker | None = None,
    ) -> None:
        self._sessions = sessions
        self._programme = programme
        self._timezone = timezone
        self._clock = clock
        self._worker = worker or shared_worker()
        self._database_url = engine_of(sessions).url.render_as_string(hide_password=False)

    async def may_import(self, actor: UserProfile, name: str) -> None:
        """Before a file sent to the bot is fetched: NotAllowed (the attempt audited, as a
        preview's refusal is) unless `actor` may import, so nobody else's file is read."""
        await require_role(
            self._sessions, actor, "import-preview", at=self._clock.now(), subject=name
        )

    async def preview(
        self, actor: UserProfile, name: str, data: bytes, file_ref: str
    ) -> ImportSummary:
        """An organizer sent a schedule file: the dry-run diff, and the file kept for Apply."""
        await require_role(
            self._sessions, actor, "import-preview", at=self._clock.now(), subject=name
        )
        summary = await self.load(name, data, dry_run=True)
        async with self._sessions.begin() as db:
            await conversations.save(
                db, actor.id, FLOW, "confirm", {"name": name, "file": file_ref}, self._clock.now()
            )
        return summary

    async def pending(self, actor: UserProfile) -> PendingImport | None:
        await require_role(self._sessions, actor, "import", at=self._clock.now(), subject="")
        async with self._sessions.begin() as db:
            saved = await conversations.load(db, actor.id, FLOW, self._clock.now())
        if saved is None:
            return None
        return PendingImport(str(saved.data["name"]), str(saved.data["file"]))

    async def apply_file(self, actor: UserProfile, name: str, data: bytes) -> ImportSummary:
        """Apply the previewed file (once: a second Apply finds nothing pending)."""
        await require_role(self._sessions, actor, "import", at=self._clock.now(), subject=name)
        async with self._sessions.begin() as db:
            if not await conversations.drop(db, actor.id, FLOW):
                raise LookupError("nothing to apply")
        summary = await self.load(name, data)
        async with self._sessions.begin() as db:
            record(
                db,
                actor,
                "import",
                at=self._clock.now(),
                subject=name,
                detail=f"{len(summary.changes)} changes, {len(summary.added)} added",
            )
        return summary

    async def load(
        self, name: str, data: bytes, *, format: Format | None = None, dry_run: bool = False
    ) -> ImportSummary:
        """Parse and apply; ProgrammeFormatError names the file, the place and the problem.

        The file is parsed and matched in the import worker's process; only the writing
        happens here. If the programme changed meanwhile (another import, an edit), the plan
        is made again."""
        key, event_name = await self._current_event()
        job = Job(
            self._database_url,
            name,
            data,
            format,
            self._timezone,
            key,
            event_name,
            builder.MAX_SESSIONS,  # read now: a test may lower it
        )
        if dry_run:
            return await self._worker.preview(job)
        return await self._programme.write_planned(lambda: self._worker.plan(job))

    async def event_timezone(self) -> str:
        async with self._sessions() as db:
            zone = await db.scalar(select(m.Event.timezone).order_by(m.Event.id.desc()).limit(1))
        return zone or self._timezone

    async def _current_event(self) -> tuple[str | None, str | None]:
        """Re-imports update the event already loaded, whatever the file calls it."""
        async with self._sessions() as db:
            row = (
                await db.execute(
                    select(m.Event.key, m.Event.name).order_by(m.Event.id.desc()).limit(1)
                )
            ).first()
        return (row[0], row[1]) if row else (None, None)


async def fetch(
    location: str, *, etag: str | None = None, last_modified: str | None = None
) -> Fetched:
    """A local path, or an http(s) URL fetched with a conditional request when we can."""
    if urlsplit(location).scheme not in ("http", "https"):
        path = Path(location)
        data = await asyncio.to_thread(path.read_bytes)
        return Fetched(path.name, data)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    async with (
        aiohttp.ClientSession(timeout=FETCH_TIMEOUT) as http,
        http.get(location, headers=headers) as response,
    ):
        if response.status == 304:
            return Fetched(location, b"", etag, last_modified, unchanged=True)
        if response.status != 200:
            raise ProgrammeFormatError(
                location,
                [Problem("", N_("the server answered HTTP {status}", status=response.status))],
            )
        data = await response.content.read(MAX_PROGRAMME_BYTES + 1)
        if len(data) > MAX_PROGRAMME_BYTES:
            raise ProgrammeFormatError(location, [Problem("", N_("the file is larger than 20 MB"))])
        return Fetched(
            urlsplit(location).path.rsplit("/", 1)[-1] or location,
            data,
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
        )

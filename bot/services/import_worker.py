"""Reading a programme file and working out what it changes, in a process of its own.

For a large programme both build hundreds of thousands of objects. In the bot's process that
work took turns at the GIL with the event loop and set off full garbage collections (40–120 ms
each, measured with 5,000 sessions), and every attendee's update in flight waited; a hostile
file could also take all the process's memory or time. So one worker process, started on first
use and kept for the next import, parses the file, reads the stored programme over its own
connection and returns the plan (or, for a dry run, just the summary). It may use at most
`MEMORY_LIMIT` bytes and `TIME_LIMIT` seconds a file; beyond either it is replaced and the file
refused with a message saying so. Only the write stays in the bot's process, where the
database's one writer is (`ProgrammeService.write`).

The worker is spawned, not forked (forking a process with a running event loop and database
threads is unsafe), so like any spawning program the script that starts the bot must guard
its entry point with `if __name__ == "__main__":` (`python -m bot`, the `symposium-bot`
script and pytest all do).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bot.db.engine import create_engine, create_session_factory
from bot.domain.programme_plan import ImportSummary, Plan, Stored, plan
from bot.importers import Format, builder, parse_programme
from bot.importers.base import N_, Msg, Problem, ProgrammeFormatError
from bot.services.programme import read_stored

log = logging.getLogger(__name__)

TIME_LIMIT = 120.0  # seconds to parse and match one file
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space the worker may use
NICENESS = 10  # the worker's CPU priority below the bot's


@dataclass(frozen=True)
class Job:
    database_url: str
    name: str
    data: bytes
    format: Format | None
    timezone: str
    event_key: str | None
    event_name: str | None
    max_sessions: int = builder.MAX_SESSIONS


class ImportWorker:
    """The worker process, shared by every import in this process (one at a time)."""

    def __init__(self, *, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT):
        self._time_limit = time_limit
        self._memory_limit = memory_limit
        self._pool: ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()

    async def preview(self, job: Job) -> ImportSummary:
        summary = await self._run(job, dry_run=True)
        assert isinstance(summary, ImportSummary)
        return summary

    async def plan(self, job: Job) -> Plan:
        planned = await self._run(job, dry_run=False)
        assert isinstance(planned, Plan)
        return planned

    async def _run(self, job: Job, *, dry_run: bool) -> ImportSummary | Plan:
        async with self._lock:  # one file at a time: the worker's limits are per file
            pool = self._start()
            future = asyncio.wrap_future(pool.submit(work, job, dry_run))
            try:
                return await asyncio.wait_for(future, self._time_limit)
            except TimeoutError:
                self._replace()
                log.warning("import of %s took over %.0f s; stopped", job.name, self._time_limit)
                raise _refused(job, N_("reading the file took too long")) from None
            except MemoryError:
                self._replace()
                log.warning("import of %s ran out of memory; the worker was replaced", job.name)
                raise _refused(
                    job, N_("the file needs more memory than an import may use")
                ) from None
            except BrokenProcessPool as error:  # killed, or crashed: not the file's fault
                self._replace()
                log.error("import of %s: the import worker stopped (%s); replaced", job.name, error)
                raise _refused(
                    job, N_("the import stopped unexpectedly; please send the file again")
                ) from None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of a running loop
                initializer=_set_up_worker,
                initargs=(self._memory_limit,),
            )
        return self._pool

    def _replace(self) -> None:
        """Kill the worker (stuck or broken); the next import starts a new one."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


_SHARED: ImportWorker | None = None


def shared_worker() -> ImportWorker:
    """The process's worker (started on its first import)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ImportWorker()
    return _SHARED


def _refused(job: Job, why: Msg) -> ProgrammeFormatError:
    return ProgrammeFormatError(job.name, [Problem("", why)])


def _set_up_worker(memory_limit: int) -> None:
    """In the worker: it yields the CPU to the bot's process (attendees first, on a machine
    with as few cores as a small VPS), and a file that would take more memory fails here,
    not in the bot."""
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    except (ImportError, ValueError, OSError):  # not on this platform: time still bounds it
        pass


def work(job: Job, dry_run: bool) -> ImportSummary | Plan:
    """In the worker: parse, read the stored programme, match."""
    programme = parse_programme(
        job.name,
        job.data,
        format=job.format,
        timezone=job.timezone,
        event_key=job.event_key,
        event_name=job.event_name,
        max_sessions=job.max_sessions,
    )
    stored = asyncio.run(_read(job.database_url, programme.event.key))
    planned = plan(stored, programme)
    if dry_run:
        return planned.summary(planned.removal(planned.bookmarked), applied=False)
    return planned


async def _read(database_url: str, event_key: str) -> Stored:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            return await read_stored(db, event_key)
    finally:
        await engine.dispose()

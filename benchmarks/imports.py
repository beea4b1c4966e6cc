"""Programme imports: how long parsing, matching ("diff") and writing take, and how much memory
the parsing and matching hold, for programmes from 100 to 20,000 sessions.

    .venv/bin/python benchmarks/imports.py           # SQLite, and PostgreSQL with TEST_POSTGRES_URL
    .venv/bin/python benchmarks/imports.py --db sqlite --sizes 1000,5000

For each programme (FOSDEM 2026 as published, and generated CSV programmes of the given sizes)
and each database, in a fresh database:
- parse: `parse_programme` on the file's bytes;
- diff: reading the stored programme plus matching it against the file (`read_stored`, `plan`);
- apply: writing the plan (`ProgrammeService.write`), with how long SQLite's one writer was
  held (the time every attendee's update would wait at most);
- the same for a re-import of the unchanged programme (nothing may be written) and of a
  lightly changed one (1 in 50 sessions moved by half an hour);
- memory: the peak of Python allocations while parsing and matching (tracemalloc, in a pass of
  its own, so the timings are not traced);
- the organizer's wait for a preview through the import worker (a process of its own, as the
  bot does it; the first one includes starting the worker).
The attendees' reply latency while an organizer previews a 5,000-session file is measured by
`benchmarks/faults.py --only preview`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import scratch_postgres
from sqlalchemy import event

from bot.clock import FrozenClock
from bot.db import sqlite_writes
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.domain.programme_plan import plan
from bot.importers import parse_programme
from bot.services.import_worker import ImportWorker
from bot.services.imports import ImportService
from bot.services.programme import ProgrammeService, read_stored

ROOT = Path(__file__).resolve().parents[1]
FOSDEM = ROOT / "tests" / "questions" / "data" / "fosdem-2026.xml"
ZONE = "Europe/Brussels"
SCRATCH_DB = "symposium_imports_bench"


def generated(sessions: int, moved_every: int = 0) -> bytes:
    """A CSV programme in the template's columns: 20 rooms, 15 tracks, two speakers a
    session, five days; every `moved_every`-th session half an hour later."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["key", "day", "start", "end", "title", "abstract", "room", "track", "speakers"]
    )
    for i in range(sessions):
        day, slot = 1 + (i // 400) % 5, i % 400
        hour = 8 + (slot // 20) % 12
        minute = 30 if moved_every and i % moved_every == 0 else 0
        writer.writerow(
            [
                f"s{i}",
                f"2026-03-{10 + day}",
                f"{hour:02d}:{minute:02d}",
                f"{hour:02d}:{minute + 25:02d}",
                f"Session {i} on topic {i % 97}",
                "What the session is about, in a sentence or two. " * 2,
                f"Room {slot % 20}",
                f"Track {i % 15}",
                f"Speaker {i}; Speaker {i + 1}",
            ]
        )
    return out.getvalue().encode()


def moved_fosdem(data: bytes) -> bytes:
    """FOSDEM with every 50th event half an hour later (its <date> and <start>)."""

    def later(match: re.Match[str]) -> str:
        moved = datetime(2026, 1, 1, int(match[2]), int(match[3]), tzinfo=UTC)
        moved += timedelta(minutes=30)
        return f"{match[1]}{moved:%H:%M}"

    events = data.decode().split("<event ")
    for n in range(50, len(events), 50):
        events[n] = re.sub(r"(<date>\d{4}-\d\d-\d\dT|<start>)(\d\d):(\d\d)", later, events[n])
    return "<event ".join(events).encode()


class WriterWatch:
    """How long SQLite's write gate was held, at most, while watched."""

    def __init__(self, engine: object) -> None:
        self.longest = 0.0
        self._gate = sqlite_writes._GATES.get(engine.sync_engine)  # type: ignore[attr-defined]
        self._since: float | None = None
        if self._gate is not None:
            take, try_take, give = self._gate.take, self._gate.try_take, self._gate.give_back

            def timed_try() -> bool:
                taken = try_take()
                if taken:
                    self._since = time.perf_counter()
                return taken

            async def timed_take() -> None:
                await take()
                self._since = time.perf_counter()

            def timed_give() -> None:
                if self._since is not None:
                    self.longest = max(self.longest, time.perf_counter() - self._since)
                    self._since = None
                give()

            self._gate.try_take, self._gate.take = timed_try, timed_take  # type: ignore[method-assign]
            self._gate.give_back = timed_give  # type: ignore[method-assign]


def count_writes(engine: object) -> Callable[[], int]:
    seen = [0]

    def record(_c: object, _cu: object, statement: str, *_: object) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", record)  # type: ignore[attr-defined]
    return lambda: seen[0]


async def one(url: str, name: str, data: bytes, changed: bytes, worker: ImportWorker) -> list[str]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    service = ProgrammeService(sessions, clock)
    writer = WriterWatch(engine)
    writes = count_writes(engine)
    rows = []

    async def round_(label: str, payload: bytes) -> None:
        start = time.perf_counter()
        programme = await asyncio.to_thread(parse_programme, name, payload, timezone=ZONE)
        parsed = time.perf_counter()
        async with sessions() as db:
            stored = await read_stored(db, programme.event.key)
        planned = await asyncio.to_thread(plan, stored, programme)
        diffed = time.perf_counter()
        writer.longest, before = 0.0, writes()
        summary = await service.write(planned)
        applied = time.perf_counter()
        rows.append(
            f"{name[:22]:<22} {len(programme.sessions):>6} {label:<9} "
            f"{parsed - start:>7.2f} {diffed - parsed:>7.2f} {applied - diffed:>7.2f} "
            f"{writer.longest * 1000 if writer._gate else float('nan'):>9.0f} "
            f"{writes() - before:>7} {len(summary.added):>6} {len(summary.changes):>7}"
        )

    await round_("new", data)
    await round_("unchanged", data)
    await round_("changed", changed)
    tracemalloc.start()
    programme = parse_programme(name, changed, timezone=ZONE)
    async with sessions() as db:
        stored = await read_stored(db, programme.event.key)
    plan(stored, programme)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    importer = ImportService(sessions, service, ZONE, clock, worker)
    start = time.perf_counter()
    await importer.load(name, data, dry_run=True)
    waited = time.perf_counter() - start
    rows.append(
        f"{'':<22} {'':>6} memory peak (parse + diff) {peak / 2**20:,.0f} MiB; "
        f"a preview through the worker {waited:.2f} s"
    )
    await engine.dispose()
    return rows


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    args = parser.parse_args()
    fosdem = FOSDEM.read_bytes()
    programmes = [("fosdem-2026.xml", fosdem, moved_fosdem(fosdem))]
    for size in (int(s) for s in args.sizes.split(",") if s):
        programmes.append((f"generated-{size}.csv", generated(size), generated(size, 50)))
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    worker = ImportWorker()
    print(
        f"{'programme':<22} {'sessns':>6} {'import':<9} {'parse s':>7} {'diff s':>7} "
        f"{'apply s':>7} {'writer ms':>9} {'writes':>7} {'added':>6} {'changes':>7}"
    )
    try:
        for kind in kinds:
            if kind == "postgres" and not args.postgres_url:
                print("postgres: skipped (no --postgres-url or TEST_POSTGRES_URL)")
                continue
            print(f"-- {kind}")
            for name, data, changed in programmes:
                with tempfile.TemporaryDirectory() as directory:
                    if kind == "sqlite":
                        url = f"sqlite+aiosqlite:///{directory}/bench.db"
                    else:
                        url = await scratch_postgres(
                            args.postgres_url, create=True, name=SCRATCH_DB
                        )
                    for row in await one(url, name, data, changed, worker):
                        print(row, flush=True)
            if kind == "postgres":
                await scratch_postgres(args.postgres_url, create=False, name=SCRATCH_DB)
    finally:
        worker.close()
    print("writer ms: the longest SQLite's write gate was held (n/a on PostgreSQL)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

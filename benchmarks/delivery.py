"""Delivery engine benchmark: how close the dispatcher gets to its configured rate, how late
scheduled messages go out, and whether memory stays flat as the outbox grows.

Run on demand (it is not a test):

    .venv/bin/python benchmarks/delivery.py                  # SQLite: 10,000 and 100,000 rows
    .venv/bin/python benchmarks/delivery.py --rows 10000 --db postgres --rate 300 1000
    .venv/bin/python benchmarks/delivery.py --rows 2000 10000 --spread-rows 0 --tracemalloc

Each case runs in a fresh child process (clean memory figures) with a fresh database, and the
strict fake Bot API runs in a second child process, so its own work and memory (it keeps every
message) are not charged to the dispatcher, as Telegram's would not be. The outbox is filled
with one `notice` row per distinct user (bulk insert), then `Dispatcher.run` delivers it through
the real sender (`TelegramSender`):

- `backlog` (`--rows`, at `--rate`): every row is due at the start, like a broadcast. This is
  the throughput at full batches; "lateness" here is just the wait in the queue.
- `spread` (`--spread-rows`, at `--spread-rate`, default Telegram's 30/s): rows fall due one
  after another at the configured rate, like a stream of reminders; lateness is
  `sent_at - due_at`. When the dispatcher has caught up it sleeps until the next row is due.

Rate: `msgs/s` is the rows over the time from the first send to the last, `share` that over
the configured rate. The limiter lets one second's worth out at once first, so short runs show
more than 100%; `steady` leaves out the first `rate` messages (it still counts what leaked
during that burst, so it can read a few percent over). `fake ms` is the fake Bot API's CPU per
message, `load` the machine's load average at the end (the machine may be shared).

Memory: RSS peak (`resource.getrusage`) always; with `--tracemalloc`, also the peak of Python
allocations during delivery (tracing makes the run about 2.5 times slower, so the throughput
of such a run means little).

PostgreSQL: `--postgres-url` (default `$TEST_POSTGRES_URL`, else the local server) names a
server; a database is created for each case and dropped after it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.outbox_kinds import NOTICE

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH-TOKEN"
FIRST_USER = 10_000_000
CHUNK = 5_000
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


# --------------------------------------------------------------------------- the fake Bot API
async def serve_fake(first: int, count: int) -> None:
    """A child process: the fake Bot API with `count` users; prints its port, then, when stdin
    closes, how many messages each chat got."""
    from bot.sandbox.fake_bot_api import FakeBotApi
    from bot.sandbox.models import SentMessage

    per_chat: Counter[int] = Counter()

    def count_message(message: SentMessage) -> None:
        if message.edits == 0 and not message.deleted:
            per_chat[message.chat_id] += 1

    async with FakeBotApi(TOKEN) as fake:
        for user_id in range(first, first + count):
            fake.user(user_id, f"U{user_id}")
        fake.on_message = count_message

        async def forget_calls() -> None:  # the call log would grow with every message
            while True:
                await asyncio.sleep(1)
                fake.calls.clear()

        trimmer = asyncio.create_task(forget_calls())
        print(f"PORT {fake.base_url.split(':')[-1].split('/')[0]}", flush=True)
        await asyncio.to_thread(sys.stdin.read)
        trimmer.cancel()
    repeats = sum(n - 1 for n in per_chat.values() if n > 1)
    print(
        json.dumps(
            {
                "messages": sum(per_chat.values()),
                "chats": len(per_chat),
                "dup": repeats,
                "cpu_s": round(time.process_time(), 2),
            }
        )
    )


class FakeProcess:
    def __init__(self, count: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake", str(FIRST_USER), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the fake Bot API did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}/bot"

    def finish(self) -> dict[str, int]:
        out, _ = self.process.communicate(timeout=120)
        result: dict[str, int] = json.loads(out.strip().splitlines()[-1])
        return result


# --------------------------------------------------------------------------- databases
async def create_database(kind: str, postgres_url: str, directory: Path) -> tuple[str, str]:
    """A fresh, empty database: (its URL, the name to drop afterwards)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'bench.db'}", ""
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(postgres_url)
    name = f"symposium_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(server.set(drivername="postgresql").render_as_string(False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server.set(database=name).render_as_string(hide_password=False), name


async def drop_database(postgres_url: str, name: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def fill(sessions: Any, rows: int, due: list[datetime] | datetime) -> None:
    """One user and one `notice` row per user, inserted in chunks (memory stays bounded)."""
    from sqlalchemy import insert

    from bot.db import models as m

    now = datetime.now(UTC)
    for start in range(0, rows, CHUNK):
        ids = range(FIRST_USER + start, FIRST_USER + min(rows, start + CHUNK))
        async with sessions.begin() as db:
            await db.execute(
                insert(m.User),
                [
                    {"id": u, "display_name": f"U{u}", "first_seen": now, "last_seen": now}
                    for u in ids
                ],
            )
            await db.execute(
                insert(m.OutboxMessage),
                [
                    {
                        "key": f"{NOTICE}:bench:{u}",
                        "kind": NOTICE,
                        "subject": "bench",
                        "recipient_id": u,
                        "locale": "en",
                        "payload": json.dumps({"texts": {"en": f"Hello {u}"}, "default": "en"}),
                        "due_at": due if isinstance(due, datetime) else due[u - FIRST_USER],
                        "state": "pending",
                        "attempts": 0,
                        "created_at": now,
                    }
                    for u in ids
                ],
            )


# --------------------------------------------------------------------------- one case
async def run_case(
    kind: str, rows: int, rate: float, due_mode: str, in_flight: int, pg: str, trace: bool
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from bot.app import Runtime
    from bot.config import Settings
    from bot.db import models as m

    fake = FakeProcess(rows)
    result: dict[str, Any] = {"db": kind, "rows": rows, "rate": rate, "due": due_mode}
    result["in_flight"] = in_flight
    with tempfile.TemporaryDirectory() as directory:
        url, pg_name = await create_database(kind, pg, Path(directory))
        settings = Settings(
            bot_token=TOKEN,
            api_base_url=fake.base_url,
            database_url=url,
            delivery_per_second=rate,
            delivery_in_flight=in_flight,
        )
        runtime = Runtime.build(settings)
        try:
            await runtime.start(commands=False)  # migrations, getMe
            sessions = runtime.services.sessions
            filled = time.perf_counter()
            if due_mode == "backlog":
                await fill(sessions, rows, datetime.now(UTC))
                start_at = datetime.now(UTC)
            else:  # due one after another at the configured rate, from just after the fill
                start_at = datetime.now(UTC) + timedelta(seconds=2 + rows / 15_000)
                step = timedelta(seconds=1 / rate)
                await fill(sessions, rows, [start_at + i * step for i in range(rows)])
            result["fill_s"] = round(time.perf_counter() - filled, 2)

            if trace:
                tracemalloc.start()
            cpu = time.process_time()
            stop = asyncio.Event()
            task = asyncio.create_task(runtime.dispatcher.run(stop))
            while True:
                await asyncio.sleep(0.5)
                counts = await runtime.services.outbox.counts()
                if (
                    counts.get("sent", 0) + counts.get("failed", 0) + counts.get("skipped", 0)
                    >= rows
                    or task.done()
                ):
                    break
            stop.set()
            await task
            result["cpu_s"] = round(time.process_time() - cpu, 2)
            if trace:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                result["tracemalloc_peak_mb"] = round(peak / 2**20, 1)
            result["rss_peak_mb"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            )
            result["states"] = counts

            async with sessions() as db:
                times = (
                    await db.execute(select(m.OutboxMessage.due_at, m.OutboxMessage.sent_at))
                ).all()
                first_sent = await db.scalar(select(func.min(m.OutboxMessage.sent_at)))
        finally:
            await runtime.stop()
            if pg_name:
                await drop_database(pg, pg_name)
    sent = sorted(t[1] for t in times if t[1] is not None)
    lateness = sorted((s - d).total_seconds() for d, s in times if s is not None)
    began = start_at if due_mode == "spread" else (first_sent or start_at)
    elapsed = (sent[-1] - began).total_seconds() if sent else float("nan")
    result["elapsed_s"] = round(elapsed, 2)
    result["msgs_per_s"] = round(len(sent) / elapsed, 1) if sent else 0.0
    result["share_of_rate"] = round(result["msgs_per_s"] / rate, 3)
    # After the limiter's first burst (one second's worth goes out at once): the pace it keeps
    burst = min(int(rate), len(sent) // 2)
    kept = (sent[-1] - sent[burst]).total_seconds() if sent else 0.0
    result["steady_per_s"] = round((len(sent) - 1 - burst) / kept, 1) if kept > 0 else 0.0
    result["steady_share"] = round(result["steady_per_s"] / rate, 3)
    result["lateness_p50_s"] = round(_quantile(lateness, 0.50), 3)
    result["lateness_p99_s"] = round(_quantile(lateness, 0.99), 3)
    result["lateness_max_s"] = round(lateness[-1], 3) if lateness else None
    received = fake.finish()
    result["received"] = received["messages"]
    result["duplicates"] = received["dup"]
    result["fake_cpu_s"] = received["cpu_s"]  # the fake's own CPU, for the record
    result["load"] = round(os.getloadavg()[0], 1)  # the machine is shared: how busy it was
    return result


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


# --------------------------------------------------------------------------- the driver
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument(
        "--rate", type=float, nargs="*", default=[1000.0], help="DELIVERY_PER_SECOND (each)"
    )
    parser.add_argument("--spread-rows", type=int, default=1000, help="0: no spread case")
    parser.add_argument("--spread-rate", type=float, default=30.0)
    parser.add_argument(
        "--in-flight",
        type=int,
        default=16,
        help="DELIVERY_IN_FLIGHT (the default): the fake answers in 2-15 ms on a busy machine",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="trace allocations (slow)")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    )
    parser.add_argument("--serve-fake", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve_fake:
        asyncio.run(serve_fake(*args.serve_fake))
        return 0
    if args.case:
        kind, rows, rate, due = args.case.split(":")
        outcome = asyncio.run(
            run_case(
                kind,
                int(rows),
                float(rate),
                due,
                args.in_flight,
                args.postgres_url,
                args.tracemalloc,
            )
        )
        print(json.dumps(outcome))
        return 0

    cases = [(rows, rate, "backlog") for rate in args.rate for rows in args.rows]
    if args.spread_rows:
        cases.append((args.spread_rows, args.spread_rate, "spread"))
    print(
        f"{'db':8} {'rows':>7} {'due':8} {'rate/s':>7} {'msgs/s':>8} {'share':>6} {'steady':>7} "
        f"{'late p50':>9} {'late p99':>9} {'RSS peak':>9} {'traced':>8} {'cpu ms/msg':>10} "
        f"{'fake ms':>7} {'dup':>4} {'load':>4} fill"
    )
    for rows, rate, mode in cases:
        command = [sys.executable, __file__, "--case", f"{args.db}:{rows}:{rate}:{mode}"]
        command += ["--postgres-url", args.postgres_url, "--in-flight", str(args.in_flight)]
        if args.tracemalloc:
            command.append("--tracemalloc")
        child = subprocess.run(command, capture_output=True, text=True, check=False)
        if child.returncode != 0:
            print(child.stdout + child.stderr, file=sys.stderr)
            return 1
        r = json.loads(child.stdout.strip().splitlines()[-1])
        traced = r.get("tracemalloc_peak_mb")
        print(
            f"{r['db']:8} {r['rows']:>7} {r['due']:8} {r['rate']:>7.0f} {r['msgs_per_s']:>8.1f} "
            f"{r['share_of_rate']:>6.1%} {r['steady_share']:>7.1%} "
            f"{r['lateness_p50_s']:>8.3f}s {r['lateness_p99_s']:>8.3f}s "
            f"{r['rss_peak_mb']:>7.1f}MB {'-' if traced is None else f'{traced:.1f}MB':>8} "
            f"{1000 * r['cpu_s'] / rows:>10.2f} {1000 * r['fake_cpu_s'] / rows:>7.2f} "
            f"{r['duplicates']:>4} {r['load']:>4.1f} {r['fill_s']}s",
            flush=True,
        )
        if r["received"] != rows or r["states"] != {"sent": rows}:
            print(f"  !! not every row was delivered exactly once: {r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

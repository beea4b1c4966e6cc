"""Faults: what one file, update, outage or flood does to everyone else's answers.

    .venv/bin/python benchmarks/faults.py [--db sqlite|postgres|both] [--only preview,poison]

The bot is started as a deployment starts it (`python -m bot db upgrade`, the sample programme
imported, then `python -m bot run` in webhook mode) against the fake Bot API, which runs here.
Attendees send a steady open-loop stream of simple updates (`/now`, a search word, the
📅 Programme button) from many distinct users, each POSTed to the webhook through at most
`--max-connections` connections at once, as Telegram does (its default is 40); an update's
latency runs from when it was due until its answer reaches the fake. For each fault, on a
fresh copy of the database and a fresh bot process:

1. a baseline window with nothing wrong (`--baseline` seconds, after a short warm-up);
2. the fault, with the stream still running:
   - **preview**: an organizer (in BOT_ADMINS) sends a 5,000-session CSV file built from the
     template's columns; the fault lasts until the dry-run diff (or any answer) reaches them,
     at most `--preview-deadline` seconds;
   - **poison**: 150 valid updates from other users posted at once in two halves, among them
     updates nested about a thousand levels deep (`--poison-depths`), one whose update_id is
     beyond 64 bits, one with a lone surrogate and one whose secret header is not UTF-8;
     then `--poison-seconds`. Its baseline gets the same 150 valid updates without the
     poison, so that the burst itself is not counted against the poison;
   - **outage** (PostgreSQL only): the bot reaches PostgreSQL through a TCP proxy run here,
     which drops every connection and refuses new ones for `--cut-seconds`, as a restart
     would, then lets them through again; the window runs on for `--recovery-seconds`;
   - **idle**: `--idle-connections` TCP connections opened to the webhook port that never
     send a byte, held for `--idle-seconds`;
3. the stragglers are waited for (at most `--grace` seconds) and the bot is stopped.

Printed per fault and database: the attendees' p50/p99 in the baseline and during the fault,
5xx answers, POSTs that failed (timeout, refused, reset), updates accepted (200) but never
answered, and the lines (and bytes) the bot logged during the fault (LOG_LEVEL=INFO, a
deployment's default). The goal is printed with them. Every fault has a deadline and a run
goes on to the next fault whatever the bot does. The bot's limit of open files is set to
`--bot-nofile` (1024, the default soft limit of a systemd service) and printed; this process
raises its own.
PostgreSQL: `--postgres-url` (default $TEST_POSTGRES_URL) names a server where scratch
databases `symposium_faults_base` and `symposium_faults` are created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import itertools
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from ingest import (
    HOOK,
    SEARCHES,
    SECRET,
    BotUnderTest,
    base_env,
    free_port,
    quiet_collector,
    text_update,
)

from bot.importers.csv_format import COLUMNS
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[1]
FAULTS = ("preview", "poison", "outage", "idle")
ORGANIZER = 4_200_000  # in BOT_ADMINS
ATTENDEES_FROM = 7_000_000
BURST_FROM = 5_000_000
POISON_FROM = 6_000_000
ASKS = ("/now", "search", "📅 Programme")  # one answer each
POST_TIMEOUT = 35.0  # the bot answers 503 after 30 s when it cannot store an update
GOAL_RATIO = 2.0
GOAL_LOG_LINES = 5
BASE_DB = "symposium_faults_base"
SCRATCH_DB = "symposium_faults"


# --- the attendees ---------------------------------------------------------------------------
@dataclass
class Sent:
    """One update an attendee sent: when it was due, what the webhook said, when answered."""

    due: float
    user: int
    burst: bool = False
    status: int | None = None
    error: str | None = None
    answered: float | None = None

    @property
    def latency(self) -> float | None:
        return None if self.answered is None else self.answered - self.due


class Attendees:
    """An open-loop stream of simple updates, and the answers matched back to them."""

    def __init__(
        self, fake: FakeBotApi, url: str, users: int, rate: float, connections: int
    ) -> None:
        self.fake, self.url, self.rate = fake, url, rate
        self.users = [
            fake.user(ATTENDEES_FROM + n, f"A{n}", language_code="en") for n in range(users)
        ]
        self.waiting: dict[int, deque[Sent]] = {}
        self.sent: list[Sent] = []
        self.gate = asyncio.Semaphore(connections)
        self.tasks: set[asyncio.Task[None]] = set()
        self.http: aiohttp.ClientSession | None = None
        self._turn = itertools.cycle(self.users)
        self._asks = itertools.count()

    def answered(self, message: SentMessage) -> None:
        queue = self.waiting.get(message.chat_id)
        if queue:
            queue.popleft().answered = time.perf_counter()

    async def __aenter__(self) -> Attendees:
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.http is not None:
            await self.http.close()

    async def run(self, stop: asyncio.Event) -> None:
        """One update every 1/rate seconds, whoever is free next, answered or not."""
        start = time.perf_counter()
        for n in itertools.count():
            due = start + n / self.rate
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, due - time.perf_counter()))
            if stop.is_set():
                return
            user = self._free()
            ask = ASKS[next(self._asks) % len(ASKS)]
            text = SEARCHES[user.id % len(SEARCHES)] if ask == "search" else ask
            self.post(Sent(due, user.id), text_update(self.fake, user, text))

    def _free(self) -> FakeUser:
        """The next attendee with no answer pending (per-chat order would queue them)."""
        user = next(self._turn)
        for _ in range(len(self.users)):
            if not self.waiting.get(user.id):
                break
            user = next(self._turn)
        return user

    def post(self, sent: Sent, update: dict[str, Any], *, gated: bool = True) -> None:
        self.sent.append(sent)
        self.waiting.setdefault(sent.user, deque()).append(sent)
        task = asyncio.create_task(self._post(sent, json.dumps(update).encode(), gated))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, sent: Sent, body: bytes, gated: bool) -> None:
        assert self.http is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        try:
            async with (
                self.gate if gated else contextlib.nullcontext(),
                self.http.post(self.url, data=body, headers=headers, timeout=timeout) as answer,
            ):
                sent.status = answer.status
                await answer.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            sent.error = type(error).__name__
        if sent.status != 200 and sent.answered is None:  # not stored: no answer will come
            with contextlib.suppress(ValueError):
                self.waiting[sent.user].remove(sent)

    async def settle(self, until: float, grace: float) -> None:
        """Wait for the answers to what was due before `until`, at most `grace` seconds."""
        deadline = time.perf_counter() + grace
        while time.perf_counter() < deadline:
            if all(
                s.answered or s.status not in (None, 200) or s.error for s in self.due(0, until)
            ):
                return
            await asyncio.sleep(0.1)

    def due(self, start: float, end: float, *, burst: bool = False) -> list[Sent]:
        return [s for s in self.sent if start <= s.due < end and s.burst == burst]


@dataclass
class Window:
    sent: int
    answered: int
    p50_ms: float | None
    p99_ms: float | None
    errors_5xx: int
    failed: int  # no HTTP answer: timeout, refused, reset
    unanswered: int  # accepted (200), no answer by the end; a 5xx is for Telegram to resend

    @classmethod
    def of(cls, sent: list[Sent]) -> Window:
        latencies = sorted(s.latency for s in sent if s.latency is not None)
        p50 = statistics.median(latencies) * 1000 if latencies else None
        p99 = None
        if len(latencies) >= 2:
            p99 = statistics.quantiles(latencies, n=100)[98] * 1000
        elif latencies:
            p99 = latencies[0] * 1000
        return cls(
            len(sent),
            len(latencies),
            p50,
            p99,
            sum(1 for s in sent if (s.status or 0) >= 500),
            sum(1 for s in sent if s.error is not None),
            sum(1 for s in sent if s.answered is None and s.status == 200),
        )


def failures(sent: list[Sent]) -> str:
    """What the failed POSTs ran into, e.g. " (ServerDisconnectedError ×2)"."""
    kinds = Counter(s.error for s in sent if s.error is not None)
    if not kinds:
        return ""
    return " (" + ", ".join(f"{kind} ×{count}" for kind, count in kinds.most_common()) + ")"


# --- the bot and its log ---------------------------------------------------------------------
class LogMark:
    """Where the bot's log was at a moment, to count what it wrote since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def since(self, start: LogMark) -> tuple[int, int, str]:
        with self.path.open("rb") as log:
            log.seek(start.offset)
            written = log.read(self.offset - start.offset)
        lines = written.decode(errors="replace").splitlines()
        # log records start with a timestamp; tracebacks run on under them
        kinds = Counter(
            re.sub(r"\d+", "N", _STAMP.sub("", line)) for line in lines if _STAMP.match(line)
        )
        records = sum(kinds.values())
        summary = f"{records} records" if records != 1 else "1 record"
        if kinds:
            kind, count = kinds.most_common(1)[0]
            summary += f", commonest {count}× {kind[:100]!r}"
        return len(lines), len(written), summary


_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")


def open_files_limit(pid: int) -> str:
    """The process's soft and hard limits of open files, as Linux reports them."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return f"{soft} (hard {hard})"
    return "unknown"


async def stop_bot(bot: BotUnderTest) -> None:
    """SIGTERM, a few seconds to drain, then SIGKILL (a frozen bot must not stall the run)."""
    process = bot.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    for _ in range(60):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.1)
    process.kill()
    await asyncio.to_thread(process.wait)


# --- databases -------------------------------------------------------------------------------
@dataclass
class Database:
    """A prepared base (migrated, sample programme) and a fresh copy of it per fault."""

    kind: str
    directory: Path
    server_url: str | None = None  # PostgreSQL

    def prepare(self, start: date) -> None:
        url = self.base_url()
        if self.kind == "postgres":
            asyncio.run(self._postgres(f'DROP DATABASE IF EXISTS "{BASE_DB}" WITH (FORCE)'))
            asyncio.run(self._postgres(f'CREATE DATABASE "{BASE_DB}"'))
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
        for args in (["db", "upgrade"], ["import", "--sample", "--start-date", start.isoformat()]):
            subprocess.run(
                [sys.executable, "-m", "bot", *args], cwd=self.directory, env=env, check=True
            )

    def base_url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.directory / 'base.db'}"
        return self._url(BASE_DB)

    async def fresh(self, proxy: TcpProxy | None) -> str:
        """A copy of the base for one fault; PostgreSQL through `proxy`."""
        if self.kind == "sqlite":
            return self._sqlite_copy()
        await self._postgres(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')
        await self._postgres(f'CREATE DATABASE "{SCRATCH_DB}" TEMPLATE "{BASE_DB}"')
        from sqlalchemy.engine import make_url

        url = make_url(self._url(SCRATCH_DB))
        if proxy is not None:
            url = url.set(host="127.0.0.1", port=proxy.port)
        return url.render_as_string(hide_password=False)

    def _sqlite_copy(self) -> str:
        copy = self.directory / "bot.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
            base = self.directory / f"base.db{suffix}"
            if base.exists():
                shutil.copyfile(base, f"{copy}{suffix}")
        return f"sqlite+aiosqlite:///{copy}"

    def drop(self) -> None:
        if self.kind == "postgres":
            for name in (SCRATCH_DB, BASE_DB):
                with contextlib.suppress(Exception):  # the server may be what failed
                    asyncio.run(self._postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def upstream(self) -> tuple[str, int]:
        from sqlalchemy.engine import make_url

        assert self.server_url is not None
        url = make_url(self.server_url)
        return url.host or "127.0.0.1", url.port or 5432

    def _url(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        assert self.server_url is not None
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    async def _postgres(self, statement: str) -> None:
        import asyncpg
        from sqlalchemy.engine import make_url

        assert self.server_url is not None
        server = make_url(self.server_url)
        dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()


class TcpProxy:
    """Between the bot and PostgreSQL, so the database can be cut off as a restart would:
    every connection dropped, new ones refused."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = int(self.server.sockets[0].getsockname()[1])

    async def cut(self) -> int:
        """Stop listening (connections are refused) and drop every open link."""
        assert self.server is not None
        self.server.close()
        dropped = len(self.links)
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()
        return dropped // 2

    async def _link(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        try:
            server_in, server = await asyncio.open_connection(*self.upstream)
        except OSError:
            client.transport.abort()
            return
        self.links |= {client, server}
        await asyncio.gather(_pipe(client_in, server), _pipe(server_in, client))
        self.links -= {client, server}

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self.links):
            writer.transport.abort()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        sink.transport.abort()


# --- the faults ------------------------------------------------------------------------------
@dataclass
class Context:
    args: argparse.Namespace
    fake: FakeBotApi
    bot: BotUnderTest
    attendees: Attendees
    proxy: TcpProxy | None
    programme: bytes
    notes: list[str] = field(default_factory=list)
    # 503s to updates posted while the database was away: Telegram sends those again (the
    # issue's "handled well: 503 at once, recovery at once"), so they are no miss.
    expected_5xx: int = 0


async def preview(ctx: Context) -> None:
    """An organizer sends a 5,000-session CSV file: wait for the dry-run diff."""
    fake = ctx.fake
    organizer = fake.user(ORGANIZER, "Organizer", language_code="en")
    stored = fake.state.store_file(ctx.programme, "programme-5000.csv", "text/csv", "document")
    chat = fake.state.chats[ORGANIZER]
    message = {
        "message_id": chat.allocate_id(),
        "from": organizer.to_api(),
        "chat": chat.to_api(),
        "date": int(time.time()),
        "document": fake.state.document_dict(stored),
    }
    chat.incoming[message["message_id"]] = message
    first_call = len(fake.calls)
    start = time.perf_counter()
    status = await raw_post(
        ctx.bot.port, json.dumps({"update_id": fake.hub.next_id(), "message": message}).encode()
    )
    ctx.notes.append(f"document posted: {status}")
    while True:
        for call in fake.calls[first_call:]:
            if str(call.params.get("chat_id")) == str(ORGANIZER) and call.method.startswith(
                ("send", "edit")
            ):
                text = str(call.params.get("text", ""))
                what = "the diff" if text.startswith("🔍") else repr(text[:40])
                outcome = "" if call.ok else f", refused by Telegram ({call.error_code})"
                ctx.notes.append(
                    f"organizer answered after {time.perf_counter() - start:.1f} s: "
                    f"{call.method} {what} ({len(text)} chars){outcome}"
                )
                await asyncio.sleep(1.0)
                return
        first_call = len(fake.calls)
        await asyncio.sleep(0.1)


async def poison(ctx: Context) -> None:
    """150 valid updates with the poison ones among them; then the stream goes on."""
    poisons = poison_updates(ctx.fake, ctx.args.poison_depths)
    burst, answers = await post_burst(ctx, poisons, BURST_FROM)
    named = zip([p[0] for p in poisons], answers, strict=True)
    ctx.notes.append("poison answered: " + ", ".join(f"{name} {answer}" for name, answer in named))
    await asyncio.sleep(ctx.args.poison_seconds)
    window = Window.of(burst)
    ctx.notes.append(
        f"the 150 posted with them: {window.errors_5xx} × 5xx, {window.failed} failed"
        f"{failures(burst)}, {window.unanswered} accepted but unanswered"
    )


async def control_burst(ctx: Context) -> None:
    """The poison fault's baseline: the same 150 valid updates, without the poison."""
    await post_burst(ctx, [], BURST_FROM + 150)
    ctx.notes.append("its baseline had the same 150 valid updates posted, without the poison")


Poison = tuple[str, bytes, dict[str, bytes] | None]


async def post_burst(
    ctx: Context, poisons: list[Poison], first_user: int
) -> tuple[list[Sent], list[int | str]]:
    """150 valid updates at once, in two halves a second apart; the nested poison among the
    first half, the rest among the second (an update that cannot be stored takes its whole
    group commit down, the nested ones with it). Returns them, and what the poison got."""
    fake, attendees = ctx.fake, ctx.attendees
    burst: list[Sent] = []
    nested = [p for p in poisons if p[0].startswith("nested")]  # can be stored
    halves = (nested, [p for p in poisons if p not in nested])
    answers: list[int | str] = []
    for half, among in enumerate(halves):
        posts: list[asyncio.Task[int | str]] = []
        every = 75 // (len(among) + 1)
        for n in range(75):
            user = fake.user(first_user + 75 * half + n, f"B{n}", language_code="en")
            sent = Sent(time.perf_counter(), user.id, burst=True)
            burst.append(sent)
            attendees.post(sent, text_update(fake, user, "/now"), gated=False)
            if n % every == every - 1 and len(posts) < len(among):
                _, body, headers = among[len(posts)]
                posts.append(asyncio.create_task(raw_post(ctx.bot.port, body, headers)))
        answers += await asyncio.gather(*posts)
        await asyncio.sleep(1.0)
    return burst, answers


def poison_updates(fake: FakeBotApi, depths: list[int]) -> list[Poison]:
    """(what, body, headers): updates Telegram would never send, or no database can store."""
    users = iter(itertools.count(POISON_FROM))

    def update() -> dict[str, Any]:
        user = fake.user(next(users), "P", language_code="en")
        return text_update(fake, user, "/now")

    poisons: list[Poison] = []
    for depth in depths:
        # About a thousand levels: the webhook's parser takes it, a longer stack may not.
        deep = update()
        deep["message"]["x"] = "DEEP"
        nested = "[" * depth + "]" * depth
        poisons.append(
            (f"nested {depth}", json.dumps(deep).replace('"DEEP"', nested).encode(), None)
        )
    big = update()
    big["update_id"] = 2**64
    poisons.append(("update_id 2^64", json.dumps(big).encode(), None))
    lone = update()
    lone["message"]["text"] = "haze \ud800"  # valid JSON ("\\ud800"), not valid Unicode
    poisons.append(("lone surrogate", json.dumps(lone).encode(), None))
    header = {"X-Telegram-Bot-Api-Secret-Token": SECRET.encode() + b"\xff\xfe"}
    poisons.append(("secret not UTF-8", json.dumps(update()).encode(), header))
    return poisons


async def raw_post(port: int, body: bytes, headers: dict[str, bytes] | None = None) -> int | str:
    """POST over a bare socket, so a header can carry bytes no HTTP client would send."""
    lines = [
        f"POST {HOOK} HTTP/1.1".encode(),
        f"Host: 127.0.0.1:{port}".encode(),
        b"Content-Type: application/json",
        f"Content-Length: {len(body)}".encode(),
        b"Connection: close",
    ]
    given = headers or {"X-Telegram-Bot-Api-Secret-Token": SECRET.encode()}
    lines += [name.encode() + b": " + value for name, value in given.items()]
    try:
        async with asyncio.timeout(POST_TIMEOUT):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
                await writer.drain()
                status = await reader.readline()
            finally:
                writer.transport.abort()
    except TimeoutError:
        return "timeout"
    except OSError as error:
        return type(error).__name__
    parts = status.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else "no answer"


async def outage(ctx: Context) -> None:
    """PostgreSQL unreachable for --cut-seconds: links dropped, new ones refused."""
    assert ctx.proxy is not None
    cut = time.perf_counter()
    dropped = await ctx.proxy.cut()
    await asyncio.sleep(ctx.args.cut_seconds)
    await ctx.proxy.start()
    back = time.perf_counter()
    await asyncio.sleep(ctx.args.recovery_seconds)
    answers = [s.answered for s in ctx.attendees.sent if s.answered and s.answered >= back]
    first = f"{min(answers) - back:.1f} s" if answers else "none"
    during, after = (
        Window.of(ctx.attendees.due(cut, back)),
        Window.of(ctx.attendees.due(back, 1e12)),
    )
    ctx.expected_5xx = during.errors_5xx
    ctx.notes.append(
        f"cut {ctx.args.cut_seconds:g} s ({dropped} connections dropped): "
        f"{during.errors_5xx} of {during.sent} got a 5xx meanwhile; first answer after it "
        f"{first}; after it {after.errors_5xx} × 5xx, p99 {after.p99_ms or 0:,.0f} ms"
    )


# The attacker holds its connections from a process of its own, as from another machine:
# opened from the benchmark's event loop they would slow the attendees' own client too.
IDLE_HOLDER = """
import asyncio, sys
async def main(port, count, seconds):
    async def connect():
        try:
            async with asyncio.timeout(5):
                return (await asyncio.open_connection("127.0.0.1", port))[1]
        except (TimeoutError, OSError):
            return None
    held = [w for w in await asyncio.gather(*(connect() for _ in range(count))) if w]
    print(len(held), flush=True)
    await asyncio.sleep(seconds)
    for writer in held:
        writer.transport.abort()
asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
"""


async def idle(ctx: Context) -> None:
    """Connections that never send a request, held open (from another process)."""
    port, count, seconds = ctx.bot.port, ctx.args.idle_connections, ctx.args.idle_seconds
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", IDLE_HOLDER, str(port), str(count), str(seconds),
        stdout=asyncio.subprocess.PIPE,
        preexec_fn=_raise_nofile,
    )  # fmt: skip
    assert holder.stdout is not None
    opened = (await holder.stdout.readline()).decode().strip() or "0"
    try:
        await asyncio.sleep(seconds / 2)
        ctx.notes.append(
            f"{opened} of {count} connections opened; /healthz meanwhile: {await probe(port)}"
        )
        await holder.wait()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


def _raise_nofile() -> None:
    """The holder needs a descriptor per connection."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))


async def probe(port: int) -> str:
    start = time.perf_counter()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"http://127.0.0.1:{port}/healthz", timeout=aiohttp.ClientTimeout(total=3)
            ) as answer,
        ):
            return f"{answer.status} in {(time.perf_counter() - start) * 1000:.0f} ms"
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return f"{type(error).__name__} after {time.perf_counter() - start:.1f} s"


BASELINE_LOAD: dict[str, Callable[[Context], Awaitable[None]]] = {"poison": control_burst}
FAULT_RUNS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "preview": preview,
    "poison": poison,
    "outage": outage,
    "idle": idle,
}


def deadline(args: argparse.Namespace, fault: str) -> float:
    """How long a fault may take before the run gives up on it and goes on."""
    return {
        "preview": args.preview_deadline,
        "poison": args.poison_seconds + 40,
        "outage": args.cut_seconds + args.recovery_seconds + 10,
        "idle": args.idle_seconds + 20,
    }[fault]


# --- one fault on one database ---------------------------------------------------------------
@dataclass
class Row:
    fault: str
    db: str
    base: Window | None = None
    during: Window | None = None
    log_lines: int = 0
    log_bytes: int = 0
    notes: list[str] = field(default_factory=list)
    expected_5xx: int = 0  # see Context.expected_5xx

    def verdict(self) -> str:
        if self.base is None or self.during is None:
            return "not measured"
        missed = []
        if self.during.p99_ms is None or (
            self.base.p99_ms is not None and self.during.p99_ms > GOAL_RATIO * self.base.p99_ms
        ):
            missed.append("p99")
        if self.during.errors_5xx > self.expected_5xx:
            missed.append("5xx")
        if self.during.unanswered:
            missed.append("unanswered")
        if self.log_lines > GOAL_LOG_LINES:
            missed.append("log")
        return "met" if not missed else "missed: " + ", ".join(missed)


async def run_fault(
    args: argparse.Namespace, fault: str, database: Database, programme: bytes, directory: Path
) -> Row:
    row = Row(fault, database.kind)
    proxy = TcpProxy(database.upstream()) if fault == "outage" else None
    async with FakeBotApi() as fake:
        fake.hub.note_id(1_000_000)
        if proxy is not None:
            await proxy.start()
        url = await database.fresh(proxy)
        bot = deployed_bot(fake, url, directory / f"{database.kind}-{fault}.log")
        try:
            await bot.start()
        except SystemExit as error:
            row.notes.append(f"the bot did not start: {str(error)[-300:]}")
            await stop_bot(bot)
            if proxy is not None:
                await proxy.close()
            return row
        assert bot.process is not None
        if args.bot_nofile:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.prlimit(bot.process.pid, resource.RLIMIT_NOFILE, (args.bot_nofile, hard))
        if fault == "idle":
            row.notes.append(f"the bot's open-files limit: {open_files_limit(bot.process.pid)}")
        try:
            async with Attendees(
                fake, bot.url, args.users, args.rate, args.max_connections
            ) as attendees:
                fake.on_message = attendees.answered
                ctx = Context(args, fake, bot, attendees, proxy, programme, row.notes)
                await measure(ctx, fault, row)
                row.expected_5xx = ctx.expected_5xx
        finally:
            await stop_bot(bot)
            if proxy is not None:
                await proxy.close()
    return row


async def measure(ctx: Context, fault: str, row: Row) -> None:
    args, attendees, bot = ctx.args, ctx.attendees, ctx.bot
    stop = asyncio.Event()
    with quiet_collector():
        stream = asyncio.create_task(attendees.run(stop))
        start = time.perf_counter()
        await asyncio.sleep(args.warm_up)
        base_start = time.perf_counter()
        control = BASELINE_LOAD.get(fault)
        await asyncio.gather(asyncio.sleep(args.baseline), *([control(ctx)] if control else []))
        fault_start, log_start = time.perf_counter(), LogMark(bot.log)
        try:
            await asyncio.wait_for(FAULT_RUNS[fault](ctx), deadline(args, fault))
        except TimeoutError:
            row.notes.append(f"gave up after {deadline(args, fault):.0f} s")
        except Exception as error:  # the run goes on to the next fault
            row.notes.append(f"the fault run failed: {error!r}")
        fault_end, log_end = time.perf_counter(), LogMark(bot.log)
        stop.set()
        await stream
        await attendees.settle(fault_end, args.grace)
    assert bot.process is not None
    if bot.process.poll() is not None:
        row.notes.append(f"the bot exited with {bot.process.returncode}")
    row.base = Window.of(attendees.due(base_start, fault_start))
    row.during = Window.of(attendees.due(fault_start, fault_end))
    if row.during.failed:
        row.notes.append(f"failed POSTs:{failures(attendees.due(fault_start, fault_end))}")
    row.log_lines, row.log_bytes, records = log_end.since(log_start)
    row.notes.append(f"log: {records}")
    row.notes.append(
        f"fault lasted {fault_end - fault_start:.1f} s (run {fault_end - start:.0f} s)"
    )


def deployed_bot(fake: FakeBotApi, database_url: str, log: Path) -> BotUnderTest:
    """`python -m bot run` with the environment a deployment gives it."""
    port = free_port()
    env = base_env(fake)
    env.update(
        {
            "DATABASE_URL": database_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK}",
            "WEBHOOK_SECRET": SECRET,
            "HTTP_PORT": str(port),
            "BOT_ADMINS": str(ORGANIZER),
            "LOG_LEVEL": "INFO",
        }
    )
    command = [sys.executable, "-m", "bot", "run"]
    return BotUnderTest("symposium bot", command, env, port, log)


# --- the programme file ----------------------------------------------------------------------
TRACKS = ("Ethics", "Verification", "Newsrooms", "Climate", "Elections", "Data", "Audio")
TOPICS = ("Trust", "Haze", "Sources", "Fact-checking", "Local news", "Podcasts", "Archives")


def programme_csv(sessions: int, first_day: date, rooms: int = 50) -> bytes:
    """A programme in our CSV template: `rooms` rooms, half-hour slots 08:00-18:00."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    slots = 20
    people = [f"Speaker {n:04d}" for n in range(max(2, sessions // 3))]
    for n in range(sessions):
        room, slot = n % rooms, (n // rooms) % slots
        day = first_day + timedelta(days=n // (rooms * slots))
        start = datetime(2000, 1, 1, 8, 0) + timedelta(minutes=30 * slot)  # noqa: DTZ001 - a wall time
        end = start + timedelta(minutes=30)
        topic, track = TOPICS[n % len(TOPICS)], TRACKS[n % len(TRACKS)]
        writer.writerow(
            {
                "key": f"s{n:05d}",
                "day": day.isoformat(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "title": f"{topic} in practice, part {n}",
                "abstract": f"What {track.lower()} teams learned about {topic.lower()} ({n}).",
                "kind": ("talk", "panel", "workshop", "keynote")[n % 4],
                "room": f"Room {room + 1}",
                "track": track,
                "language": "en",
                "speakers": "; ".join(people[(n + k) % len(people)] for k in range(2)),
            }
        )
    return out.getvalue().encode()


# --- the run ---------------------------------------------------------------------------------
def raise_own_limit() -> None:
    """This process holds the idle connections, the attendees' and the fake's."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


HEAD = (
    f"{'fault':<8} {'db':<9} {'idle p50/p99 ms':>16} {'fault p50/p99 ms':>17} {'×':>6} "
    f"{'5xx':>5} {'failed':>6} {'unanswered':>10} {'log lines':>9} {'log bytes':>11}  goal"
)


def table(rows: list[Row]) -> list[str]:
    """A line per fault and database, its notes under it."""

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}"

    out = []
    for row in rows:
        base, during = row.base, row.during
        if base is None or during is None:
            out.append(f"{row.fault:<8} {row.db:<9} {'not measured':>16}")
        else:
            ratio = "—"
            if during.p99_ms is not None and base.p99_ms:
                times = during.p99_ms / base.p99_ms
                ratio = f"{times:.1f}×" if times < 100 else f"{times:,.0f}×"
            unanswered = f"{during.unanswered}/{during.sent}"
            out.append(
                f"{row.fault:<8} {row.db:<9} "
                f"{ms(base.p50_ms) + '/' + ms(base.p99_ms):>16} "
                f"{ms(during.p50_ms) + '/' + ms(during.p99_ms):>17} {ratio:>6} "
                f"{during.errors_5xx:>5} {during.failed:>6} {unanswered:>10} "
                f"{row.log_lines:>9,} {row.log_bytes:>11,}  {row.verdict()}"
            )
        out.extend(f"{'':<10}{note}" for note in row.notes)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument(
        "--only", default=",".join(FAULTS), help=f"comma-separated, of: {', '.join(FAULTS)}"
    )
    parser.add_argument("--rate", type=float, default=30.0, help="attendees' updates a second")
    parser.add_argument("--users", type=int, default=300, help="distinct attendees")
    parser.add_argument("--max-connections", type=int, default=40, help="as Telegram's webhook")
    parser.add_argument("--warm-up", type=float, default=2.0, help="seconds, not measured")
    parser.add_argument("--baseline", type=float, default=8.0, help="idle window, seconds")
    parser.add_argument("--grace", type=float, default=5.0, help="wait for late answers")
    parser.add_argument("--sessions", type=int, default=5000, help="in the previewed file")
    parser.add_argument("--preview-deadline", type=float, default=60.0)
    parser.add_argument("--poison-seconds", type=float, default=8.0)
    parser.add_argument(
        "--poison-depths",
        type=lambda text: [int(d) for d in text.split(",")],
        default=[995, 985, 978, 970, 950, 900],
        help="nesting of the deep updates (comma-separated)",
    )
    parser.add_argument("--cut-seconds", type=float, default=20.0)
    parser.add_argument("--recovery-seconds", type=float, default=5.0)
    parser.add_argument("--idle-connections", type=int, default=1024)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument(
        "--bot-nofile", type=int, default=1024, help="the bot's open-files limit (0: inherit)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    faults = [f.strip() for f in args.only.split(",") if f.strip()]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    raise_own_limit()
    directory = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    print(
        f"faults: {', '.join(faults)}; databases: {', '.join(kinds)}; attendees at "
        f"{args.rate:g}/s from {args.users} users; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs; {directory}",
        flush=True,
    )
    print(f"{HEAD}\n{'-' * len(HEAD)}", flush=True)
    start_day = datetime.now(UTC).date()
    programme = programme_csv(args.sessions, start_day)
    rows: list[Row] = []
    for kind in kinds:
        if kind == "postgres" and not args.postgres_url:
            rows.append(Row("all", kind, notes=["skipped: no --postgres-url or TEST_POSTGRES_URL"]))
            continue
        database = Database(kind, directory, args.postgres_url)
        try:
            database.prepare(start_day)
            for fault in faults:
                if fault == "outage" and kind != "postgres":
                    continue  # SQLite is a file: nothing to cut
                try:
                    row = asyncio.run(run_fault(args, fault, database, programme, directory))
                except Exception as error:  # the run goes on to the next fault
                    row = Row(fault, kind, notes=[f"the run failed: {error!r}"])
                rows.append(row)
                print("\n".join(table([row])), flush=True)
        except subprocess.CalledProcessError as error:
            rows.append(Row("all", kind, notes=[f"preparing the database failed: {error}"]))
        finally:
            database.drop()
    if "outage" in faults and "postgres" not in kinds:
        rows.append(Row("outage", "sqlite", notes=["skipped: PostgreSQL only (--db postgres)"]))
    print(f"\n{HEAD}\n{'-' * len(HEAD)}")
    print("\n".join(table(rows)))
    print(
        f"goal: p99 within {GOAL_RATIO:g}× of idle, no 5xx (but 503s while the database is away, "
        "which Telegram resends), every accepted update answered, "
        f"at most {GOAL_LOG_LINES} log lines per fault (attendees: {args.rate:g} updates/s)"
    )
    print(f"load average afterwards: {os.getloadavg()[0]:.1f}")
    if args.keep:
        print(f"logs kept in {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

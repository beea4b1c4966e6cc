"""The HTTP side: Telegram's webhook (stored before it is acknowledged) and /healthz.

It is reachable by anyone who can reach the port, so it defends itself (`serve`): a
connection has REQUEST_TIMEOUT seconds to send a request's headers (from its start or its
previous answer: idle keep-alive connections close then too) and BODY_TIMEOUT more for the
body, at most MAX_CONNECTIONS are open at a time, and the event loop's "out of file
descriptors" errors are logged once a minute instead of on every attempt. Without this,
1,024 connections that never sent a byte froze the webhook and /healthz and wrote 387,000
log lines. The reverse proxy in front adds the rest (docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.db.engine import SessionFactory
from bot.db.outage import Outage
from bot.services.inbox import UpdateIdInUse, problem_with, unstorable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000
# Connection limits (`serve`); module constants so that a test can shorten them.
REQUEST_TIMEOUT = 10.0  # seconds to send a request's headers
BODY_TIMEOUT = 10.0  # seconds to send its body once the headers are in
MAX_CONNECTIONS = 256  # and at most a quarter of the process's file descriptors
LINGER = 2.0  # seconds to read what a refused request still sends before closing
REPORT_EVERY = 60.0  # seconds between log lines about refused connections or accept errors
ACCEPT_ERROR = "socket.accept() out of system resource"  # asyncio's message

SESSIONS: web.AppKey[SessionFactory] = web.AppKey("sessions")
SECRET = web.AppKey("secret", bytes)
Accept = Callable[[list[dict[str, Any]]], Awaitable[None]]
ACCEPT: web.AppKey[Accept] = web.AppKey("accept")
Readiness = Callable[[], Awaitable[dict[str, Any]]]
READINESS: web.AppKey[Readiness] = web.AppKey("readiness")
STORES = web.AppKey("stores", Outage)
REFUSALS: web.AppKey[Report] = web.AppKey("refusals")


def create_web_app(
    *,
    accept: Accept,
    sessions: SessionFactory,
    webhook_path: str,
    secret: str,
    readiness: Readiness | None = None,
) -> web.Application:
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app[SESSIONS] = sessions
    app[SECRET] = secret.encode()
    app[ACCEPT] = accept
    app[READINESS] = readiness or _database_only(sessions)
    app[STORES] = Outage("webhook: storing updates", log)
    app[REFUSALS] = Report("webhook: refused what is not an update (400)")
    app.router.add_post(webhook_path, receive_update)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def receive_update(request: web.Request) -> web.Response:
    """200 only once the update is committed; 5xx makes Telegram retry it later, 400 says
    that what came is no update we can keep (retrying would not help)."""
    if not _authorized(request.headers.get(SECRET_HEADER, ""), request.app[SECRET]):
        return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            body = await request.read()
    except TimeoutError:
        answer = web.json_response({"ok": False, "error": "too slow"}, status=408)
        answer.force_close()
        return answer
    try:
        update: Any = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _refused(request, "not JSON")
    problem = problem_with(update, body)
    if problem is not None:
        return _refused(request, problem, update)
    stores = request.app[STORES]
    try:
        await request.app[ACCEPT]([update])
    except UpdateIdInUse as busy:  # ids restarted while that update waited: expected, brief
        log.warning("%s; Telegram will send it again", busy)
        return web.json_response({"ok": False, "error": "try again"}, status=503)
    except Exception as error:
        if unstorable(error):  # this update, not the database: the others were stored
            problem = f"the database cannot take it ({type(error).__name__})"
            return _refused(request, problem, update)
        stores.failed(error)  # the first of an outage is logged, then a summary at its end
        return web.json_response({"ok": False, "error": "try again"}, status=503)
    if stores.down:
        stores.succeeded()
    return web.json_response({"ok": True})


def _authorized(given: str, secret: bytes) -> bool:
    """Compare in constant time; a header that is not ASCII is simply wrong (aiohttp gives
    undecodable bytes as surrogates, which `str.encode` refuses)."""
    try:
        candidate = given.encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(candidate, secret)


def _refused(request: web.Request, problem: str, update: Any = None) -> web.Response:
    """400, logged without a traceback or the update's content, and in a flood of them one
    line a minute (`Report`)."""
    update_id = update.get("update_id") if isinstance(update, dict) else None
    which = f"update {str(update_id)[:30]}" if update_id is not None else "a post"
    request.app[REFUSALS].count(f"{which}: {problem}")
    return web.json_response({"ok": False, "error": f"not an update: {problem}"}, status=400)


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers. The database state is reported, not required, so an
    outage does not make an orchestrator restart every instance."""
    database = "ok"
    try:
        async with request.app[SESSIONS]() as db:
            await db.execute(text("SELECT 1"))
    except Exception:
        database = "unavailable"
    return web.json_response({"status": "alive", "database": database})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers, migrations are current; plus the sender's state."""
    try:
        checks = await request.app[READINESS]()
    except Exception as error:
        log.warning("readiness check failed: %s", error)
        checks = {"database": "unavailable", "ready": False}
    return web.json_response(checks, status=200 if checks.get("ready") else 503)


def _database_only(sessions: SessionFactory) -> Readiness:
    async def check() -> dict[str, Any]:
        async with sessions() as db:
            await db.execute(text("SELECT 1"))
        return {"database": "ok", "ready": True}

    return check


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Listen on host:port with the limits above; `runner.cleanup()` stops it."""
    runner = web.AppRunner(
        app, access_log=None, keepalive_timeout=REQUEST_TIMEOUT, lingering_time=LINGER
    )
    await runner.setup()
    site = GuardedSite(runner, host, port, max_connections=connection_cap())
    await site.start()
    return runner


def connection_cap() -> int:
    """MAX_CONNECTIONS, or a quarter of the file descriptors the process may open if that
    is less: the rest are for the database, Telegram and the log."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft // 4))


class GuardedSite(web.TCPSite):
    """A TCP site that keeps at most `max_connections` open, and makes idle ones cheap.

    A connection gets aiohttp's request handler only when its first bytes arrive; until
    then it is a `_Silent` one, which costs a small object and a timer, and is closed when
    REQUEST_TIMEOUT runs out. (aiohttp would build a handler, a parser and a task for each:
    1,024 connections opened at once then held its event loop for about 200 ms.) A new
    connection beyond the cap takes the place of the oldest silent one, or, if none, of the
    oldest handler that waits for a request; someone holding connections open cannot keep
    Telegram out, and Telegram's connections, which send at once, are never silent. When
    every connection is busy with a request, the new one is closed at once. Refusals and the
    event loop's accept errors are logged at most once every REPORT_EVERY seconds.
    """

    def __init__(
        self, runner: web.BaseRunner, host: str, port: int, *, max_connections: int
    ) -> None:
        super().__init__(runner, host, port)
        self.max_connections = max_connections
        self._silent: dict[_Silent, None] = {}  # oldest first
        self._full = Report(f"HTTP: {max_connections} connections open (the cap)")
        self._accept_errors = Report("HTTP: cannot accept connections")
        self._previous_handler: Any = None

    async def start(self) -> None:
        # TCPSite.start with our protocol factory in place of the server itself.
        self._runner._reg_site(self)
        loop = asyncio.get_running_loop()
        self._previous_handler = loop.get_exception_handler()
        loop.set_exception_handler(self._exception)
        self._server = await loop.create_server(
            self._protocol, self._host, self._port, backlog=self._backlog
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.get_exception_handler() == self._exception:
            loop.set_exception_handler(self._previous_handler)
        await super().stop()
        for silent in list(self._silent):
            silent.close()

    def _protocol(self) -> asyncio.BaseProtocol:
        server = self._runner.server
        assert server is not None
        if len(self._silent) + len(server.connections) >= self.max_connections:
            if self._silent:
                next(iter(self._silent)).close()
            else:
                idle = next((c for c in server.connections if _waiting_for_request(c)), None)
                if idle is None:
                    self._full.count("refused a new connection: every one is busy")
                    return _Refused()
                idle.force_close()
            self._full.count("closed the oldest idle connection for a new one")
        return _Silent(self, server)

    def _exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The loop's exception handler: asyncio reports each failed accept (it tries again
        every second while the process is out of file descriptors) with a traceback."""
        if context.get("message") == ACCEPT_ERROR:
            self._accept_errors.count(str(context.get("exception")))
        elif self._previous_handler is not None:
            self._previous_handler(loop, context)
        else:
            loop.default_exception_handler(context)


class _Silent(asyncio.Protocol):
    """A connection that has sent nothing yet. Its first bytes hand it to aiohttp's request
    handler (made then); REQUEST_TIMEOUT without any closes it."""

    def __init__(self, site: GuardedSite, server: web.Server) -> None:
        self._site = site
        self._server = server
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._site._silent[self] = None
        self._timer = asyncio.get_running_loop().call_later(REQUEST_TIMEOUT, self.close)

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        self._forget()
        if transport is None or transport.is_closing():
            return
        handler = self._server()
        transport.set_protocol(handler)
        handler.connection_made(transport)
        handler.data_received(data)
        # aiohttp closes a connection idle after an answer (its keep-alive timeout), and in
        # recent releases one whose first request never completes; this makes sure of that.
        asyncio.get_running_loop().call_later(REQUEST_TIMEOUT, _close_if_no_request, handler)

    def eof_received(self) -> bool | None:
        self.close()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()

    def close(self) -> None:
        transport = self._transport
        self._forget()
        if transport is not None:
            transport.abort()

    def _forget(self) -> None:
        self._site._silent.pop(self, None)
        self._transport = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _waiting_for_request(handler: web.RequestHandler) -> bool:
    """Whether the connection is between requests (aiohttp's own test, for its keep-alive
    timeout, which closes it REQUEST_TIMEOUT after its last answer, or after its first
    bytes if they were not a whole request's headers)."""
    waiter = getattr(handler, "_waiter", None)
    return waiter is not None and not waiter.done()


def _close_if_no_request(handler: web.RequestHandler) -> None:
    if not getattr(handler, "_request_count", 0) and _waiting_for_request(handler):
        handler.force_close()


class _Refused(asyncio.Protocol):
    """A connection beyond the cap: closed as soon as it is made."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.abort()  # type: ignore[attr-defined]


class Report:
    """An event that can come in floods, in the log: the first at once (a warning), then at
    most one line every REPORT_EVERY seconds, with how many there were since the last line;
    each one at DEBUG. A flood of a thousand is then one or two lines, not a thousand."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._since_line = 0
        self._line_at: float | None = None

    def count(self, detail: str) -> None:
        self._since_line += 1
        now = time.monotonic()
        if self._line_at is not None and now - self._line_at < REPORT_EVERY:
            log.debug("%s: %s", self._what, detail)
            return
        n, self._since_line, self._line_at = self._since_line, 0, now
        more = f" ({n} since the last such line)" if n > 1 else ""
        log.warning("%s: %s%s", self._what, detail, more)

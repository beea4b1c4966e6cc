"""PTB's networking backend on aiohttp: every Bot API call the handlers make goes through it.

PTB's default `HTTPXRequest` costs about a quarter of the bot's CPU under load: besides
httpx's own request building, httpcore polls every pooled connection on every request to
see whether it expired. aiohttp keeps its idle connections in a queue and does none of that.
PTB documents `BaseRequest` as the place for another backend: it builds the parameters and
maps status codes and Telegram's error answers to its exceptions (`_request_wrapper`); this
class only moves bytes and turns transport failures into `TimedOut` / `NetworkError`, as
`HTTPXRequest` does. A call without a file is sent as one JSON body, which Telegram accepts
like form fields and which costs one `json.dumps` instead of PTB's per-field JSON plus URL
quoting of every byte (a programme page is kilobytes of non-ASCII text); an upload is
multipart with PTB's form fields, as `HTTPXRequest` sends it.

Given a `RetryPolicy`, a call Telegram refused for a moment is sent again here, below PTB,
so every call the handlers make (our `call_api`, PTB's `send_photo`, `query.answer()`, the
error handler's apology) gets it: a 429 is waited out (`retry_after`), a 5xx answer, a
timeout or a broken connection is tried again after a short pause, within a few attempts and
a few seconds in all (`REPLY_RETRY`): a user is waiting, and the outbox is where a message
that must arrive hours later belongs. Telegram's answers are sorted by the outbox's own
rules (`bot/telegram/outcomes.py`). A 4xx is never sent again. A timeout or a connection
broken mid-call is sent again, as the outbox does: the call may have arrived, so a message
can then come twice, at most one extra copy per such failure (docs/delivery.md,
"Duplicates"); a read timeout (15 s in the app) already outlasts the budget, so in practice
only a connection that broke quickly is sent again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.outcomes import SlowDown, TryLater, outcome_of_answer

log = logging.getLogger(__name__)

DEFAULT_POOL_SIZE = 64
JSON_BODY = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a call is tried: at most `attempts` in all, none starting after `budget`
    seconds from the first (a `retry_after` that would end later is not waited for), with
    `backoff` seconds (doubled each time, with jitter) after a 5xx or a broken connection."""

    attempts: int = 3
    budget: float = 10.0
    backoff: float = 0.5

    def pause(self, attempt: int) -> float:
        """The pause after failed attempt number `attempt` (1-based) that Telegram did not
        time: half to all of `backoff` x 2^(attempt-1), so callers do not retry in step."""
        return float(self.backoff * 2.0 ** (attempt - 1) * random.uniform(0.5, 1.0))


REPLY_RETRY = RetryPolicy()


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session, opened by `initialize`, closed by `shutdown`."""

    def __init__(
        self,
        *,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._retry = retry
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        policy = self._retry
        if policy is None:
            return await self._attempt(url, method, request_data, *timeouts)
        loop = asyncio.get_running_loop()
        started = loop.time()
        attempt = 1
        while True:
            try:
                status, payload = await self._attempt(url, method, request_data, *timeouts)
            except NetworkError as error:  # TimedOut too: it may have arrived (see above)
                wait, reason = policy.pause(attempt), f"{type(error).__name__}: {error.message}"
                if not self._may_retry(policy, attempt, loop.time() - started + wait):
                    raise
            else:
                if 200 <= status <= 299:
                    return status, payload
                outcome = outcome_of_answer(status, payload)
                if isinstance(outcome, SlowDown):
                    wait, reason = outcome.seconds, f"429, retry after {outcome.seconds:g} s"
                elif isinstance(outcome, TryLater) and outcome.certain:
                    wait, reason = policy.pause(attempt), outcome.reason
                else:  # refused for good (4xx): PTB raises it
                    return status, payload
                if not self._may_retry(policy, attempt, loop.time() - started + wait):
                    return status, payload  # PTB raises the last refusal
            log.info(
                "%s: %s; sending again in %.1f s (attempt %d of %d)",
                url.rsplit("/", 1)[-1],
                reason,
                wait,
                attempt + 1,
                policy.attempts,
            )
            await asyncio.sleep(wait)
            attempt += 1

    @staticmethod
    def _may_retry(policy: RetryPolicy, attempt: int, resume_at: float) -> bool:
        """Another attempt is allowed, and it would start within the budget."""
        return attempt < policy.attempts and resume_at <= policy.budget

    async def _attempt(
        self,
        url: str,
        method: str,
        request_data: RequestData | None,
        read_timeout: Any,
        write_timeout: Any,
        connect_timeout: Any,
        pool_timeout: Any,
    ) -> tuple[int, bytes]:
        """One HTTP exchange. The body is built here, per attempt: a form is spent once sent."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        if write_timeout is BaseRequest.DEFAULT_NONE:
            write_timeout = self._media_write_timeout if files else self._write_timeout
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, upload=bool(files)
        )
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if files:
            assert request_data is not None
            form = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        elif request_data and (parameters := request_data.parameters):
            data = json.dumps(parameters, ensure_ascii=False).encode()
            headers = JSON_BODY
        proxy = self._proxy_for(url)
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=proxy
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:  # aiohttp's timeouts (connect, pool, read) are these
            raise TimedOut from error
        except aiohttp.ClientError as error:  # refused, reset, closed mid-answer
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    def _proxy_for(self, url: str) -> str | None:
        """HTTP(S)_PROXY / NO_PROXY, as httpx honours them, looked up once per host: with
        `trust_env` aiohttp reads the environment and ~/.netrc in a thread on every request."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            self._proxies[key] = env_proxy(url)
        return self._proxies[key]

    def _timeout(
        self, read: Any, write: Any, connect: Any, pool: Any, *, upload: bool
    ) -> aiohttp.ClientTimeout:
        """PTB's four timeouts in aiohttp's terms. aiohttp has no write timeout; for an
        upload the longer of read and write bounds each wait on the socket (it may still be
        writing when the read clock starts)."""
        read = self._read_timeout if read is BaseRequest.DEFAULT_NONE else read
        connect = self._connect_timeout if connect is BaseRequest.DEFAULT_NONE else connect
        pool = self._pool_timeout if pool is BaseRequest.DEFAULT_NONE else pool
        answer = read  # None: wait for ever
        if upload and read is not None:
            answer = None if write is None else max(read, write)
        # `connect` in aiohttp covers waiting for a free pooled connection and connecting
        to_connect = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=None, connect=to_connect, sock_connect=connect, sock_read=answer
        )


# PTB marks RequestData final (for typing only) and builds it from its private parameter
# objects. A backend reads it through `parameters`, `json_parameters` and `multipart_data`,
# and this overrides the first two; tests send through both AiohttpRequest and HTTPXRequest.
class JsonRequestData(RequestData):  # type: ignore[misc]
    """A call's parameters as plain JSON values, without PTB's parameter objects (no files).
    `parameters` is what `AiohttpRequest` sends; `json_parameters` what a form needs."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        super().__init__()
        self._json = parameters

    @property
    def parameters(self) -> dict[str, Any]:
        return self._json

    @property
    def json_parameters(self) -> dict[str, str]:
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in self._json.items()}


async def call_api(
    bot: Bot, method: str, params: dict[str, Any], read_timeout: float | None = None
) -> Any:
    """One Bot API call with JSON parameters through the bot's request object (its timeouts,
    Telegram's errors as PTB's exceptions); returns Telegram's `result` as JSON.

    `Bot.send_message` and friends build PTB objects for the keyboard and parse Telegram's
    echo of the whole message (text, entities, keyboard) back into a `Message`. Where nobody
    reads that echo, the round trip through objects was about a tenth of an update's CPU."""
    timeout = BaseRequest.DEFAULT_NONE if read_timeout is None else read_timeout
    return await bot.request.post(
        f"{bot.base_url}/{method}", JsonRequestData(params), read_timeout=timeout
    )


def env_proxy(url: str) -> str | None:
    """The proxy HTTP(S)_PROXY / NO_PROXY name for `url`, as httpx (PTB) would use."""
    parts = urlsplit(url)
    proxy = getproxies().get(parts.scheme)
    if not proxy or proxy_bypass(parts.hostname or ""):
        return None
    return proxy

"""Scripted failures and delays for the fake Bot API.

Why: the bot's delivery and error handling (flood waits, blocked users, timeouts) must be
tested deterministically, which Telegram itself never allows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .models import ApiError

_DEFAULT_ERRORS = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: "Forbidden: injected error",
    404: "Not Found",
    409: "Conflict: injected error",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Injection:
    """The next ``remaining`` calls of ``method`` (for ``chat_id`` if set) fail like this."""

    method: str
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None


@dataclass
class Delay:
    """The next ``remaining`` calls of ``method`` are answered ``seconds`` late."""

    method: str
    seconds: float
    remaining: int


@dataclass
class FaultPlan:
    """Pending injections and delays, consumed in the order they were added."""

    injections: list[Injection] = field(default_factory=list)
    delays: list[Delay] = field(default_factory=list)

    def inject(
        self,
        method: str,
        *,
        error_code: int,
        description: str = "",
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Add an error; a 429 always carries ``retry_after`` (default 1) as Telegram's do."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self.injections.append(
            Injection(method, error_code, description, retry_after, times, chat_id)
        )

    def inject_delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Add a delay; the delayed call still takes effect afterwards."""
        self.delays.append(Delay(method, seconds, times))

    async def delay(self, method: str) -> None:
        """Sleep if a delay is pending for ``method``."""
        for pending in self.delays:
            if pending.method == method and pending.remaining > 0:
                pending.remaining -= 1
                await asyncio.sleep(pending.seconds)
                return

    def fail_if_injected(self, method: str, chat_id: int | None) -> None:
        """Raise the first pending injection that matches this call."""
        for injection in self.injections:
            if injection.method != method or injection.remaining <= 0:
                continue
            if injection.chat_id is not None and injection.chat_id != chat_id:
                continue
            injection.remaining -= 1
            code = injection.error_code
            description = injection.description
            if not description:
                description = _DEFAULT_ERRORS.get(code, f"Error {code}")
                if code == 429:
                    description = f"Too Many Requests: retry after {injection.retry_after}"
            parameters = None
            if injection.retry_after is not None:
                parameters = {"retry_after": injection.retry_after}
            raise ApiError(code, description, parameters)

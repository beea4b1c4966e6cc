"""What a Bot API call came to, sorted once for every sender: the outbox's dispatcher
(`bot/delivery/`) and the direct replies' transport (`bot/telegram/request.py`) both decide
from these whether to wait, send again, or give up.

The outcomes are plain data (no Telegram types); the two classifiers read either Telegram's
raw answer (status and body, as the transport sees it) or the exception PTB made of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)


@dataclass(frozen=True)
class Delivered:
    message_id: int | None


@dataclass(frozen=True)
class SlowDown:
    """429: Telegram wants every request of this bot to wait."""

    seconds: float


@dataclass(frozen=True)
class TryLater:
    """5xx, a timeout or a broken connection: the message may or may not have arrived.
    `certain` is set when Telegram itself answered that it failed (a 5xx answer), so
    sending again cannot make a second copy."""

    reason: str
    certain: bool = False


@dataclass(frozen=True)
class Unreachable:
    """403: the user blocked the bot or deleted their account."""

    reason: str


@dataclass(frozen=True)
class Refused:
    """400 and the like: sending it again would fail the same way."""

    reason: str


Outcome = Delivered | SlowDown | TryLater | Unreachable | Refused


def outcome_of_answer(status: int, payload: bytes) -> Outcome:
    """Telegram's answer as an outcome, with the descriptions PTB would give."""
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    if 200 <= status <= 299 and data.get("ok"):
        result = data.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Delivered(message_id if isinstance(message_id, int) else None)
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    message = describe(str(data.get("description") or message))
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        parameters = {}
    if parameters.get("migrate_to_chat_id"):
        chat = parameters["migrate_to_chat_id"]
        return Refused(f"Group migrated to supergroup. New chat id: {chat}")
    if parameters.get("retry_after"):
        return SlowDown(seconds(parameters["retry_after"]))
    if status == HTTPStatus.FORBIDDEN:
        return Unreachable(message)
    if 400 <= status <= 499:  # 400 and the like: sending again fails the same way
        return Refused(message)
    # 5xx (Telegram answered that it failed), or a 2xx that makes no sense
    return TryLater(message, certain=status >= 500)


def outcome_of_error(error: TelegramError) -> Outcome | None:
    """What PTB's exception means for the message; None for errors we do not expect."""
    if isinstance(error, RetryAfter):
        return SlowDown(seconds(error.retry_after))
    if isinstance(error, Forbidden):
        return Unreachable(error.message)
    if isinstance(error, TimedOut):  # a subclass of NetworkError: the send may have arrived
        return TryLater(f"timeout: {error.message}")
    if isinstance(error, BadRequest):
        return Refused(error.message)
    if isinstance(error, NetworkError):  # 5xx and connection errors
        return TryLater(error.message)
    return None


def describe(message: str) -> str:
    """PTB's TelegramError: strip 'Error: ' / 'Bad Request: ' and capitalize what is left."""
    stripped = message.removeprefix("Error: ").removeprefix("[Error]: ")
    stripped = stripped.removeprefix("Bad Request: ")
    return stripped.capitalize() if stripped != message else message


def seconds(value: Any) -> float:
    """PTB 22 gives an int (and warns it becomes a timedelta); accept both."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)

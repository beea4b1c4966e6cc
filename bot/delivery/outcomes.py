"""What a send attempt came to, in the dispatcher's terms (no Telegram types here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.presentation import Reply


@dataclass(frozen=True)
class Delivered:
    message_id: int | None


@dataclass(frozen=True)
class SlowDown:
    """429: Telegram wants every request of this bot to wait."""

    seconds: float


@dataclass(frozen=True)
class TryLater:
    """5xx, a timeout or a broken connection: the message may or may not have arrived."""

    reason: str


@dataclass(frozen=True)
class Unreachable:
    """403: the user blocked the bot or deleted their account."""

    reason: str


@dataclass(frozen=True)
class Refused:
    """400 and the like: sending it again would fail the same way."""

    reason: str


Outcome = Delivered | SlowDown | TryLater | Unreachable | Refused


class Sender(Protocol):
    async def send(self, chat_id: int, reply: Reply, locale: str) -> Outcome: ...


class Editor(Protocol):
    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> Outcome: ...

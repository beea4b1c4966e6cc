"""What a send attempt came to, in the dispatcher's terms (no Telegram types here).

The outcomes themselves are defined once, in `bot/telegram/outcomes.py`, where the direct
replies' transport sorts Telegram's answers the same way."""

from __future__ import annotations

from typing import Protocol

from bot.presentation import Reply
from bot.telegram.outcomes import Delivered, Outcome, Refused, SlowDown, TryLater, Unreachable

__all__ = [
    "Delivered",
    "Editor",
    "Outcome",
    "Refused",
    "Sender",
    "SlowDown",
    "TryLater",
    "Unreachable",
]


class Sender(Protocol):
    async def send(self, chat_id: int, reply: Reply, locale: str) -> Outcome: ...


class Editor(Protocol):
    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> Outcome: ...

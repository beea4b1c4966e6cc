"""Driving the real bot through the fake Bot API, and reading what a user saw."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bot.app import Runtime
from bot.clock import FrozenClock
from bot.config import Settings
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, InlineAnswer, SentMessage

PROCESSING_TIMEOUT = 10.0


@dataclass
class BotHarness:
    fake: FakeBotApi
    runtime: Runtime
    clock: FrozenClock
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls,
        fake: FakeBotApi,
        database_url: str,
        clock: FrozenClock,
        **overrides: Any,
    ) -> AsyncIterator[BotHarness]:
        # Telegram's pace (1 a second per chat) would make each test wait a second per extra
        # message to one user; tests/delivery/test_pacing.py holds the pace to account.
        values: dict[str, Any] = {
            "delivery_per_second": 500.0,
            "delivery_per_chat_per_second": 50.0,
        }
        values.update(overrides)
        settings = Settings(
            bot_token=fake.token,
            api_base_url=fake.base_url,
            database_url=database_url,
            event_timezone="Asia/Kuala_Lumpur",
            **values,
        )
        runtime = Runtime.build(settings, clock)
        harness = cls(fake, runtime, clock)
        await runtime.start()
        ready = asyncio.Event()
        harness._task = asyncio.create_task(runtime.serve(harness._stop, ready))
        await asyncio.wait_for(ready.wait(), timeout=10)
        try:
            yield harness
        finally:
            harness._stop.set()
            await asyncio.wait_for(harness._task, timeout=10)
            await runtime.stop()

    def user(self, user_id: int = 1001, name: str = "Amina", lang: str | None = "en") -> FakeUser:
        return self.fake.user(user_id, name, language_code=lang)

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        """Send text as `user`; returns the messages the bot sent or edited in answer."""
        return await self._act(user, self.fake.send_text(user, text))

    async def send_formatted(
        self, user: FakeUser, text: str, entities: list[dict[str, Any]]
    ) -> list[SentMessage]:
        """Send text with formatting entities (bold, links…), as the Telegram app does."""
        return await self._act(user, self.fake.send_text(user, text, entities=entities))

    async def send_photo(
        self, user: FakeUser, content: bytes, caption: str | None = None
    ) -> list[SentMessage]:
        return await self._act(user, self.fake.send_photo(user, content, caption=caption))

    async def press(self, user: FakeUser, message: SentMessage, label: str) -> list[SentMessage]:
        """Press the inline button whose label contains `label` (bidi marks ignored)."""
        matches = [t for t in message.button_texts() if label in strip_bidi(t)]
        if not matches:
            raise AssertionError(f"no button {label!r} in {message.button_texts()}")
        return await self._act(user, self.fake.press_button(user, message, text=matches[0]))

    async def press_data(
        self, user: FakeUser, message: SentMessage, data: str
    ) -> list[SentMessage]:
        return await self._act(user, self.fake.press_button(user, message, callback_data=data))

    async def inline(
        self, user: FakeUser, query: str, offset: str = "", chat_type: str | None = "group"
    ) -> InlineAnswer:
        """Type `@bot query` in a chat (a group by default); returns the bot's answer."""
        update = await self.fake.send_inline_query(user, query, offset, chat_type)
        await self.processed(update["update_id"])
        answer = self.fake.inline_answer(update["inline_query"]["id"])
        if answer is None:
            recent = [f"{c.method}:{c.error_code or 'ok'}" for c in self.fake.calls[-8:]]
            raise AssertionError(f"no answer to the inline query {query!r}; calls {recent}")
        return answer

    async def press_forged(
        self, user: FakeUser, message: SentMessage, data: str
    ) -> list[SentMessage]:
        """Callback data no button carries, as a modified client could send."""
        return await self._act(user, self.fake.press_forged(user, message, data))

    async def processed(self, update_id: int) -> None:
        """Wait until the worker has finished the update (its state lives in the database)."""
        inbox, worker = self.runtime.inbox, self.runtime.worker
        async with asyncio.timeout(PROCESSING_TIMEOUT):
            while not await inbox.is_finished(update_id):
                worker.settle_now()  # no need to wait for the next update to carry it
                await asyncio.sleep(0.01)

    async def _act(self, user: FakeUser, action: Any) -> list[SentMessage]:
        before = {m.message_id: m.edits for m in self.fake.messages(user.id)}
        update = await action
        await self.processed(update["update_id"])
        # Snapshots: the fake's objects keep changing as later edits arrive.
        return [
            copy.deepcopy(m)
            for m in self.fake.messages(user.id)
            if m.message_id not in before or before[m.message_id] != m.edits
        ]


def text_of(message: SentMessage) -> str:
    """What the user reads, without HTML and without our invisible bidi marks."""
    return strip_bidi(message.plain_text)


def texts(messages: list[SentMessage]) -> str:
    return "\n---\n".join(text_of(m) for m in messages)

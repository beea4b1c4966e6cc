"""The inbox worker: each update finishes on its own, so a slow one holds up only its chat."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.services.inbox import InboxService
from bot.telegram import ingest
from bot.telegram.ingest import InboxWorker, as_handled
from tests.harness import BotHarness
from tests.services.test_inbox_service import message


async def state_of(bot: BotHarness, update_id: int) -> str | None:
    async with bot.runtime.services.sessions() as db:
        return await db.scalar(
            select(m.InboxUpdate.state).where(m.InboxUpdate.update_id == update_id)
        )


async def test_a_slow_update_holds_up_only_its_own_chat(bot: BotHarness) -> None:
    slow, quick = bot.user(1001, "Amina"), bot.user(1002, "Omar")
    bot.fake.inject_delay("sendMessage", 3.0)  # Telegram takes its time with Amina's answer
    stuck = await bot.fake.send_text(slow, "/help")
    async with asyncio.timeout(5):
        while await state_of(bot, stuck["update_id"]) != "processing":  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    meanwhile = await bot.fake.send_text(quick, "/help")
    await bot.processed(meanwhile["update_id"])

    assert bot.fake.messages(quick.id)  # answered while Amina's update is still in hand
    assert not bot.fake.messages(slow.id)
    assert await state_of(bot, stuck["update_id"]) == "processing"
    await bot.processed(stuck["update_id"])
    assert bot.fake.messages(slow.id)


async def test_a_press_is_handled_without_parsing_the_pressed_keyboard_which_stays_stored(
    bot: BotHarness,
) -> None:
    amina = bot.user(1001, "Amina")
    [programme] = await bot.send(amina, "/programme")
    update = await bot.fake.press_button(amina, programme, index=0)
    await bot.processed(update["update_id"])

    [day] = bot.fake.messages(amina.id)
    assert day.edits and "Day" in day.plain_text  # the press was answered in place
    async with bot.runtime.services.sessions() as db:
        stored = await db.scalar(
            select(m.InboxUpdate.payload).where(m.InboxUpdate.update_id == update["update_id"])
        )
    pressed = json.loads(stored or "{}")["callback_query"]["message"]
    assert pressed["reply_markup"] == programme.reply_markup


def test_handlers_get_the_pressed_message_without_its_keyboard_and_formatting() -> None:
    pressed = {"message_id": 5, "text": "Day 1", "entities": [], "reply_markup": {}}
    update = {"update_id": 9, "callback_query": {"id": "1", "data": "d:1", "message": pressed}}
    handled = as_handled(update)
    assert handled["callback_query"]["message"] == {"message_id": 5, "text": "Day 1"}
    assert handled["callback_query"]["data"] == "d:1"
    assert "reply_markup" in update["callback_query"]["message"]  # the original is untouched
    plain = {"update_id": 10, "message": {"message_id": 6, "text": "/help", "entities": []}}
    assert as_handled(plain) is plain


class Handled:
    """Stands in for PTB's Application: records what it was given to handle."""

    bot = None

    def __init__(self) -> None:
        self.updates: list[int] = []

    async def process_update(self, update: Any) -> None:
        self.updates.append(update.update_id)


async def test_a_handled_update_is_marked_done_within_the_finish_delay_with_nothing_else_going_on(
    inbox: InboxService,
) -> None:
    """No later update carries its finish and the regular look is a minute away: a timer
    wakes the idle worker to mark it."""
    handled = Handled()
    worker = InboxWorker(handled, inbox, idle_poll=60, finish_delay=0.05)  # type: ignore[arg-type]
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.05)  # the worker's first look is done; it sleeps
        await worker.accept([message(1)])
        async with asyncio.timeout(2):
            while not handled.updates:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        async with asyncio.timeout(5):  # well before the regular look, a minute away
            while await inbox.counts() != {"done": 1}:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)
    assert handled.updates == [1]


class CountedHousekeeping(InboxService):
    """The real inbox, noting when the worker asks for housekeeping."""

    def __init__(self, sessions: SessionFactory, clock: FrozenClock) -> None:
        super().__init__(sessions, clock)
        self.asked: list[bool] = []

    async def housekeep(self, *, vacuum: bool) -> int:
        self.asked.append(vacuum)
        return await super().housekeep(vacuum=vacuum)


async def test_after_so_many_finished_updates_the_worker_has_the_inbox_vacuumed(
    empty_db: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "HOUSEKEEP_SOON", 0.0)
    engine = create_engine(empty_db)
    inbox = CountedHousekeeping(create_session_factory(engine), clock)
    worker = InboxWorker(
        Handled(),  # type: ignore[arg-type]
        inbox,
        idle_poll=0.02,
        finish_delay=0.0,
        housekeep_after=3,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await worker.accept([message(1, chat_id=601), message(2, chat_id=602)])
        await asyncio.sleep(0.2)
        assert inbox.asked == []  # two finished: not yet
        await worker.accept([message(3, chat_id=603)])
        async with asyncio.timeout(2):
            while not inbox.asked:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert await inbox.counts() == {"done": 3}
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)
        await engine.dispose()
    assert inbox.asked == [True]

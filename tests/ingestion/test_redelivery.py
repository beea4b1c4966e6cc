"""Handlers are safe to run twice for one update.

A worker that dies after its handler ran but before it marked the update done leaves the
inbox row `processing`; once the lease runs out another worker runs the update again. These
tests put a processed row back (as `pending`, or `processing` with an expired lease) and let
the worker run it a second time. Telegram may also deliver one update twice (a webhook
retry after a lost 200): it is stored once and processed once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.clock import FrozenClock
from bot.db import models as m
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from bot.web.server import SECRET_HEADER
from tests.harness import BotHarness, text_of

SECRET = "redelivery-Secret_1"
WORKSHOP = "5 tools verifying video"


@pytest.fixture
async def bot_on(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    """The polling bot on SQLite and on PostgreSQL."""
    async with BotHarness.running(fake, sample_db, clock) as harness:
        yield harness


@pytest.fixture
async def webhook_bot(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock, unused_tcp_port: int
) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(
        fake,
        sample_db,
        clock,
        webhook_url=f"http://127.0.0.1:{unused_tcp_port}/telegram/hook",
        webhook_secret=SECRET,
        http_port=unused_tcp_port,
    ) as harness:
        yield harness


async def press(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> int:
    """Press the button whose label contains `label`; returns the processed update's id."""
    [text] = [t for t in message.button_texts() if label in strip_bidi(t)]
    pressed = await bot.fake.press_button(user, message, text=text)
    await bot.processed(pressed["update_id"])
    return int(pressed["update_id"])


async def run_again(bot: BotHarness, update_id: int, how: str) -> None:
    """The worker died after the handler ran: the row was never marked done."""
    if how == "pending":  # e.g. released, or an older version that lost the row's state
        values: dict[str, Any] = {"state": "pending", "lease_until": None}
    else:  # the dead worker's lease ran out
        values = {"state": "processing", "lease_until": bot.clock.now() - timedelta(seconds=1)}
    async with bot.runtime.services.sessions.begin() as db:
        await db.execute(
            update(m.InboxUpdate)
            .where(m.InboxUpdate.update_id == update_id)
            .values(finished_at=None, **values)
        )
    bot.runtime.worker.wake()
    await bot.processed(update_id)
    async with bot.runtime.services.sessions() as db:
        row = await db.get(m.InboxUpdate, update_id)
        assert row is not None and (row.state, row.attempts) == ("done", 2)


async def count(bot: BotHarness, model: Any, **where: Any) -> int:
    async with bot.runtime.services.sessions() as db:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await db.scalar(query) or 0)


@pytest.mark.parametrize("how", ["pending", "expired_lease"])
async def test_a_redelivered_confirm_registers_once_and_sends_one_badge(
    bot_on: BotHarness, how: str
) -> None:
    bot, user = bot_on, bot_on.user()
    await bot.send(user, "/register")
    for answer in ("Amina Rahman", "amina@example.org", "Bernama"):
        await bot.send(user, answer)
    await press(bot, user, bot.fake.last_message(user.id), "Journalist")
    await bot.send(user, "malay")
    await press(bot, user, bot.fake.last_message(user.id), "Malaysia")
    await press(bot, user, bot.fake.last_message(user.id), "Melayu")
    await press(bot, user, bot.fake.last_message(user.id), "I agree")
    summary = bot.fake.last_message(user.id)
    confirm = await press(bot, user, summary, "Confirm")
    registration = await bot.runtime.services.registration.registration(user.id)
    assert registration is not None
    sent_before = len(bot.fake.messages(user.id))

    await run_again(bot, confirm, how)

    assert await count(bot, m.Registration, user_id=user.id) == 1
    again = await bot.runtime.services.registration.registration(user.id)
    assert again is not None and again.code == registration.code
    photos = [msg for msg in bot.fake.messages(user.id) if msg.kind == "photo"]
    assert len(photos) == 1
    assert len(bot.fake.messages(user.id)) == sent_before  # nothing new was sent
    # Had the first run died before the badge went out, the card shows the code and offers it.
    [card] = [msg for msg in bot.fake.messages(user.id) if msg.message_id == summary.message_id]
    assert registration.code in text_of(card)
    assert "🎫 My badge" in card.button_texts()


@pytest.mark.parametrize("how", ["pending", "expired_lease"])
async def test_a_redelivered_seat_reservation_reserves_once(bot_on: BotHarness, how: str) -> None:
    bot, user = bot_on, bot_on.user()
    [found] = await bot.send(user, WORKSHOP)
    [card] = await bot.press(user, found, "5 tools")
    reserve = await press(bot, user, card, "Reserve a seat")
    session_id = (await bot.runtime.services.schedule.search(WORKSHOP, "en")).sessions[0].id
    seats_before = await bot.runtime.services.seats.state(session_id, user.id)
    sent_before = len(bot.fake.messages(user.id))

    await run_again(bot, reserve, how)

    assert await count(bot, m.Reservation, user_id=user.id) == 1
    assert await count(bot, m.Bookmark, user_id=user.id) == 1
    seats = await bot.runtime.services.seats.state(session_id, user.id)
    assert seats == seats_before and seats is not None and seats.status == "confirmed"
    assert "Your seat is reserved." in text_of(bot.fake.last_message(user.id))
    assert len(bot.fake.messages(user.id)) == sent_before  # the card was edited, again


@pytest.mark.parametrize("how", ["pending", "expired_lease"])
async def test_a_redelivered_broadcast_confirmation_sends_once(
    bot_on: BotHarness, how: str
) -> None:
    bot = bot_on
    reader, org = bot.user(5002, "Reader"), bot.user(800, "Nadia")
    for user in (reader, org):
        await bot.send(user, "/start")
    async with bot.runtime.services.sessions.begin() as db:
        await db.execute(update(m.User).where(m.User.id == org.id).values(role="organizer"))
    [start] = await bot.send(org, "/broadcast")
    [_ask] = await bot.press_data(org, start, "bc:aud:all")
    [versions] = await bot.send(org, "Only once, please.")
    *_, summary = await bot.press_data(org, versions, "bc:done:")
    pressed = await bot.fake.press_button(org, summary, callback_data="bc:now:")
    await bot.processed(pressed["update_id"])

    await run_again(bot, int(pressed["update_id"]), how)
    await bot.runtime.dispatcher.drain()

    assert await count(bot, m.Broadcast) == 1
    received = [msg for msg in bot.fake.messages(reader.id) if "Only once" in text_of(msg)]
    assert len(received) == 1


async def test_an_update_delivered_twice_is_stored_once_and_processed_once(
    webhook_bot: BotHarness,
) -> None:
    bot = webhook_bot
    first, second = bot.user(1001, "Amina"), bot.user(1002, "Omar")
    url = bot.runtime.settings.webhook_url or ""
    headers = {SECRET_HEADER: SECRET}
    delivered = await bot.fake.send_text(first, "/programme")
    await bot.processed(delivered["update_id"])
    # Telegram missed our 200 and sends it again, later; and another update twice at once.
    twin = dict(delivered, update_id=bot.fake.hub.next_id())
    twin["message"] = dict(delivered["message"], chat=dict(delivered["message"]["chat"]))
    twin["message"]["from"] = second.to_api()
    twin["message"]["chat"]["id"] = second.id
    async with aiohttp.ClientSession() as http:

        async def post(body: dict[str, Any]) -> int:
            async with http.post(url, json=body, headers=headers) as response:
                return response.status

        statuses = [await post(delivered), *await asyncio.gather(post(twin), post(twin))]
    await bot.processed(twin["update_id"])
    await asyncio.sleep(0.2)  # room for a second run, were there one

    assert statuses == [200, 200, 200]
    assert await bot.runtime.inbox.counts() == {"done": 2}
    assert await count(bot, m.InboxUpdate, attempts=1) == 2
    sends = [c for c in bot.fake.calls if c.method == "sendMessage"]
    assert sorted(c.params["chat_id"] for c in sends) == [first.id, second.id]

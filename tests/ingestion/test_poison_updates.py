"""One bad update never holds up the others (issue #16, point 2).

What is not an update is refused at the door (400 at the webhook, skipped by the poller),
one that the database cannot take fails alone instead of with everything stored in the same
transaction, and a stored one that cannot be read back is kept as failed instead of failing
every claim. Each costs one warning line, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlalchemy import insert, select

from bot.db import models as m
from bot.sandbox.models import FakeUser
from tests.harness import BotHarness, text_of
from tests.ingestion.conftest import post, writes_held


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


def a_message(update_id: int, user: FakeUser, text: str) -> dict[str, Any]:
    """An update as Telegram sends it when `user` writes `text` (a command) to the bot."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": user.to_api(),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "date": 1773454500,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


def warnings_about(caplog: pytest.LogCaptureFixture, words: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and words in r.getMessage()]


NOT_UPDATES = {
    "nested 200 levels deep": json.dumps({"update_id": 70, "message": nested(200)}).encode(),
    "nested 100,000 levels deep": b'{"update_id": 71, "message": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}",
    "an id beyond 64 bits": json.dumps({"update_id": 2**64, "message": {"text": "hi"}}).encode(),
    "a negative id": json.dumps({"update_id": -5, "message": {"text": "hi"}}).encode(),
    "an escaped lone surrogate": b'{"update_id": 72, "message": {"text": "a\\ud800b"}}',
    "a lone surrogate in UTF-8": b'{"update_id": 73, "message": {"text": "a\xed\xa0\x80b"}}',
    "a boolean id": b'{"update_id": true, "message": {"text": "hi"}}',
}


async def test_what_is_not_an_update_gets_400_and_is_never_stored_and_a_flood_is_one_line(
    webhook_on_each_db: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = webhook_on_each_db
    caplog.set_level(logging.DEBUG, logger="bot.web.server")

    statuses = {what: await post(bot, body) for what, body in NOT_UPDATES.items()}

    assert statuses == dict.fromkeys(NOT_UPDATES, 400)
    assert await bot.runtime.inbox.counts() == {}
    [warning] = warnings_about(caplog, "refused")  # then one line a minute, with a count
    assert "update 70: nested deeper than 64 levels" in warning.getMessage()
    each = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("update 72: a string that is not valid Unicode" in line for line in each)
    assert all(r.exc_info is None for r in caplog.records)  # no traceback
    [answer] = await bot.send(bot.user(), "/help")  # and the bot goes on answering
    assert "/programme" in text_of(answer)


async def test_a_secret_header_that_is_not_ascii_is_refused_not_a_server_error(
    webhook_on_each_db: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = webhook_on_each_db
    port = bot.runtime.settings.http_port
    body = json.dumps({"update_id": 80, "message": {"text": "hi"}}).encode()
    request = (
        b"POST /telegram/hook HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: s\xc3\xa9cr\xff\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    status_line = await reader.readline()
    writer.close()

    assert status_line.split()[1] == b"401"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_update_the_database_cannot_take_fails_alone_not_with_those_stored_with_it(
    webhook_on_each_db: BotHarness,
) -> None:
    """150 attendees write while one update the database cannot store (a string that is not
    Unicode, which a future check might miss) arrives with them, in the same group commit."""
    bot = webhook_on_each_db
    bot.fake.webhook_retry_delay = 5.0  # a 503 would show as a retry much later
    users = [bot.user(5000 + i, f"Attendee {i}") for i in range(150)]
    poison = {"update_id": 900_000, "message": {"text": "\ud800", "chat": {"id": 7}}}

    async with writes_held(bot):  # they arrive while a store waits, as at a busy moment
        sending = [asyncio.create_task(bot.fake.send_text(users[0], "/help"))]
        async with asyncio.timeout(10):
            while not bot.runtime.worker.storing_for():  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        sending += [asyncio.create_task(bot.fake.send_text(u, "/help")) for u in users[1:]]
        storing_poison = asyncio.create_task(bot.runtime.worker.accept([poison]))
        async with asyncio.timeout(10):  # (Telegram's side posts at most 100 at a time)
            while bot.runtime.worker.arrivals_waiting() < 90:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    sent = await asyncio.gather(*sending)
    refused = await asyncio.gather(storing_poison, return_exceptions=True)

    assert bot.fake.hub.deliveries and {d.status for d in bot.fake.hub.deliveries} == {200}
    for update in sent:
        await bot.processed(update["update_id"])
    assert all(bot.fake.messages(u.id) for u in users)
    assert isinstance(refused[0], Exception)
    assert 900_000 not in {row.update_id for row in await stored(bot)}


async def stored(bot: BotHarness) -> list[Any]:
    async with bot.runtime.services.sessions() as db:
        rows = await db.execute(select(m.InboxUpdate.update_id, m.InboxUpdate.state))
        return list(rows)


async def test_a_stored_update_that_cannot_be_read_back_is_kept_as_failed_and_others_answered(
    webhook_on_each_db: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Rows stored by an older release (which let an update nested a thousand levels deep
    through) or written by hand: each is given up on alone, and the others are handled."""
    bot = webhook_on_each_db
    amina = bot.user(1001, "Amina")
    deep = '{"update_id": 600, "message": ' + "[" * 5000 + "]" * 5000 + "}"
    rows = [
        (600, deep, 7001),
        (601, '{"update_id": 601, "message": {"text": "cut sh', 7002),
        (602, json.dumps(a_message(602, amina, "/help")), amina.id),
    ]
    async with bot.runtime.engine.begin() as connection:
        await connection.execute(
            insert(m.InboxUpdate),
            [
                {
                    "update_id": update_id,
                    "payload": payload,
                    "chat_id": chat,
                    "state": "pending",
                    "attempts": 0,
                    "received_at": bot.clock.now(),
                }
                for update_id, payload, chat in rows
            ],
        )
    bot.runtime.worker.wake()

    await bot.processed(602)

    assert "/programme" in text_of(bot.fake.messages(amina.id)[-1])
    async with bot.runtime.services.sessions() as db:
        failed = dict(
            (await db.execute(select(m.InboxUpdate.update_id, m.InboxUpdate.error))).all()
        )
    assert failed[600] and "cannot be decoded" in failed[600]
    assert failed[601] and "cannot be decoded" in failed[601]
    assert dict(await stored(bot)) == {600: "failed", 601: "failed", 602: "done"}
    assert len(warnings_about(caplog, "kept as failed")) == 2
    assert all(r.exc_info is None for r in caplog.records)


async def test_the_poller_skips_what_is_not_an_update_once_and_goes_on(
    polling_on_each_db: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = polling_on_each_db
    caplog.set_level(logging.WARNING)
    await bot.fake.send_raw_update({"update_id": 300, "message": nested(200)})
    await bot.fake.send_raw_update({"update_id": 301, "message": {"text": "a\ud800b"}})

    [answer] = await bot.send(bot.user(), "/help")

    assert "/programme" in text_of(answer)
    assert {300, 301} <= bot.fake.hub.acknowledged  # confirmed to Telegram: never again
    assert {row.update_id for row in await stored(bot)} == {302}
    assert len(warnings_about(caplog, "skipped")) == 2
    assert all(r.exc_info is None for r in caplog.records)

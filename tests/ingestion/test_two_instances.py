"""Two `python -m bot run` processes in webhook mode behind one address, on PostgreSQL.

A tiny round-robin proxy stands in for the load balancer: it alternates the webhook POSTs
between the two instances and answers 502 when the chosen one is down (Telegram then retries,
and the retry goes to the other). Both instances store into and claim from one inbox, so each
update is processed once, in order per chat, whichever instance received it; a registration
continues on whichever instance gets the next message; one instance at a time sends the
outbox, and when it dies the other takes over.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.db import models as m
from bot.db.engine import create_engine, create_session_factory
from bot.domain.outbox_kinds import NOTICE
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser
from bot.services.outbox import Envelope, enqueue
from tests.databases import PostgresRun, reset_postgres
from tests.ingestion.processes import (
    Attendees,
    BotProcess,
    free_port,
    inbox_rows,
    replies_per_chat,
    wait_until,
)

TAKEOVER_SECONDS = 15


class RoundRobin:
    """One public address, two instances behind it, taken in turn."""

    def __init__(self, ports: list[int]) -> None:
        self.port = free_port()
        self.targets = itertools.cycle(ports)
        self.served: dict[int, int] = {}  # update_id -> the instance's port that stored it
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        port = next(self.targets)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        url = f"http://127.0.0.1:{port}{request.path_qs}"
        try:
            async with self._http.request(
                request.method, url, data=body, headers=headers
            ) as answer:
                payload = await answer.read()
                status = answer.status
        except aiohttp.ClientError:
            return web.Response(status=502, text="bad gateway")
        if 200 <= status < 300:
            self.served[int(json.loads(body)["update_id"])] = port
        return web.Response(status=status, body=payload, content_type="application/json")


@pytest.fixture
async def pg_sample(postgres_run: PostgresRun | None) -> str:
    if postgres_run is None:
        pytest.skip("TEST_POSTGRES_URL is not set")
    await reset_postgres(postgres_run.url, sample=True)
    return postgres_run.url


@pytest.fixture
async def instances(
    fake: FakeBotApi, pg_sample: str, tmp_path: Path
) -> AsyncIterator[tuple[RoundRobin, list[BotProcess]]]:
    ports = [free_port(), free_port()]
    proxy = RoundRobin(ports)
    await proxy.start()
    public = f"http://127.0.0.1:{proxy.port}/telegram/hook"
    bots = [
        BotProcess(
            fake,
            pg_sample,
            tmp_path,
            port=port,
            webhook_url=public,
            name=f"bot-{port}",
            DELIVERY_LEASE_SECONDS="3",
        )
        for port in ports
    ]
    try:
        await asyncio.gather(*(bot.start() for bot in bots))
        yield proxy, bots
    finally:
        for bot in bots:
            bot.stop()
        await proxy.stop()


async def sender_states(bots: list[BotProcess]) -> list[object]:
    answers = await asyncio.gather(*(bot.get("/readyz") for bot in bots))
    return [body.get("sender") if status == 200 else None for status, body in answers]


async def notify(database_url: str, users: list[FakeUser], subject: str, text: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine).begin() as db:
            now = datetime.now(UTC)
            envelopes = [
                Envelope(NOTICE, subject, u.id, now, payload={"texts": {"en": text}}) for u in users
            ]
            await enqueue(db, envelopes, now)
    finally:
        await engine.dispose()


async def notice_states(database_url: str) -> Counter[str]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            query = select(m.OutboxMessage.state).where(m.OutboxMessage.kind == NOTICE)
            return Counter((await db.scalars(query)).all())
    finally:
        await engine.dispose()


def received(fake: FakeBotApi, user: FakeUser, text: str) -> int:
    return sum(1 for msg in fake.messages(user.id) if msg.text == text)


async def test_two_instances_process_each_update_once_and_continue_a_registration(
    fake: FakeBotApi, pg_sample: str, instances: tuple[RoundRobin, list[BotProcess]]
) -> None:
    proxy, bots = instances
    attendees = Attendees(fake)
    chats = [u.id for u in attendees.users]

    # A stream from ten attendees, alternated between the instances: each update once.
    await attendees.write(6, pause=0.02)

    async def all_answered() -> bool:
        rows = await inbox_rows(pg_sample)
        replies = replies_per_chat(fake, chats)
        return all(rows.get(u, ("",))[0] == "done" for u in attendees.sent) and all(
            replies[c] >= n for c, n in attendees.per_chat().items()
        )

    await wait_until(all_answered, 20, "every update answered", bots)
    await asyncio.sleep(0.3)  # room for a second answer, were there one
    rows = await inbox_rows(pg_sample)
    assert {u: (state, attempts) for u, (state, _, attempts) in rows.items()} == {
        u: ("done", 1) for u in attendees.sent
    }
    assert replies_per_chat(fake, chats) == attendees.per_chat()
    assert set(Counter(proxy.served.values())) == {bot.port for bot in bots}

    # A registration goes on whichever instance receives the next message.
    amina = fake.user(4242, "Amina", language_code="en")

    async def step(action: object) -> str:
        update = await action  # type: ignore[misc]
        update_id = int(update["update_id"])

        async def answered() -> bool:
            return (await inbox_rows(pg_sample)).get(update_id, ("",))[0] == "done"

        await wait_until(answered, 10, f"update {update_id} processed", bots)
        return strip_bidi(fake.last_message(amina.id).plain_text)

    def press(label: str) -> object:
        last = fake.last_message(amina.id)
        [text] = [t for t in last.button_texts() if label in strip_bidi(t)]
        return fake.press_button(amina, last, text=text)

    first = len(proxy.served)
    assert "What is your full name" in await step(fake.send_text(amina, "/register"))
    assert "email address" in await step(fake.send_text(amina, "Amina Rahman"))
    assert "Which organization" in await step(fake.send_text(amina, "amina@example.org"))
    await step(fake.send_text(amina, "Bernama"))
    assert "Which country" in await step(press("Journalist"))
    await step(fake.send_text(amina, "malay"))
    await step(press("Malaysia"))
    await step(press("Melayu"))
    assert "Amina Rahman" in await step(press("I agree"))
    assert "Your registration code" in await step(press("Confirm"))  # the badge
    served_amina = list(proxy.served.values())[first:]
    assert len(served_amina) == 10 and set(served_amina) == {bot.port for bot in bots}
    assert sum(1 for msg in fake.messages(amina.id) if msg.kind == "photo") == 1


async def test_one_instance_sends_the_outbox_and_the_other_takes_over_when_it_dies(
    fake: FakeBotApi, pg_sample: str, instances: tuple[RoundRobin, list[BotProcess]]
) -> None:
    _, bots = instances
    attendees = Attendees(fake, count=4)
    await attendees.write(1)  # they are known to the bot now

    async def all_answered() -> bool:
        rows = await inbox_rows(pg_sample)
        return all(rows.get(u, ("",))[0] == "done" for u in attendees.sent)

    await wait_until(all_answered, 10, "every update answered", bots)

    # Exactly one instance sends the outbox; each notice goes out once.
    async def one_sender() -> bool:
        return sorted(map(str, await sender_states(bots))) == ["sending", "standby"]

    await wait_until(one_sender, 10, "one sending, one standing by", bots)
    [sender] = [b for b, s in zip(bots, await sender_states(bots), strict=True) if s == "sending"]
    [survivor] = [b for b in bots if b is not sender]
    readers = attendees.users
    await notify(pg_sample, readers, "before", "Hall B opens at 9")

    async def notices_sent() -> bool:  # delivered and settled: a kill now repeats nothing
        return await notice_states(pg_sample) == {"sent": len(readers)}

    await wait_until(notices_sent, 10, "the first notices", bots)

    # The sender dies; the other takes over the sending and the webhook traffic.
    sender.kill()
    killed = time.monotonic()

    async def took_over() -> bool:
        return (await survivor.get("/readyz"))[1].get("sender") == "sending"

    await wait_until(took_over, TAKEOVER_SECONDS, "the survivor sending", [survivor])
    takeover = time.monotonic() - killed
    await notify(pg_sample, readers, "after", "Lunch is served")
    later = await asyncio.gather(*(fake.send_text(u, "/now") for u in readers))

    async def delivered_after() -> bool:
        rows = await inbox_rows(pg_sample)
        done = all(rows.get(int(u["update_id"]), ("",))[0] == "done" for u in later)
        return done and await notice_states(pg_sample) == {"sent": 2 * len(readers)}

    await wait_until(delivered_after, 15, "notices and answers after the kill", [survivor])
    assert takeover < TAKEOVER_SECONDS
    for user in readers:
        assert received(fake, user, "Hall B opens at 9") == 1
        assert received(fake, user, "Lunch is served") == 1

"""`symposium-bot deliver` killed with SIGKILL mid-batch, then started again: no message is
lost, and the only repeats are rows that were in flight (claimed, not yet settled) at the kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.delivery.dispatcher import DeliveryConfig
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.outbox import SENDING, SENT
from tests.delivery.support import FIRST_USER, add_users, notice, put, received

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300
KILL_AT = 110  # messages arrived: about a third, and in the middle of the second batch


@pytest.fixture
async def sessions(empty_db: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(empty_db)
    yield create_session_factory(engine)
    await engine.dispose()


async def start_deliver(
    fake: FakeBotApi, database_url: str, cwd: Path, log: Path
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(
        BOT_TOKEN=fake.token,
        BOT_API_BASE_URL=fake.base_url,
        DATABASE_URL=database_url,
        DELIVERY_PER_SECOND="200",
        DELIVERY_PER_CHAT_PER_SECOND="5",
        DELIVERY_LEASE_SECONDS="2",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "deliver", cwd=cwd, env=env, stdout=output, stderr=output
        )


async def states(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as db:
        query = select(m.OutboxMessage.state, func.count()).group_by(m.OutboxMessage.state)
        return {state: int(n) for state, n in (await db.execute(query)).all()}


async def test_a_killed_dispatcher_loses_nothing_and_repeats_only_what_was_in_flight(
    fake: FakeBotApi, empty_db: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    users = await add_users(sessions, range(FIRST_USER, FIRST_USER + ROWS))
    for user_id in users:
        fake.user(user_id, f"U{user_id}")
    await put(sessions, [notice(u) for u in users])
    fake.inject_delay("sendMessage", 0.05, times=100_000)  # sends overlap, so a kill cuts some
    log = tmp_path / "deliver.log"

    def arrived() -> int:
        return sum(received(fake, users).values())

    first = await start_deliver(fake, empty_db, tmp_path, log)
    try:
        await fake.wait_for(lambda: arrived() >= KILL_AT, timeout=20, what="a third delivered")
    finally:
        first.kill()
        await first.wait()
    at_kill = await states(sessions)
    in_flight = at_kill.get(SENDING, 0)

    second = await start_deliver(fake, empty_db, tmp_path, log)
    try:
        async with asyncio.timeout(20):
            while (await states(sessions)).get(SENT) != ROWS:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        stopped = await asyncio.wait_for(second.wait(), timeout=10)

    per_user = received(fake, users)
    duplicates = sum(count - 1 for count in per_user.values())
    assert stopped == 0, log.read_text()
    assert min(per_user.values()) >= 1, "a message was lost"
    # the kill landed mid-batch; the dispatcher claims the next batch while one is being sent
    assert 0 < in_flight <= 2 * DeliveryConfig().batch, at_kill
    assert duplicates <= in_flight, (duplicates, at_kill)
    assert await states(sessions) == {SENT: ROWS}

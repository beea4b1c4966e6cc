"""A broadcast to 5,000 people survives Telegram's bad days and a restart of the bot: 429s
pause everyone, 5xx are retried, people who blocked the bot are counted as unreachable, and
after the Runtime is stopped mid-way and a new one started on the same database, every
reachable recipient has exactly one message, in their language."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import insert, select

from bot.clock import FrozenClock, SystemClock
from bot.db import models as m
from bot.db.engine import create_engine, create_session_factory
from bot.domain.outbox_kinds import BROADCAST
from bot.i18n import RLM
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.outbox import Outbox
from tests.harness import BotHarness, text_of

PEOPLE = 5_000
FIRST = 100_000
LOCALES = ("ar", "en", "ms", "ur")
BLOCKED_HERE = range(FIRST + 7, FIRST + PEOPLE, 601)  # marked blocked in our database
BLOCKED_THERE = range(FIRST + 11, FIRST + PEOPLE, 197)  # Telegram answers 403
RESTART_AFTER = 1_500  # messages sent when the first Runtime is stopped
ORGANIZER = 900  # an admin (BOT_ADMINS), so organizer rights from the first message
SETTINGS = {
    "delivery_per_second": 2000.0,
    "delivery_per_chat_per_second": 100.0,
    "admins": frozenset({ORGANIZER}),
}
TEXTS = {
    "en": "Day two starts at <b>09:00</b> in the Main Hall.",
    "ar": "يبدأ اليوم الثاني الساعة 09:00 في القاعة الرئيسية.",
    "ms": "Hari kedua bermula pukul 09:00 di Dewan Utama.",
}


async def add_people(bot: BotHarness) -> list[int]:
    now = bot.clock.now()
    ids = list(range(FIRST, FIRST + PEOPLE))
    blocked = set(BLOCKED_HERE)
    rows = [
        dict(
            id=uid,
            display_name=f"P{uid}",
            locale=LOCALES[uid % 4],
            locale_chosen=True,
            first_seen=now,
            last_seen=now,
            blocked=uid in blocked,
        )
        for uid in ids
    ]
    async with bot.runtime.services.sessions.begin() as db:
        for start in range(0, len(rows), 1000):
            await db.execute(insert(m.User), rows[start : start + 1000])
    for uid in ids:
        bot.fake.user(uid, f"P{uid}", language_code=LOCALES[uid % 4])
    for uid in BLOCKED_THERE:
        bot.fake.block(uid)
    return ids


async def confirm_broadcast(bot: BotHarness) -> None:
    """The organizer writes in English with Arabic and Malay versions, and sends it now."""
    org = bot.user(ORGANIZER, "Nadia")
    await bot.send(org, "/start")
    [start] = await bot.send(org, "/broadcast")
    await bot.press_data(org, start, "bc:aud:all")
    bold = [{"type": "bold", "offset": 18, "length": 5}]
    [versions] = await bot.send_formatted(org, "Day two starts at 09:00 in the Main Hall.", bold)
    for locale in ("ar", "ms"):
        await bot.press_data(org, versions, f"bc:ver:{locale}")
        [versions] = await bot.send(org, TEXTS[locale])
    *_, summary = await bot.press_data(org, versions, "bc:done:")
    await bot.press_data(org, summary, "bc:now:")


async def sent_so_far(bot: BotHarness) -> int:
    return (await bot.runtime.services.outbox.counts(kind=BROADCAST)).get("sent", 0)


async def finish(bot: BotHarness, clock: FrozenClock) -> dict[str, int]:
    """Let the serving dispatcher deliver everything; when only retries are left, waiting
    for their backoff, move the frozen clock to the next one and wake the dispatcher. The
    clock moves only while nothing is in flight: a jump past a claim's lease would hand its
    rows to another claimer while they are still being sent."""
    outbox, dispatcher = bot.runtime.services.outbox, bot.runtime.dispatcher
    async with asyncio.timeout(90):
        while True:
            counts = await outbox.counts(kind=BROADCAST)
            if not counts.get("pending") and not counts.get("sending"):
                return counts
            due = await outbox.next_due()
            if not counts.get("sending") and due is not None and due > clock.now():
                clock.set(due)
                dispatcher.wake()
            await asyncio.sleep(0.1)


async def states(database_url: str) -> dict[str, int]:
    """The outbox between two runtimes, read with an engine of its own."""
    engine = create_engine(database_url)
    try:
        return await Outbox(create_session_factory(engine), SystemClock()).counts(kind=BROADCAST)
    finally:
        await engine.dispose()


async def test_five_thousand_recipients_through_faults_and_a_restart(
    fake: FakeBotApi, sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(fake, sample_db, clock, **SETTINGS) as first:
        ids = await add_people(first)
        await confirm_broadcast(first)
        fake.inject("sendMessage", error_code=429, retry_after=1, times=2)
        fake.inject("sendMessage", error_code=500, times=40)
        async with asyncio.timeout(60):
            while await sent_so_far(first) < RESTART_AFTER:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    at_restart = await states(sample_db)
    fake.inject("sendMessage", error_code=429, retry_after=1, times=1)
    fake.inject("sendMessage", error_code=502, times=20)
    async with BotHarness.running(fake, sample_db, clock, **SETTINGS) as second:
        counts = await finish(second, clock)
        await second.runtime.progress.run_once()
        [progress] = [
            text_of(x) for x in fake.messages(ORGANIZER) if text_of(x).startswith("📣 Broadcast")
        ]
        async with second.runtime.services.sessions() as db:
            [broadcast] = await db.scalars(select(m.Broadcast))
            blocked_now = set(await db.scalars(select(m.User.id).where(m.User.blocked)))

    unreachable, excluded = set(BLOCKED_THERE), set(BLOCKED_HERE)
    reachable = [u for u in ids if u not in unreachable and u not in excluded]
    per_person = Counter({u: len(fake.messages(u)) for u in ids})
    assert RESTART_AFTER <= at_restart["sent"] < len(reachable)  # the stop came mid-way
    assert "sending" not in at_restart  # a clean stop settles what it had claimed
    assert {per_person[u] for u in reachable} == {1}, "lost or repeated messages"
    assert sum(per_person[u] for u in unreachable | excluded) == 0
    for uid in reachable:  # Urdu readers get the English default
        text = TEXTS.get(LOCALES[uid % 4], TEXTS["en"])
        assert fake.messages(uid)[0].text == (RLM + text if uid % 4 == 0 else text), uid
    faults = Counter(call.error_code for call in fake.calls if call.method == "sendMessage")
    assert (faults[429], faults[500], faults[502], faults[403]) == (3, 40, 20, 26)
    assert counts == {"sent": len(reachable) + 1, "skipped": len(unreachable)}  # + organizer
    assert unreachable <= blocked_now
    assert broadcast.total == len(reachable) + len(unreachable) + 1
    assert (broadcast.state, broadcast.finished_at is not None) == ("done", True)
    assert f"Sent {len(reachable) + 1:,} · pending 0 · failed 0 · unreachable 26" in progress
    assert len(unreachable) == 26

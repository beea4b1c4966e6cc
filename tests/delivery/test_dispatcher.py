"""The dispatcher through the real Bot API sender and the fake Bot API, on both databases: faults
(429, 5xx, timeouts, 403) never lose or repeat a message, failures stay with their own row,
rows are rendered in the recipient's current language, and a 429 pauses every send."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

import pytest

from bot.app import Runtime
from bot.clock import Clock, FrozenClock, SystemClock
from bot.delivery.dispatcher import DeliveryConfig, Dispatcher, Render
from bot.delivery.kinds import build_renderers
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.telegram_sender import TelegramSender
from bot.domain.outbox_kinds import NOTICE
from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.outbox import FAILED, SENT, SKIPPED, Claimed, Envelope
from tests.delivery.support import (
    FIRST_USER,
    NOW,
    add_users,
    blocked_users,
    deliver_everything,
    delivery_runtime,
    notice,
    put,
    received,
    rows,
    set_locale,
)
from tests.harness import text_of

BLOCKED = "unreachable: Forbidden: bot was blocked by the user"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def runtime(fake: FakeBotApi, empty_db: str, clock: FrozenClock) -> AsyncIterator[Runtime]:
    async with delivery_runtime(fake, empty_db, clock, delivery_max_attempts=3) as built:
        yield built


async def people(runtime: Runtime, fake: FakeBotApi, count: int, **kw: str) -> list[int]:
    """Users known to the bot and to the fake Bot API (their private chats exist)."""
    users = await add_users(runtime.services.sessions, range(FIRST_USER, FIRST_USER + count), **kw)
    for user_id in users:
        fake.user(user_id, f"U{user_id}")
    return users


def texts_in(fake: FakeBotApi, user_id: int) -> Counter[str]:
    return Counter(text_of(message) for message in fake.messages(user_id))


def send_calls(fake: FakeBotApi, error_code: int | None = None) -> list[float]:
    return [
        call.at
        for call in fake.calls
        if call.method == "sendMessage" and call.error_code == error_code
    ]


async def test_429_5xx_and_403_neither_lose_nor_repeat_a_message(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    sessions = runtime.services.sessions
    users = await people(runtime, fake, 30)
    gone = {users[3], users[17]}
    for user_id in gone:
        fake.block(user_id)
    await put(sessions, [notice(u, subject="news", texts={"en": f"news {u}"}) for u in users])
    await put(sessions, [notice(u, subject="agenda", texts={"en": f"agenda {u}"}) for u in users])
    await put(sessions, [notice(u, NOW + timedelta(days=1), subject="later") for u in gone])
    fake.inject("sendMessage", error_code=429, retry_after=1)
    fake.inject("sendMessage", error_code=500, times=6)

    counts = await deliver_everything(runtime, clock)

    for user_id in users:
        expected = {} if user_id in gone else {f"news {user_id}": 1, f"agenda {user_id}": 1}
        assert texts_in(fake, user_id) == expected, user_id
    assert counts == {SENT: 2 * 28, SKIPPED: 6}
    outcome = {(r.recipient_id, r.subject): r for r in await rows(sessions)}
    for user_id in gone:
        for subject in ("news", "agenda", "later"):
            assert (outcome[user_id, subject].state, outcome[user_id, subject].last_error) == (
                SKIPPED,
                BLOCKED,
            )
    assert await blocked_users(sessions) == gone
    # each 500 cost its row one attempt; the 429 cost none (it is the bot's pace, not the row's)
    assert sum(r.attempts for r in outcome.values()) == 6
    assert len(send_calls(fake, 429)) == 1 and len(send_calls(fake, 500)) == 6


async def test_a_timed_out_send_is_retried_and_may_arrive_twice(
    fake: FakeBotApi, empty_db: str, clock: FrozenClock
) -> None:
    """The send took effect but its answer never came. Telegram has no idempotency key, so
    the retry is a second copy: at most one per timeout (a crash is the other way to one)."""
    async with delivery_runtime(fake, empty_db, clock, delivery_send_timeout=0.3) as runtime:
        users = await people(runtime, fake, 10)
        await put(runtime.services.sessions, [notice(u) for u in users])
        fake.inject_delay("sendMessage", 0.8, times=3)

        counts = await deliver_everything(runtime, clock)
        await asyncio.sleep(0.8)  # the late answers have taken effect by now

        assert counts == {SENT: 10}
        per_user = received(fake, users)
        assert min(per_user.values()) >= 1
        assert sum(per_user.values()) == 10 + 3
        outcome = await rows(runtime.services.sessions)
        assert sorted(r.attempts for r in outcome) == [0] * 7 + [1] * 3
        for r in outcome:
            assert per_user[r.recipient_id] == 1 + r.attempts


async def test_a_5xx_that_persists_ends_failed_with_the_reason(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    victim, *others = await people(runtime, fake, 4)
    await put(runtime.services.sessions, [notice(u) for u in [victim, *others]])
    fake.inject("sendMessage", error_code=500, times=50, chat_id=victim)

    counts = await deliver_everything(runtime, clock)

    assert counts == {SENT: 3, FAILED: 1}
    failed = {r.recipient_id: r for r in await rows(runtime.services.sessions)}[victim]
    assert (failed.state, failed.attempts) == (FAILED, 3)  # delivery_max_attempts
    assert failed.last_error == "gave up: Internal Server Error"
    assert received(fake, [victim, *others]) == Counter({victim: 0} | dict.fromkeys(others, 1))
    assert len(send_calls(fake, 500)) == 3


async def test_a_renderer_that_raises_fails_its_row_alone(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    async def boom(row: Claimed, l10n: Localizer) -> Reply | Dropped:
        raise RuntimeError(f"renderer exploded on {row.subject}")

    async def gone(row: Claimed, l10n: Localizer) -> Reply | Dropped:
        return Dropped("session gone or cancelled")

    services = runtime.services
    dispatcher = dispatcher_for(runtime, clock, {"boom": boom, "gone": gone})
    users = await people(runtime, fake, 8)
    await put(
        services.sessions,
        [
            *(notice(u) for u in users[:5]),
            Envelope("boom", "s42", users[5], NOW),
            Envelope("gone", "s43", users[6], NOW),
            Envelope("mystery", "s44", users[7], NOW),
            notice(FIRST_USER + 999),  # nobody by that id
        ],
    )

    assert await dispatcher.drain() == 9
    await dispatcher.close()

    outcome = {r.recipient_id: (r.state, r.last_error) for r in await rows(services.sessions)}
    assert outcome == {
        **dict.fromkeys(users[:5], (SENT, None)),
        users[5]: (FAILED, "error: RuntimeError('renderer exploded on s42')"),
        users[6]: (SKIPPED, "session gone or cancelled"),
        users[7]: (FAILED, "no renderer for kind 'mystery'"),
        FIRST_USER + 999: (SKIPPED, "recipient unknown or unreachable"),
    }
    assert received(fake, users) == Counter(
        dict.fromkeys(users[:5], 1) | dict.fromkeys(users[5:], 0)
    )


async def test_rows_are_rendered_in_the_recipients_current_language(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    sessions = runtime.services.sessions
    ms, ar, ur, en = await people(runtime, fake, 4)
    texts = {"en": "Doors open at nine", "ms": "Pintu dibuka pukul sembilan", "ar": "تفتح الأبواب"}
    await put(sessions, [notice(u, texts=texts, locale="en") for u in (ms, ar, ur, en)])
    for user_id, locale in ((ms, "ms"), (ar, "ar"), (ur, "ur")):
        await set_locale(sessions, user_id, locale)

    await deliver_everything(runtime, clock)

    seen = {u: [text_of(m) for m in fake.messages(u)] for u in (ms, ar, ur, en)}
    assert seen == {
        ms: ["Pintu dibuka pukul sembilan"],
        ar: ["تفتح الأبواب"],
        ur: ["Doors open at nine"],  # no Urdu text: the payload's default
        en: ["Doors open at nine"],
    }
    assert fake.messages(ar)[0].text == "\u200fتفتح الأبواب"  # right to left
    assert {r.recipient_id: r.locale for r in await rows(sessions)} == {
        ms: "ms",
        ar: "ar",
        ur: "ur",
        en: "en",
    }


async def test_a_429_pauses_every_send_for_retry_after(
    fake: FakeBotApi, empty_db: str, clock: FrozenClock
) -> None:
    rate = 20.0
    async with delivery_runtime(fake, empty_db, clock, delivery_per_second=rate) as runtime:
        users = await people(runtime, fake, 40)
        await put(runtime.services.sessions, [notice(u) for u in users])
        # after the first second's burst, so that the pause is what stops the sends
        fake.inject("sendMessage", error_code=429, retry_after=1, chat_id=users[22])

        await deliver_everything(runtime, clock)

    assert received(fake, users) == Counter(dict.fromkeys(users, 1))
    [flood] = send_calls(fake, 429)
    sent = send_calls(fake)
    during = [round(t - flood, 3) for t in sent if flood < t < flood + 1.0]
    # only sends already on their way when the 429 was answered may finish during the pause
    assert len(during) < DeliveryConfig().in_flight and all(t < 0.3 for t in during), during
    assert any(t < flood for t in sent) and any(t > flood + 1.0 for t in sent)
    # (that the end of a pause is no burst is tested on the pacer itself: test_pacing.py)


async def test_two_dispatchers_on_one_outbox_send_each_row_exactly_once(
    fake: FakeBotApi, empty_db: str
) -> None:
    count = 500
    async with (
        delivery_runtime(fake, empty_db, FrozenClock(NOW)) as first,
        delivery_runtime(fake, empty_db, FrozenClock(NOW)) as second,
    ):
        users = await people(first, fake, count)
        await put(first.services.sessions, [notice(u) for u in users])

        handled = await asyncio.gather(first.dispatcher.drain(), second.dispatcher.drain())
        outcome = await rows(first.services.sessions)

    assert sum(handled) == count and min(handled) > 0  # both took part
    assert received(fake, users) == Counter(dict.fromkeys(users, 1))
    assert {r.state for r in outcome} == {SENT}
    assert {r.claimed_by for r in outcome} == {first.dispatcher.worker, second.dispatcher.worker}


async def test_a_400_fails_its_row_with_telegrams_words_and_buttons_arrive_intact(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    """The sender speaks the Bot API itself (JSON POST): errors read as PTB would word them."""

    async def with_buttons(row: Claimed, l10n: Localizer) -> Reply | Dropped:
        return Reply(
            "Pick one", ((Button("Yes", data="y:1"), Button("Site", url="https://x.org")),)
        )

    services = runtime.services
    dispatcher = dispatcher_for(runtime, clock, {"with_buttons": with_buttons})
    refused, chosen = await people(runtime, fake, 2)
    await put(services.sessions, [notice(refused), Envelope("with_buttons", "s1", chosen, NOW)])
    fake.inject(
        "sendMessage", error_code=400, description="Bad Request: chat not found", chat_id=refused
    )

    assert await dispatcher.drain() == 2
    await dispatcher.close()

    outcome = {r.recipient_id: r for r in await rows(services.sessions)}
    failed = outcome[refused]
    assert (failed.state, failed.attempts, failed.last_error) == (FAILED, 1, "Chat not found")
    assert outcome[chosen].state == SENT
    [message] = fake.messages(chosen)
    assert outcome[chosen].telegram_message_id == message.message_id
    assert message.buttons() == [
        [{"text": "Yes", "callback_data": "y:1"}, {"text": "Site", "url": "https://x.org"}]
    ]


async def run_until_received(
    dispatcher: Dispatcher, fake: FakeBotApi, users: list[int], count: int, within: float
) -> None:
    """Run the dispatcher in the background until `users` received `count` messages in all."""
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    await fake.wait_for(lambda: sum(received(fake, users).values()) >= count, timeout=within)
    stop.set()
    await task
    await dispatcher.close()


def dispatcher_for(
    runtime: Runtime, clock: Clock, renderers: Mapping[str, Render] | None = None, **config: Any
) -> Dispatcher:
    """The runtime's parts, with the test's own renderers (added) and configuration."""
    services = runtime.services
    return Dispatcher(
        outbox=services.outbox,
        sessions=services.sessions,
        sender=TelegramSender(runtime.application.bot),
        pacer=Pacer(Limits(per_second=500, per_chat_per_second=50)),
        renderers={**build_renderers(services), **(renderers or {})},
        localizer_for=services.localizer,
        clock=clock,
        config=DeliveryConfig(**config),
    )


async def test_run_claims_the_next_batch_while_one_is_sent_and_never_more(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    """The two-batch pipeline: each row once, and at most two batches claimed and unsettled."""
    users = await people(runtime, fake, 95)
    await put(runtime.services.sessions, [notice(u) for u in users])
    dispatcher = dispatcher_for(runtime, clock, batch=10)
    outbox = runtime.services.outbox
    claim = outbox.claim
    unsettled: list[int] = []

    async def counting_claim(limit: int, lease: timedelta, worker: str) -> list[Claimed]:
        unsettled.append((await outbox.counts()).get("sending", 0))
        return await claim(limit, lease, worker)

    outbox.claim = counting_claim  # type: ignore[method-assign]
    await run_until_received(dispatcher, fake, users, 95, within=20)

    assert received(fake, users) == Counter(dict.fromkeys(users, 1))
    assert {r.state for r in await rows(runtime.services.sessions)} == {SENT}
    assert max(unsettled) <= 10  # one batch being sent while the next is claimed
    assert any(n > 0 for n in unsettled)  # and claiming did overlap with sending


async def test_a_row_whose_turn_comes_after_its_lease_is_left_for_the_next_claim(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    """Sending it then could race another claim of the same row: it waits for its lease."""
    on_time, late = await people(runtime, fake, 2)
    services = runtime.services
    dispatcher = dispatcher_for(runtime, clock)
    notice_renderer = build_renderers(services)[NOTICE]

    delayed: list[int] = []

    async def slow(row: Claimed, l10n: Localizer) -> Reply | Dropped:
        if row.recipient_id == late and not delayed:
            delayed.append(row.id)
            clock.advance(dispatcher.config.lease * 0.95)  # e.g. a long 429 pause
        return await notice_renderer(row, l10n)

    dispatcher._renderers = {NOTICE: slow}
    # on_time first: its turn comes (and its send starts) before `late` moves the clock
    await put(services.sessions, [notice(on_time), notice(late)])

    assert await dispatcher.drain() == 2
    assert received(fake, [late, on_time]) == Counter({late: 0, on_time: 1})
    assert {r.recipient_id: r.state for r in await rows(services.sessions)}[late] == "sending"

    clock.advance(dispatcher.config.lease)  # the lease is over: claimed again, sent once
    assert await dispatcher.drain() == 1
    await dispatcher.close()
    assert received(fake, [late, on_time]) == Counter({late: 1, on_time: 1})


async def test_an_idle_dispatcher_wakes_when_the_next_row_is_due_not_at_the_next_poll(
    fake: FakeBotApi, empty_db: str
) -> None:
    clock = SystemClock()
    async with delivery_runtime(fake, empty_db, clock) as runtime:
        [user] = await people(runtime, fake, 1)
        dispatcher = dispatcher_for(runtime, clock, idle_poll=30.0)
        due = clock.now() + timedelta(seconds=0.5)
        await put(runtime.services.sessions, [notice(user, due)])
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        await fake.wait_for(lambda: len(fake.messages(user)) == 1, timeout=10)
        arrived = clock.now()
        stop.set()
        await task
        await dispatcher.close()

    assert timedelta(0) <= arrived - due < timedelta(seconds=5), arrived - due


async def test_one_chats_messages_keep_their_order_when_the_first_renders_slowly(
    runtime: Runtime, fake: FakeBotApi, clock: FrozenClock
) -> None:
    """Within a batch and across the pipeline's two batches, a chat's rows go out in
    claim order, even when the first one takes longer to render."""

    async def slow(row: Claimed, l10n: Localizer) -> Reply | Dropped:
        await asyncio.sleep(0.05)
        return Reply(f"first for {row.recipient_id}")

    services = runtime.services
    dispatcher = dispatcher_for(runtime, clock, {"slow": slow}, batch=3)
    users = await people(runtime, fake, 2)
    await put(
        services.sessions,
        [
            Envelope("slow", "s1", users[0], NOW),
            notice(users[0], subject="a"),
            Envelope("slow", "s1", users[1], NOW),
            notice(users[1], subject="b"),  # the next batch: batches hold three rows
        ],
    )
    await run_until_received(dispatcher, fake, users, 4, within=10)

    for user in users:
        assert [m.text for m in fake.messages(user)] == [
            f"first for {user}",
            f"News for {user}",
        ]

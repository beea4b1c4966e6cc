"""The update inbox: stored once, leased to one worker at a time, finished or released."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.domain.retention import INBOX_UPDATES as RETENTION
from bot.services.inbox import (
    LEASE,
    PURGE_BATCH,
    Finished,
    InboxItem,
    InboxService,
    UpdateIdInUse,
    chat_of,
)


def message(update_id: int, chat_id: int = 500, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1773454500,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Amina"},
            "text": text,
        },
    }


def later_message(update_id: int, chat_id: int = 500, text: str = "/start") -> dict[str, Any]:
    """A different message under the same id: Telegram (or the playground's fake) numbering
    its updates anew, a week (or a run) after `message(update_id)`."""
    update = message(update_id, chat_id, text)
    update["message"]["date"] += 7 * 24 * 3600
    return update


def button_press(update_id: int, chat_id: int = 500) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": "cq1",
            "from": {"id": 77, "is_bot": False, "first_name": "Amina"},
            "chat_instance": "ci",
            "data": "day:0:0",
            "message": {
                "message_id": 9,
                "date": 1773454500,
                "chat": {"id": chat_id, "type": "private"},
            },
        },
    }


def poll_update(update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "poll": {
            "id": "p1",
            "question": "Best session?",
            "options": [],
            "total_voter_count": 0,
            "is_closed": True,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        },
    }


def ids(items: list[InboxItem]) -> list[int]:
    return [item.update_id for item in items]


# --- store -----------------------------------------------------------------------------------


async def test_store_returns_number_of_new_updates(inbox: InboxService) -> None:
    assert await inbox.store([message(1), message(2)]) == 2


async def test_store_ignores_update_ids_already_stored(inbox: InboxService) -> None:
    await inbox.store([message(1), message(2)])

    stored = await inbox.store([message(2), message(3)])

    assert stored == 1
    assert await inbox.counts() == {"pending": 3}


async def test_store_nothing_is_zero(inbox: InboxService) -> None:
    assert await inbox.store([]) == 0


async def test_last_update_id_is_the_highest_stored(inbox: InboxService) -> None:
    assert await inbox.last_update_id() is None

    await inbox.store([message(7), message(5)])

    assert await inbox.last_update_id() == 7


# --- claim -----------------------------------------------------------------------------------


async def test_claim_returns_oldest_first(inbox: InboxService) -> None:
    await inbox.store([message(3, chat_id=503), message(1, chat_id=501), button_press(2, 502)])

    claimed = await inbox.claim()

    assert claimed == [
        InboxItem(1, message(1, chat_id=501), 501, 1),
        InboxItem(2, button_press(2, 502), 502, 1),
        InboxItem(3, message(3, chat_id=503), 503, 1),
    ]


async def test_a_chats_next_update_waits_until_the_one_before_is_finished(
    inbox: InboxService, clock: FrozenClock
) -> None:
    await inbox.store([message(1), button_press(2), message(3), message(4, chat_id=600)])

    first = await inbox.claim()
    meanwhile = await inbox.claim()  # another worker or instance, while 1 is processing
    await inbox.finish(1)
    second = await inbox.claim()
    await inbox.release([2])
    again = await inbox.claim()

    assert ids(first) == [1, 4]
    assert meanwhile == []
    assert ids(second) == [2]
    assert ids(again) == [2]  # a released update goes first again, 3 still waits


async def test_a_claim_finishes_what_the_worker_handled_and_takes_the_chats_next(
    inbox: InboxService,
) -> None:
    await inbox.store([message(1), message(2), message(3, chat_id=600), message(4, chat_id=600)])
    assert ids(await inbox.claim()) == [1, 3]

    claimed = await inbox.claim(finished=[Finished(1), Finished(3, error="handler crashed")])

    assert ids(claimed) == [2, 4]  # one transaction: finished, and each chat's next leased
    assert [await inbox.is_finished(n) for n in (1, 2, 3, 4)] == [True, False, True, False]
    assert await inbox.counts() == {"done": 1, "failed": 1, "processing": 2}


async def test_a_claim_with_no_room_only_finishes(inbox: InboxService) -> None:
    await inbox.store([message(1), message(2)])
    await inbox.claim()

    assert await inbox.claim(0, finished=[Finished(1)]) == []
    assert await inbox.is_finished(1)
    assert ids(await inbox.claim()) == [2]


async def test_concurrent_claimers_never_share_an_update_or_a_chat(
    empty_db: str, clock: FrozenClock
) -> None:
    engines = [create_engine(empty_db) for _ in range(4)]  # as if four instances
    workers = [InboxService(create_session_factory(e), clock) for e in engines]
    try:
        await workers[0].store([message(n, chat_id=500 + n % 7) for n in range(1, 61)])
        seen: list[list[InboxItem]] = []
        held: dict[int | None, int] = {}  # chat -> the update someone is processing
        last: dict[int | None, int] = {}  # chat -> its last finished update

        async def work(inbox: InboxService) -> None:
            while claimed := await inbox.claim(limit=3):
                seen.append(claimed)
                for item in claimed:
                    assert item.chat_id not in held  # one update of a chat at a time
                    assert item.update_id > last.get(item.chat_id, 0)  # in order
                    held[item.chat_id] = item.update_id
                await asyncio.sleep(0.001)
                for item in claimed:
                    del held[item.chat_id]
                    last[item.chat_id] = item.update_id
                    await inbox.finish(item.update_id)

        await asyncio.gather(*(work(w) for w in workers))
        counts = await workers[0].counts()
    finally:
        for engine in engines:
            await engine.dispose()

    handled = [item.update_id for claimed in seen for item in claimed]
    assert sorted(handled) == list(range(1, 61))  # each once
    assert counts == {"done": 60}


async def test_claim_respects_limit(inbox: InboxService) -> None:
    await inbox.store([message(n, chat_id=500 + n) for n in range(1, 6)])

    assert ids(await inbox.claim(limit=2)) == [1, 2]
    assert ids(await inbox.claim(limit=2)) == [3, 4]


async def test_claim_keeps_non_latin_text(inbox: InboxService) -> None:
    await inbox.store([message(1, text="الصحافة اردو")])

    claimed = await inbox.claim()

    assert claimed[0].payload["message"]["text"] == "الصحافة اردو"


async def test_claimed_updates_are_leased(inbox: InboxService, clock: FrozenClock) -> None:
    await inbox.store([message(1), message(2, chat_id=502)])
    await inbox.claim()
    clock.advance(LEASE - timedelta(seconds=1))

    assert await inbox.claim() == []


async def test_expired_lease_lets_the_same_updates_be_claimed_again(
    inbox: InboxService, clock: FrozenClock
) -> None:
    await inbox.store([message(1), message(2, chat_id=502)])
    await inbox.claim()
    clock.advance(LEASE + timedelta(seconds=1))

    again = await inbox.claim()

    assert [(item.update_id, item.attempts) for item in again] == [(1, 2), (2, 2)]


async def test_claim_on_empty_inbox_is_empty(inbox: InboxService) -> None:
    assert await inbox.claim() == []


# --- finish and release ----------------------------------------------------------------------


async def test_finish_marks_done_and_failed(inbox: InboxService) -> None:
    await inbox.store([message(n, chat_id=500 + n) for n in (1, 2, 3)])
    await inbox.claim()

    await inbox.finish(1)
    await inbox.finish(2, error="handler crashed")

    assert [await inbox.is_finished(n) for n in (1, 2, 3)] == [True, True, False]
    assert await inbox.counts() == {"done": 1, "failed": 1, "processing": 1}


async def test_finished_updates_are_never_claimed_again(
    inbox: InboxService, clock: FrozenClock
) -> None:
    await inbox.store([message(1)])
    await inbox.claim()
    await inbox.finish(1)
    clock.advance(LEASE * 10)

    assert await inbox.claim() == []


async def test_is_finished_unknown_update_is_false(inbox: InboxService) -> None:
    assert await inbox.is_finished(404) is False


async def test_release_puts_claimed_updates_back_to_pending(inbox: InboxService) -> None:
    await inbox.store([message(1), message(2, chat_id=502)])
    await inbox.claim()

    await inbox.release([1, 2])

    assert await inbox.counts() == {"pending": 2}
    assert ids(await inbox.claim()) == [1, 2]


async def test_release_leaves_finished_updates_finished(inbox: InboxService) -> None:
    await inbox.store([message(1), message(2, chat_id=502)])
    await inbox.claim()
    await inbox.finish(1)

    await inbox.release([1, 2])

    assert await inbox.counts() == {"done": 1, "pending": 1}


# --- chat_of ---------------------------------------------------------------------------------


def test_chat_of_message_is_its_chat() -> None:
    assert chat_of(message(1, chat_id=-100123)) == -100123


def test_chat_of_callback_query_is_the_chat_of_its_message() -> None:
    assert chat_of(button_press(1, chat_id=555)) == 555


def test_chat_of_update_without_chat_is_none() -> None:
    assert chat_of(poll_update(1)) is None


async def test_store_records_chat_of_each_update(inbox: InboxService) -> None:
    await inbox.store([message(1, chat_id=10), poll_update(2)])

    claimed = await inbox.claim()

    assert [(item.update_id, item.chat_id) for item in claimed] == [(1, 10), (2, None)]


# --- storing and leasing in one transaction (the webhook's and the poller's path) -----------


async def test_an_update_of_an_idle_chat_is_leased_by_the_transaction_that_stores_it(
    inbox: InboxService,
) -> None:
    intake = await inbox.take_in([message(1)], lease_now=5)

    assert intake.new == 1
    assert [(i.update_id, i.chat_id, i.attempts) for i in intake.leased] == [(1, 500, 1)]
    assert intake.leased[0].payload == message(1)
    assert await inbox.counts() == {"processing": 1}
    assert await inbox.claim() == []  # nobody else gets it while it is leased


async def test_a_chat_with_an_unfinished_update_waits_its_turn(inbox: InboxService) -> None:
    await inbox.take_in([message(1)], lease_now=5)

    behind = await inbox.take_in([message(2), message(3, chat_id=503)], lease_now=5)

    assert ids(behind.leased) == [3]  # another chat goes ahead at once
    assert await inbox.claim() == []  # 2 waits for 1
    assert ids(await inbox.claim(finished=[Finished(1)])) == [2]


async def test_one_chats_updates_in_one_batch_are_leased_one_at_a_time_in_order(
    inbox: InboxService,
) -> None:
    intake = await inbox.take_in([message(7), message(5), button_press(6)], lease_now=5)

    assert ids(intake.leased) == [5]
    assert await inbox.counts() == {"pending": 2, "processing": 1}
    assert ids(await inbox.claim(finished=[Finished(5)])) == [6]
    assert ids(await inbox.claim(finished=[Finished(6)])) == [7]


async def test_leasing_at_once_stops_at_the_room_the_worker_has(inbox: InboxService) -> None:
    intake = await inbox.take_in([message(n, chat_id=500 + n) for n in range(1, 5)], lease_now=2)

    assert ids(intake.leased) == [1, 2]
    assert ids(await inbox.claim()) == [3, 4]


async def test_a_redelivered_update_is_neither_stored_again_nor_leased_twice(
    inbox: InboxService,
) -> None:
    first = await inbox.take_in([message(1)], lease_now=5)
    await inbox.claim(0, finished=[Finished(1)])

    again = await inbox.take_in([message(1), message(1)], lease_now=5)

    assert (first.new, ids(first.leased)) == (1, [1])
    assert (again.new, again.leased) == (0, [])
    assert await inbox.counts() == {"done": 1}


async def test_finished_updates_are_marked_by_the_next_store(inbox: InboxService) -> None:
    await inbox.take_in([message(1)], lease_now=5)

    intake = await inbox.take_in([message(2)], finished=[Finished(1)], lease_now=5)

    assert ids(intake.leased) == [2]  # its chat was free once 1 was marked
    assert await inbox.counts() == {"done": 1, "processing": 1}


async def test_two_instances_storing_one_chats_updates_at_once_lease_only_one(
    empty_db: str, clock: FrozenClock
) -> None:
    engines = [create_engine(empty_db) for _ in range(2)]
    instances = [InboxService(create_session_factory(e), clock) for e in engines]
    try:
        for round_ in range(10):
            base = 100 * round_ + 1
            intakes = await asyncio.gather(
                instances[0].take_in([message(base, chat_id=900 + round_)], lease_now=5),
                instances[1].take_in([message(base + 1, chat_id=900 + round_)], lease_now=5),
            )
            leased = [i.update_id for intake in intakes for i in intake.leased]
            assert len(leased) == 1, (round_, leased)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_an_update_that_arrives_after_a_later_one_of_its_chat_waits_for_it(
    inbox: InboxService,
) -> None:
    await inbox.take_in([message(9)], lease_now=5)  # 9 came first and is in hand

    late = await inbox.take_in([message(8)], lease_now=5)

    assert late.leased == []
    assert await inbox.claim() == []  # one update of a chat in hand at a time
    assert ids(await inbox.claim(finished=[Finished(9)])) == [8]


# --- housekeeping ----------------------------------------------------------------------------


async def test_housekeeping_forgets_only_updates_done_longer_ago_than_the_retention(
    inbox: InboxService, clock: FrozenClock
) -> None:
    await inbox.store([message(1, chat_id=501), message(2, chat_id=502), message(3, chat_id=503)])
    await inbox.claim()
    await inbox.claim(0, finished=[Finished(1), Finished(2, error="handler crashed")])
    clock.advance(RETENTION + timedelta(minutes=1))
    await inbox.store([message(4, chat_id=504), message(5, chat_id=505)])
    await inbox.claim(1, finished=[Finished(3)])  # 3 done just now; 4 in hand; 5 pending

    assert await inbox.housekeep(vacuum=True) == 1

    assert await inbox.counts() == {"done": 1, "failed": 1, "processing": 1, "pending": 1}
    assert await inbox.store([message(1, chat_id=501)]) == 1  # forgotten: new again


async def test_on_postgresql_housekeeping_vacuums_the_inbox(
    inbox: InboxService, empty_db: str
) -> None:
    if not empty_db.startswith("postgresql"):
        pytest.skip("SQLite keeps no dead row versions in its indexes")
    engine = create_engine(empty_db)
    count = text(
        "SELECT coalesce(vacuum_count, 0) FROM pg_stat_user_tables WHERE relname = 'inbox_updates'"
    )
    try:
        async with engine.connect() as connection:
            before = await connection.scalar(count)
        await inbox.housekeep(vacuum=True)
        async with asyncio.timeout(5):
            while True:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT pg_stat_clear_snapshot()"))
                    if await connection.scalar(count) > before:
                        break
                await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


# --- update ids that start again ---------------------------------------------------------------
# Telegram numbers updates anew (at a random value) after a week without any, a new bot token
# starts anew, and the playground's fake starts at 1 on every run. A duplicate is the same id
# with the same content; a finished update's id may be taken by a different one.


async def handled(inbox: InboxService, *updates: dict[str, Any]) -> None:
    await inbox.store(updates)
    await inbox.claim(0, finished=[Finished(i.update_id) for i in await inbox.claim()])
    while claimed := await inbox.claim():
        await inbox.claim(0, finished=[Finished(i.update_id) for i in claimed])


async def test_a_second_run_numbering_its_updates_from_one_again_is_handled(
    inbox: InboxService,
) -> None:
    await handled(inbox, message(1), message(2, text="/help"), message(3, text="/agenda"))

    intake = await inbox.take_in([later_message(1), later_message(2, text="/now")], lease_now=5)

    assert intake.new == 2
    assert [item.payload for item in intake.leased] == [later_message(1)]  # one chat: in order
    assert ids(await inbox.claim(finished=[Finished(1)])) == [2]
    assert await inbox.counts() == {"done": 2, "processing": 1}


async def test_updates_after_telegram_restarts_its_ids_lower_are_handled_in_order(
    inbox: InboxService,
) -> None:
    await handled(inbox, *(message(n, chat_id=500 + n % 3) for n in range(734_000, 734_010)))

    restarted = [later_message(n, chat_id=500 + n % 3) for n in range(734_005, 734_012)]
    intake = await inbox.take_in(restarted, lease_now=10)

    assert intake.new == 7  # five of them under ids of handled updates
    assert ids(intake.leased) == [734_005, 734_006, 734_007]  # each chat's first
    assert intake.leased[0].payload == later_message(734_005, chat_id=501)
    assert await inbox.counts() == {"done": 5, "processing": 3, "pending": 4}


async def test_an_update_telegram_sends_again_is_still_dropped(inbox: InboxService) -> None:
    await handled(inbox, message(7), message(8, chat_id=508))
    await handled(inbox, later_message(7))  # its id was numbered anew meanwhile
    in_hand = await inbox.take_in([message(9)], lease_now=5)

    again = await inbox.take_in(
        [message(8, chat_id=508), later_message(7), message(9), message(9)], lease_now=5
    )

    assert ids(in_hand.leased) == [9]
    assert (again.new, again.leased) == (0, [])
    assert await inbox.counts() == {"done": 2, "processing": 1}


async def test_a_different_update_under_the_id_of_an_unfinished_one_waits_for_it(
    inbox: InboxService,
) -> None:
    await inbox.take_in([message(1)], lease_now=5)  # in hand (or a previous run left it)

    with pytest.raises(UpdateIdInUse):
        await inbox.take_in([message(2, chat_id=502), later_message(1)], lease_now=5)

    assert await inbox.counts() == {"processing": 1}  # nothing of the batch was stored
    await inbox.finish(1)
    intake = await inbox.take_in([message(2, chat_id=502), later_message(1)], lease_now=5)
    assert intake.new == 2  # Telegram sent them again: now both are stored
    assert [i.payload for i in intake.leased] == [later_message(1), message(2, chat_id=502)]


async def test_housekeeping_forgets_old_updates_whose_ids_are_above_the_restarted_ones(
    inbox: InboxService, clock: FrozenClock
) -> None:
    await handled(inbox, *(message(n, chat_id=n) for n in (90_001, 90_002, 90_003)))
    clock.advance(RETENTION + timedelta(hours=1))
    await handled(inbox, *(later_message(n, chat_id=n) for n in range(1, PURGE_BATCH + 2)))

    forgotten = await inbox.housekeep(vacuum=False)

    assert forgotten == 3  # the ones from before the restart, not the recent ones below them
    assert await inbox.counts() == {"done": PURGE_BATCH + 1}

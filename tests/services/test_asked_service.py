"""The questions people ask the bot: grouped and counted for organizers without who asked,
re-asked only by their asker, deleted on erasure and gone after 90 days (each backend)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import fields
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.db.engine import create_engine, create_session_factory
from bot.domain.retention import ASKED_QUESTIONS as RETENTION
from bot.services.asked import AskedQuestion, AskedQuestions, forget

AMINA, OMAR = 501, 502


@pytest.fixture
async def asked(empty_db: str, clock: FrozenClock) -> AsyncIterator[AskedQuestions]:
    engine = create_engine(empty_db)
    try:
        yield AskedQuestions(create_session_factory(engine), clock)
    finally:
        await engine.dispose()


async def test_the_same_question_typed_differently_is_counted_as_one(
    asked: AskedQuestions, clock: FrozenClock
) -> None:
    await asked.record(AMINA, "en", "Where is the  PRAYER room?", answered=False)
    clock.advance(timedelta(minutes=1))
    await asked.record(OMAR, "en", "where is the prayer room", answered=False)
    clock.advance(timedelta(minutes=1))
    await asked.record(None, "en", " Where is the Prayer Room ?? ", answered=False)
    await asked.record(AMINA, "ms", "Di mana surau?", answered=False)
    await asked.record(AMINA, "ms", "di mana SURAU", answered=False)
    await asked.record(OMAR, "ar", "أين قاعة الصلاة؟", answered=False)
    await asked.record(AMINA, "ar", "اين قاعةُ الصلاة", answered=False)  # hamza, harakat
    await asked.record(AMINA, "en", "Café Wi-Fi password", answered=False)
    await asked.record(OMAR, "en", "cafe wi fi password", answered=False)  # accent, hyphen

    top = await asked.unanswered()

    assert top == [
        ("Where is the Prayer Room ??", 3),  # the most recent wording of the group
        ("cafe wi fi password", 2),
        ("اين قاعةُ الصلاة", 2),
        ("di mana SURAU", 2),
    ]


async def test_most_frequent_first_then_most_recent_and_answered_ones_left_out(
    asked: AskedQuestions, clock: FrozenClock
) -> None:
    await asked.record(AMINA, "en", "lunch menu", answered=False)
    clock.advance(timedelta(minutes=1))
    await asked.record(AMINA, "en", "parking", answered=False)
    clock.advance(timedelta(minutes=1))
    await asked.record(OMAR, "en", "shuttle bus", answered=False)
    await asked.record(OMAR, "en", "shuttle bus", answered=False)
    for _ in range(5):
        await asked.record(OMAR, "en", "When is the keynote?", answered=True)

    assert await asked.unanswered() == [("shuttle bus", 2), ("parking", 1), ("lunch menu", 1)]
    assert await asked.unanswered(limit=2) == [("shuttle bus", 2), ("parking", 1)]
    since = clock.now() - timedelta(seconds=30)
    assert await asked.unanswered(since=since) == [("shuttle bus", 2)]


async def test_the_list_says_what_was_asked_and_never_who_asked(asked: AskedQuestions) -> None:
    await asked.record(AMINA, "en", "Is there a nursing room?", answered=False)

    top = await asked.unanswered()

    assert top == [("Is there a nursing room?", 1)]
    assert str(AMINA) not in repr(top)
    assert [f.name for f in fields(AskedQuestion)] == ["id", "locale", "text"]


async def test_a_question_is_stored_on_one_line_without_controls_and_cut_at_300(
    asked: AskedQuestions,
) -> None:
    typed = "where\n\tis\x07 \u202ethe\u2066 bar\u2069"
    messy = await asked.record(AMINA, "en", typed, answered=False)
    long = await asked.record(AMINA, "en", "word " * 1000, answered=False)

    cleaned = await asked.get(messy, AMINA)
    cut = await asked.get(long, AMINA)
    assert cleaned is not None and cleaned.text == "where is the bar"
    assert cut is not None and len(cut.text) == 300


async def test_a_question_is_given_back_to_its_asker_only(asked: AskedQuestions) -> None:
    question_id = await asked.record(AMINA, "ar", "متى الكلمة الرئيسية؟", answered=True)

    mine = await asked.get(question_id, AMINA)
    forged = await asked.get(question_id, OMAR)
    missing = await asked.get(question_id + 1000, AMINA)

    assert mine == AskedQuestion(question_id, "ar", "متى الكلمة الرئيسية؟")
    assert forged is None and missing is None


async def test_erasing_a_user_deletes_what_they_asked(asked: AskedQuestions, empty_db: str) -> None:
    hers = await asked.record(AMINA, "en", "vegetarian food", answered=False)
    his = await asked.record(OMAR, "en", "vegetarian food", answered=False)

    engine = create_engine(empty_db)
    try:
        async with create_session_factory(engine).begin() as db:
            await forget(db, AMINA)  # what erasure runs in its transaction
    finally:
        await engine.dispose()

    assert await asked.get(hers, AMINA) is None  # gone: her buttons stop working
    assert await asked.get(his, OMAR) is not None
    assert await asked.unanswered() == [("vegetarian food", 1)]  # what others asked counts


async def test_purge_deletes_what_is_older_than_the_retention(
    asked: AskedQuestions, clock: FrozenClock
) -> None:
    old = await asked.record(AMINA, "en", "old question", answered=False)
    clock.advance(RETENTION - timedelta(days=1))
    recent = await asked.record(AMINA, "en", "recent question", answered=False)
    clock.advance(timedelta(days=2))

    purged = await asked.purge(RETENTION)

    assert purged == 1
    assert await asked.get(old, AMINA) is None
    assert await asked.get(recent, AMINA) is not None
    assert await asked.unanswered() == [("recent question", 1)]


async def test_recording_after_a_start_purges_old_questions(
    empty_db: str, clock: FrozenClock
) -> None:
    engine = create_engine(empty_db)
    try:
        first = AskedQuestions(create_session_factory(engine), clock)
        old = await first.record(AMINA, "en", "old question", answered=False)
        clock.advance(RETENTION + timedelta(days=1))
        restarted = AskedQuestions(create_session_factory(engine), clock)

        await restarted.record(AMINA, "en", "new question", answered=False)

        assert await restarted.get(old, AMINA) is None
        assert await restarted.unanswered() == [("new question", 1)]
    finally:
        await engine.dispose()

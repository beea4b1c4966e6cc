"""Organizers learn what attendees need: /stats and `symposium-bot stats` list the questions
the bot could not answer, most frequent first, without who asked them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.clock import SystemClock
from bot.db.engine import create_engine, create_session_factory
from bot.services.asked import AskedQuestions
from tests.conftest import ADMIN
from tests.features.test_cli import cli
from tests.features.test_registration import confirm, to_summary
from tests.harness import BotHarness, text_of

FSI, PDI = "\u2068", "\u2069"


async def test_stats_list_the_unanswered_questions_most_frequent_first(desk: BotHarness) -> None:
    asked = desk.runtime.services.asked
    await asked.record(2001, "en", "Where is the prayer room?", answered=False)
    await asked.record(2002, "en", "where is the PRAYER room", answered=False)
    await asked.record(2003, "ar", "أين قاعة الصلاة؟", answered=False)
    await asked.record(2002, "en", "When is the keynote?", answered=True)
    await asked.record(2001, "en", "<b>wifi</b> & password", answered=False)

    [report] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")

    text = text_of(report)
    section = text[text.index("❓ Questions I could not answer") :].splitlines()
    assert section[1:4] == [
        "Asked 2 times: where is the PRAYER room",
        "Asked 1 time: <b>wifi</b> & password",
        "Asked 1 time: أين قاعة الصلاة؟",
    ]
    assert "keynote" not in text
    assert "2001" not in text and "2002" not in text
    raw = report.text or ""
    assert f"{FSI}&lt;b&gt;wifi&lt;/b&gt; &amp; password{PDI}" in raw  # shown as typed
    assert f"{FSI}أين قاعة الصلاة؟{PDI}" in raw  # keeps its own direction


async def test_stats_say_so_when_every_question_was_answered(desk: BotHarness) -> None:
    await desk.runtime.services.asked.record(2001, "en", "When is the keynote?", answered=True)

    [report] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")

    assert "❓ Questions I could not answer\nNo unanswered questions so far." in text_of(report)


async def test_long_questions_are_shortened_and_stats_fit_one_message(desk: BotHarness) -> None:
    asked = desk.runtime.services.asked
    for i in range(15):
        question = f"question {i:02} " + "about a very long and winding subject " * 10
        for _ in range(15 - i):
            await asked.record(3000 + i, "en", question, answered=False)

    [report] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")

    lines = text_of(report).splitlines()
    listed = [line for line in lines if line.startswith("Asked ")]
    assert len(listed) == 10
    assert listed[0].startswith("Asked 15 times: question 00 about")
    assert listed[-1].startswith("Asked 6 times: question 09 about")
    assert all(line.endswith("…") and len(line) < 110 for line in listed)
    assert len(report.text or "") <= 4096


async def test_deleting_my_data_deletes_my_questions_from_the_organizers_list(
    desk: BotHarness,
) -> None:
    user = desk.user(2001, "Amina")
    await confirm(desk, user, await to_summary(desk, user))
    asked = desk.runtime.services.asked
    question_id = await asked.record(user.id, "en", "Is there a creche?", answered=False)
    [card] = await desk.send(user, "/me")
    [question] = await desk.press(user, card, "Delete my data")
    await desk.press(user, question, "Yes, delete")

    [report] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")

    assert await asked.get(question_id, user.id) is None
    assert "creche" not in text_of(report)


def test_symposium_bot_stats_prints_the_unanswered_questions(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    async def ask() -> None:
        engine = create_engine(sqlite_sample_db)
        try:
            asked = AskedQuestions(create_session_factory(engine), SystemClock())
            for user_id in (2001, 2002, 2003):
                await asked.record(user_id, "ms", "Di mana surau?", answered=False)
            await asked.record(2001, "en", "shuttle <bus> times", answered=False)
        finally:
            await engine.dispose()

    asyncio.run(ask())
    result = cli("stats", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("❓ Questions I could not answer")
    assert lines[at + 1 : at + 3] == [
        "Asked 3 times: Di mana surau?",
        "Asked 1 time: shuttle <bus> times",
    ]
    assert "2001" not in result.stdout


def test_symposium_bot_stats_says_when_none_went_unanswered(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    result = cli("stats", "--lang", "en", cwd=tmp_path, DATABASE_URL=sqlite_sample_db)

    assert result.returncode == 0, result.stderr
    assert "Questions I could not answer\nNo unanswered questions so far." in result.stdout

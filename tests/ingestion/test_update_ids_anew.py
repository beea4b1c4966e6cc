"""A bot that finds update ids numbered anew still answers.

The playground's fake Bot API numbers its updates from 1 on every run, while the database
keeps the updates it handled for two days; Telegram numbers anew after a week without
updates, and a new bot token does too. A second run on the same database must answer as the
first did.
"""

from __future__ import annotations

import asyncio
import io
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import FrozenClock
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from bot.sandbox.playground import run_playground
from bot.services.inbox import LEASE, InboxService
from tests.conftest import KL
from tests.databases import copy_sqlite
from tests.harness import BotHarness, text_of


async def a_moment_later() -> None:
    """The next second of the wall clock, which the fake's messages are dated by: a person
    starting the playground again is always at least that much later."""
    await asyncio.sleep(1.0 - time.time() % 1.0 + 0.01)


async def answer(
    bot: BotHarness,
    user: FakeUser,
    text: str,
    within: float = 5.0,
) -> list[SentMessage]:
    """Send `text`; what the bot sent back once it has stored and handled it. (A stored
    update of the first run, done, has the same id: wait until this one is stored first.)"""
    before = len(bot.fake.messages(user.id))
    update = await bot.fake.send_text(user, text)
    stored = bot.fake.acknowledged_update_ids
    await bot.fake.wait_for(lambda: update["update_id"] in stored(), within, what="stored")
    await bot.processed(update["update_id"])
    return bot.fake.messages(user.id)[before:]


async def test_a_second_run_on_the_same_database_answers_from_its_first_update(
    sqlite_templates: dict[bool, Path], tmp_path: Path, clock: FrozenClock
) -> None:
    database = copy_sqlite(sqlite_templates[True], tmp_path / "playground.db")
    async with FakeBotApi() as fake, BotHarness.running(fake, database, clock) as bot:
        amina = bot.user()
        first = await bot.send(amina, "/start")
        await bot.send(amina, "/help")
    await a_moment_later()

    async with FakeBotApi() as fake, BotHarness.running(fake, database, clock) as bot:
        amina = bot.user()
        again = await answer(bot, amina, "/start")
        then = await answer(bot, amina, "/help")
        stored = await bot.runtime.inbox.counts()

    assert stored == {"done": 2}  # the second run's updates took the first run's ids 1 and 2
    assert text_of(first[0]).startswith("👋 Welcome, Amina!")
    assert again and text_of(again[0]).startswith("👋 Welcome, Amina!")
    assert then  # the next message is answered too


async def test_an_update_under_the_id_of_one_a_killed_run_left_in_hand_waits_for_it(
    sqlite_templates: dict[bool, Path], tmp_path: Path, clock: FrozenClock
) -> None:
    database = copy_sqlite(sqlite_templates[True], tmp_path / "playground.db")
    engine = create_engine(database)
    left = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1773454500,
            "chat": {"id": 1001, "type": "private"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Amina", "language_code": "en"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    try:  # the first run was killed while handling its update 1
        await InboxService(create_session_factory(engine), clock).take_in([left], lease_now=1)
    finally:
        await engine.dispose()

    async with FakeBotApi() as fake, BotHarness.running(fake, database, clock) as bot:
        amina = bot.user()
        clock.advance(LEASE + timedelta(seconds=1))  # its lease ran out: handled again
        replies = await answer(bot, amina, "/start", within=15.0)  # update id 1 as well
        seen = [text_of(m) for m in fake.messages(amina.id)]

    assert any(text_of(m).startswith("👋 Welcome, Amina!") for m in replies)
    assert seen[0].startswith("How I can help")  # the update left behind came first


class Terminal:
    """Types the given lines, then ends the input, as a person at the playground would."""

    def __init__(self, lines: list[str]) -> None:
        self.out = io.StringIO()
        self._lines = list(lines)
        self.typed: list[int] = []  # where the screen was as each line was typed

    async def read_line(self) -> str:
        if not self._lines:
            raise EOFError
        self.typed.append(len(self.out.getvalue()))
        return self._lines.pop(0)


async def play(database: str, lines: list[str], files: Path) -> Terminal:
    terminal = Terminal(lines)
    settings = Settings(database_url=database, event_timezone="Asia/Kuala_Lumpur")
    at = datetime(2026, 3, 14, 10, 15, tzinfo=KL)
    code = await run_playground(
        settings, locale="en", at=at, files=files, read_line=terminal.read_line, out=terminal.out
    )
    assert code == 0
    return terminal


async def test_the_playground_started_again_on_its_database_greets_and_answers(
    sqlite_templates: dict[bool, Path], tmp_path: Path
) -> None:
    database = copy_sqlite(sqlite_templates[True], tmp_path / "playground.db")
    first = await play(database, ["/help"], tmp_path)
    await a_moment_later()

    second = await play(database, ["/help"], tmp_path)

    screen = strip_bidi(second.out.getvalue())
    greeted, answered = screen[: second.typed[0]], screen[second.typed[0] :]
    assert "👋 Welcome, Guest!" in strip_bidi(first.out.getvalue())
    assert "👋 Welcome, Guest!" in greeted  # shown before the next line is asked for
    assert "How I can help" in answered

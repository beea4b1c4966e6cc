""" "Delete my data" reaches every copy (issue #16): after a person registered, searched, asked
a speaker a question, rated a session with a comment, sent a file and deleted their data, no
row of any table holds their name, username, e-mail, question or comment, nor their badge
code, and on SQLite neither do the database file's bytes (free pages and the WAL included).
The privacy notice says what is kept, by whom, for how long, and whom to contact."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.engine import make_url

from bot.clock import FrozenClock
from bot.db import models as m
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser
from tests.conftest import ADMIN
from tests.features.test_feedback import bookmark_business_models, prompt_after_the_end
from tests.features.test_questions import ask
from tests.features.test_registration import confirm, to_role
from tests.harness import BotHarness, text_of

NAME = "Wilhelmina Quarterpane"
USERNAME = "wquarterpane"
EMAIL = "wilhelmina.qp@example.org"
ORGANIZATION = "Gazette Vexillum"
QUESTION = "Will the slides about quokka revenue be shared afterwards?"
COMMENT = "The marmoset metaphor was brilliant"
FILE_NAME = "cv-of-quarterpane.pdf"
PERSON = 5005


@dataclass
class Person:
    user: FakeUser
    code: str


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as harness:
        yield harness


async def leave_traces(bot: BotHarness) -> Person:
    """Everything a person can leave behind: a registration with a typed e-mail, a checked-in
    badge, a search, a question to a speaker, a rating with a comment, a refused file."""
    user = bot.fake.user(
        PERSON, "Wilhelmina", last_name="Quarterpane", username=USERNAME, language_code="en"
    )
    await bot.send(user, "/register")
    await bot.send(user, NAME)
    await bot.send(user, EMAIL)
    [role] = await bot.send(user, ORGANIZATION)
    await bot.press(user, role, "Journalist")
    [matches] = await bot.send(user, "malay")
    [language] = await bot.press(user, matches, "Malaysia")
    [consent] = await bot.press(user, language, "English")
    [summary] = await bot.press(user, consent, "I agree")
    _, code = await confirm(bot, user, summary)
    await bot.send(bot.user(ADMIN, "Admin"), f"/checkin {code}")
    await bot.send(user, "xylophone journalism workshops")
    await ask(bot, user, QUESTION)
    await bookmark_business_models(bot, user)
    prompt = await prompt_after_the_end(bot, user)
    [rated] = await bot.press(user, prompt, "4⭐")
    await bot.press(user, rated, "Add a comment")
    await bot.send(user, COMMENT)
    sent = await bot.fake.send_document(user, FILE_NAME, b"%PDF-1.4 ...", "application/pdf")
    await bot.processed(sent["update_id"])
    return Person(user, code)


async def delete_my_data(bot: BotHarness, person: Person) -> str:
    [card] = await bot.send(person.user, "/me")
    [question] = await bot.press(person.user, card, "Delete my data")
    [erased] = await bot.press(person.user, question, "Yes, delete")
    return text_of(erased)


async def rows_mentioning(bot: BotHarness, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text column of every table holding a needle."""
    found = []
    async with bot.runtime.services.sessions() as db:
        for table in m.Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in await db.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    for needle in needles:
                        if value and needle.lower() in str(value).lower():
                            found.append((table.name, column.name, needle))
    return found


def personal(person: Person) -> list[str]:
    return [
        "Wilhelmina",
        "Quarterpane",
        USERNAME,
        EMAIL,
        ORGANIZATION,
        "quokka revenue",
        "marmoset metaphor",
        person.code,
    ]


async def test_delete_my_data_leaves_no_row_holding_what_the_person_typed_or_is_called(
    bot: BotHarness,
) -> None:
    person = await leave_traces(bot)
    assert {t for t, _, _ in await rows_mentioning(bot, personal(person))} >= {
        "inbox_updates",
        "users",
        "registrations",
        "questions",
        "feedback",
        "audit_log",
    }

    said = await delete_my_data(bot, person)

    assert "Your data has been deleted." in said
    assert await rows_mentioning(bot, personal(person)) == []
    async with bot.runtime.services.sessions() as db:
        rating = await db.scalar(select(m.Feedback.rating).where(m.Feedback.user_id == PERSON))
        searched = await db.scalar(
            select(m.AskedQuestion.user_id).where(m.AskedQuestion.text.contains("xylophone"))
        )
        audited = list(await db.execute(select(m.AuditEntry.action, m.AuditEntry.outcome)))
    assert rating == 4  # anonymous figures stay
    assert searched is None  # what they searched for went too
    assert ("checkin", "ok") in audited and ("import-preview", "refused") in audited
    # The update that asked for it was handled to the end, and the bot serves them still.
    [welcome] = await bot.send(person.user, "/start")
    assert "Welcome" in text_of(welcome)
    payloads = [json.loads(p) for p in await inbox_payloads(bot)]
    assert all("update_id" in p for p in payloads)


async def inbox_payloads(bot: BotHarness) -> list[str]:
    async with bot.runtime.services.sessions() as db:
        return list(await db.scalars(select(m.InboxUpdate.payload)))


async def test_no_readable_bytes_are_left_in_the_sqlite_file(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> None:
    path = Path(make_url(sqlite_sample_db).database or "")
    async with BotHarness.running(fake, sqlite_sample_db, clock, admins=frozenset({ADMIN})) as bot:
        person = await leave_traces(bot)
        await delete_my_data(bot, person)
        # Read while the bot runs: the WAL still exists then.
        files = [path, path.with_name(path.name + "-wal")]
        data = b"".join(f.read_bytes() for f in files if f.exists())

    for needle in personal(person):
        assert needle.encode() not in data, needle


async def consent_step(bot: BotHarness, user: FakeUser) -> str:
    """/register up to the privacy notice (buttons pressed by their data, in any language);
    what the notice says."""
    role = await to_role(bot, user)
    [_country] = await bot.press_data(user, role, "rgr:journalist")
    [matches] = await bot.send(user, "malay")
    [language] = await bot.press_data(user, matches, "rgc:MY")
    [consent] = await bot.press_data(user, language, "rgl:ms")
    return text_of(consent)


async def test_the_privacy_notice_says_what_is_kept_by_whom_how_long_and_whom_to_ask(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(
        fake, sqlite_sample_db, clock, privacy_contact="privacy@symposium.example"
    ) as bot:
        notice = await consent_step(bot, bot.user())
        arabic = await consent_step(bot, bot.user(1002, "Layla", lang="ar"))

    assert "The symposium's organizers keep them" in notice  # by whom
    assert "until you delete them" in notice  # how long
    assert "Messages you send to the bot are kept for 2 days" in notice
    assert "kept for 90 days without your name" in notice
    assert "Questions about your data: privacy@symposium.example" in notice
    assert "Delete my data" in notice and "Do you agree?" in notice
    assert "privacy@symposium.example" in arabic and "days" not in arabic


async def test_without_a_privacy_contact_the_notice_names_the_organizers(bot: BotHarness) -> None:
    notice = await consent_step(bot, bot.user())

    assert "Questions about your data: the symposium's organizers." in notice


async def test_someone_who_never_registered_can_delete_what_the_bot_keeps(
    bot: BotHarness,
) -> None:
    user = bot.fake.user(6006, "Zephyrine", last_name="Oddlethwaite", username="zoddle")
    await bot.send(user, "/start")
    await bot.send(user, "Will Zephyrine's cousin moderate the quokka panel?")
    [card] = await bot.send(user, "/me")
    assert "You are not registered yet" in text_of(card)

    [question] = await bot.press(user, card, "Delete my data")
    [erased] = await bot.press(user, question, "Yes, delete")

    assert "messages you sent the bot" in text_of(question)
    assert text_of(erased).startswith("🗑 Your data has been deleted.")
    assert "register again" not in text_of(erased)
    assert await rows_mentioning(bot, ["Zephyrine", "Oddlethwaite", "zoddle", "cousin"]) == []

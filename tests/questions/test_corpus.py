"""Attendees' questions, as they type them, in four languages, over the sample programme and
over FOSDEM 2026 as it was published: each language answers at least 90% of its corpus
usefully (what was asked, in the asker's language, not buried among unrelated sessions).

Each corpus runs through the real bot (handlers, database, fake Bot API); every answer is
judged on the message the attendee sees, all its pages included.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.importers import parse_programme
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.programme import ProgrammeService
from tests.databases import IMPORT_CLOCK, copy_sqlite, prepare, sqlite_url
from tests.harness import BotHarness
from tests.questions.corpus import (
    DATA,
    MIN_USEFUL,
    Corpus,
    Keys,
    Question,
    Seen,
    buttons_of,
    corpora,
    load,
    verdict,
)

MAX_PAGES = 4


@pytest.fixture(scope="session")
def fosdem_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FOSDEM 2026's published schedule.xml, imported once per test run."""
    path = tmp_path_factory.mktemp("fosdem") / "fosdem.db"

    async def build() -> None:
        url = sqlite_url(path)
        await prepare(url, sample=False)
        from bot.db.engine import create_engine, create_session_factory

        engine = create_engine(url)
        try:
            data = (DATA / "fosdem-2026.xml").read_bytes()
            programme = parse_programme("fosdem-2026.xml", data, timezone="Europe/Brussels")
            await ProgrammeService(create_session_factory(engine), IMPORT_CLOCK).apply(programme)
        finally:
            await engine.dispose()

    # requested from inside a running test loop: build on a thread of its own
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, build()).result()
    return path


async def _keys(harness: BotHarness) -> Keys:
    async with harness.runtime.services.sessions() as db:
        sessions = dict((await db.execute(select(m.Session.id, m.Session.key))).tuples().all())
        speakers = dict((await db.execute(select(m.Speaker.id, m.Speaker.key))).tuples().all())
        titles: dict[int, dict[str, str]] = {}
        for session_id, title in (await db.execute(select(m.Session.id, m.Session.title))).tuples():
            titles[session_id] = {"en": title, "ar": title, "ms": title, "ur": title}
        st = m.SessionTranslation
        for session_id, locale, title in (
            await db.execute(select(st.session_id, st.locale, st.title))
        ).tuples():
            titles[session_id][locale] = title
    return Keys(sessions, speakers, titles)


async def _see(harness: BotHarness, user_id: int, locale: str, question: Question) -> Seen:
    harness.clock.set(question.at)
    user = harness.user(user_id, "Attendee", locale)
    replies = await harness.send(user, question.ask)
    seen = Seen()
    if not replies:
        return seen
    reply = replies[-1]
    for page in range(MAX_PAGES):
        buttons = buttons_of(reply.reply_markup)
        seen.add_page(reply.plain_text, buttons)
        more = [d for _, d in buttons if d.startswith("ak:") and d.split(":")[3] == str(page + 1)]
        if not more:
            break
        [reply] = await harness.press_data(user, reply, more[0])
    return seen


@pytest.fixture
async def running(
    request: pytest.FixtureRequest,
    fake: FakeBotApi,
    sqlite_templates: dict[bool, Path],
    tmp_path: Path,
    clock: FrozenClock,
) -> AsyncIterator[tuple[BotHarness, Corpus]]:
    corpus = load(request.param)
    if corpus.programme == "fosdem":
        template = request.getfixturevalue("fosdem_template")
    else:
        template = sqlite_templates[True]
    url = copy_sqlite(template, tmp_path / "bot.db")
    async with BotHarness.running(fake, url, clock) as harness:
        yield harness, corpus


@pytest.mark.timeout(300)
@pytest.mark.parametrize("running", corpora(), ids=lambda p: p.stem, indirect=True)
async def test_each_language_answers_its_corpus_usefully(
    running: tuple[BotHarness, Corpus],
) -> None:
    harness, corpus = running
    keys = await _keys(harness)
    failures = []
    for number, question in enumerate(corpus.questions):
        # a user per question: nobody's earlier answer or dialogue colours the next
        seen = await _see(harness, 5000 + number, corpus.locale, question)
        problem = verdict(question, seen, keys, corpus.locale)
        if problem:
            failures.append(f"{question.ask!r}: {problem}\n    saw: {seen.text[:160]!r}")
    useful = 1 - len(failures) / len(corpus.questions)
    report = "\n".join(failures)
    print(f"{corpus.name}: {useful:.0%} of {len(corpus.questions)} useful\n{report}")
    assert useful >= MIN_USEFUL, f"{corpus.name}: only {useful:.0%} useful\n{report}"

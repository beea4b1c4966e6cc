"""The bot answers from an in-memory programme, yet an import elsewhere shows at once.

Another instance (here: its own engine on the same database, as `symposium-bot import` on
another machine would be) changes the programme; the running bot's next answer has it.
"""

from __future__ import annotations

import dataclasses

from bot.db.engine import create_engine, create_session_factory
from bot.sample import load_sample
from bot.services.programme import ProgrammeService
from tests.databases import IMPORT_CLOCK, SAMPLE_START, SAMPLE_ZONE
from tests.harness import BotHarness, text_of


async def test_a_session_renamed_by_another_instance_is_found_by_its_new_title(
    bot: BotHarness,
) -> None:
    user = bot.user()
    [before] = await bot.send(user, "trust story")
    assert "Trust Is the Story" in text_of(before)

    data = load_sample(SAMPLE_START, SAMPLE_ZONE)
    data = dataclasses.replace(
        data,
        sessions=tuple(
            dataclasses.replace(s, title="Trust, Revisited", titles={})
            if s.key == "d1-keynote"
            else s
            for s in data.sessions
        ),
    )
    engine = create_engine(bot.runtime.settings.database_url)
    try:
        await ProgrammeService(create_session_factory(engine), IMPORT_CLOCK).apply(data)
    finally:
        await engine.dispose()

    [after] = await bot.send(user, "revisited")
    assert "Trust, Revisited" in text_of(after)
    [card] = await bot.press(user, after, "Trust, Revisited")
    assert "Trust, Revisited" in text_of(card)
    [old] = await bot.send(user, "trust story")
    assert "Trust Is the Story" not in text_of(old)

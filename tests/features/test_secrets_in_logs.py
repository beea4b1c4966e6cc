"""The log never shows the webhook secret, however short: PTB writes the parameters of
every Bot API call at DEBUG, `setWebhook`'s `secret_token` among them (issue #16)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.clock import FrozenClock
from bot.logs import configure_logging
from bot.sandbox.fake_bot_api import FakeBotApi
from tests.conftest import running_webhook
from tests.harness import text_of

SHORT_SECRET = "Zq7w"  # Telegram accepts 1 to 256 characters


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The bot's own logging set-up at DEBUG, written to a buffer; restored afterwards."""
    root = logging.getLogger()
    quiet = ["httpx", "aiohttp.access", "alembic.runtime.plugins"]
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in quiet})
    stream = io.StringIO()
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def test_a_four_character_webhook_secret_is_not_in_the_debug_log(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock, debug_log: io.StringIO
) -> None:
    configure_logging("DEBUG", [fake.token, SHORT_SECRET], stream=debug_log)
    async with running_webhook(fake, sqlite_sample_db, clock, SHORT_SECRET) as bot:
        [welcome] = await bot.send(bot.user(), "/start")

    log = debug_log.getvalue()
    assert "Welcome, Amina!" in text_of(welcome)
    assert fake.webhook_secret == SHORT_SECRET  # Telegram got it
    assert "`setWebhook` with parameters" in log  # the DEBUG line is written…
    assert "'secret_token': '***'" in log  # …with the value blanked
    assert SHORT_SECRET not in log
    assert fake.token not in log

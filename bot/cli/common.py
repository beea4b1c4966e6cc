"""What several commands share: the database check, the bot's @username, a stop signal."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from bot.config import ConfigError, Settings

# argparse's `add_subparsers()` result (a private class in typeshed)
Subcommands = Any


def require_database(settings: Settings) -> None:
    """Refuse a missing SQLite file: SQLite would create an empty one, and a mistyped path
    would start a bot without its programme or its attendees that reports itself ready.
    `symposium-bot db upgrade` creates it (and `make run` runs that first)."""
    from bot.db.engine import missing_sqlite_file

    missing = missing_sqlite_file(settings.database_url)
    if missing is not None:
        raise ConfigError(
            f"no database at {missing} (DATABASE_URL); create it with "
            "`symposium-bot db upgrade`, or correct the path"
        )


async def bot_username(settings: Settings) -> str:
    """The bot's @username, from the Bot API's getMe."""
    from telegram import Bot

    if not settings.bot_token:
        raise ConfigError("BOT_TOKEN is not set (the link needs the bot's username)")
    async with Bot(settings.bot_token, base_url=settings.api_base_url) as bot:
        return bot.username


def stop_on_signals() -> asyncio.Event:
    """An event SIGINT and SIGTERM set: the long-running commands stop when it is."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop

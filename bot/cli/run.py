"""`symposium-bot run`: the bot (webhook mode when WEBHOOK_URL is set, else polling)."""

from __future__ import annotations

import argparse

from bot import process_tuning
from bot.cli import chat
from bot.cli.common import Subcommands, require_database, stop_on_signals
from bot.config import ConfigError, Settings


def add_parser(commands: Subcommands) -> None:
    run = commands.add_parser("run", help="run the bot (webhook mode when WEBHOOK_URL is set)")
    run.add_argument(
        "--or-chat", action="store_true", help="start the playground when BOT_TOKEN is unset"
    )
    run.set_defaults(handler=run_bot)


async def run_bot(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import Runtime

    if not settings.bot_token:
        if args.or_chat:
            print("BOT_TOKEN is not set: starting the local playground instead.\n")
            return await chat.chat(settings, argparse.Namespace(lang="en", at=None, name="Guest"))
        raise ConfigError("BOT_TOKEN is not set (without one, try `symposium-bot chat`)")
    require_database(settings)
    runtime = Runtime.build(settings)
    stop = stop_on_signals()
    await runtime.start()
    # the question indexes, built now rather than on the first attendee's question (and so
    # frozen out of the garbage collector's full passes with the rest of startup)
    await runtime.services.ask.warm()
    process_tuning.tune_for_serving()  # after startup: see the module
    try:
        await runtime.serve(stop)
    finally:
        await runtime.stop()
    return 0

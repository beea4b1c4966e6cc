"""`symposium-bot deliver`: the delivery dispatcher alone."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import Subcommands, require_database, stop_on_signals
from bot.config import ConfigError, Settings


def add_parser(commands: Subcommands) -> None:
    deliver = commands.add_parser("deliver", help="run only the delivery dispatcher")
    deliver.add_argument("--once", action="store_true", help="send what is due, then exit")
    deliver.set_defaults(handler=deliver_outbox)


async def deliver_outbox(settings: Settings, args: argparse.Namespace) -> int:
    """The dispatcher alone: useful as a separate process beside webhook instances."""
    from bot.app import Runtime

    if not settings.bot_token:
        raise ConfigError("BOT_TOKEN is not set")
    require_database(settings)
    runtime = Runtime.build(settings)
    stop = stop_on_signals()
    await runtime.start(commands=False)
    try:
        if args.once:
            await runtime.planner.run_once()  # digests, speakers' alerts
            sent = await runtime.dispatcher.drain()
            await runtime.progress.run_once()  # broadcasts' progress messages and states
            print(f"handled {sent} outbox rows")
        else:
            await asyncio.gather(
                runtime.dispatcher.run(stop), runtime.planner.run(stop), runtime.progress.run(stop)
            )
    finally:
        await runtime.stop()
    return 0

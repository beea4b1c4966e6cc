"""`symposium-bot` / `python -m bot`: parse the command line and run one subcommand.

Each command group is a small module here that adds its parser and handles its arguments;
every one builds its services through `bot.app.open_services` (or `Runtime`), the one
composition root.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.cli import audit, chat, db, deliver, exports, imports, run, speakers, stats
from bot.cli.common import require_database
from bot.config import ConfigError, Settings
from bot.logs import configure_logging

DESCRIPTION = "`symposium-bot` / `python -m bot`: parse the command line and run one subcommand."
# Commands that look for the database themselves (after their own checks), or create it.
CHECK_THEMSELVES = frozenset({"db", "run", "deliver", "chat"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    password = urlsplit(settings.database_url).password
    configure_logging(
        os.environ.get("LOG_LEVEL", "INFO"),
        [s for s in (settings.bot_token, settings.webhook_secret, password) if s],
    )
    try:
        if args.command not in CHECK_THEMSELVES:
            require_database(settings)
        return int(asyncio.run(args.handler(settings, args)) or 0)
    except KeyboardInterrupt:
        return 130
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except Exception:  # logged through the redacting formatter, never a raw traceback
        logging.getLogger("bot").exception("symposium-bot %s failed", args.command)
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The subcommands, in the order `--help` lists them."""
    parser = argparse.ArgumentParser(prog="symposium-bot", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (run, deliver, db, imports, exports, audit, stats, speakers, chat):
        module.add_parser(commands)
    return parser

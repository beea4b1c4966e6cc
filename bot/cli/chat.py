"""`symposium-bot chat`: the terminal playground (no Telegram needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Subcommands, require_database
from bot.config import Settings


def add_parser(commands: Subcommands) -> None:
    chat_parser = commands.add_parser("chat", help="the terminal playground (no Telegram needed)")
    chat_parser.add_argument("--lang", choices=["ar", "en", "ms", "ur"], default="en")
    chat_parser.add_argument(
        "--at",
        type=_playground_at,
        help="start the clock at this event time, e.g. 'day1 10:45' or 2026-03-14T10:45",
    )
    chat_parser.add_argument("--name", default="Guest", help="your first name in the chat")
    chat_parser.add_argument(
        "--organizer", action="store_true", help="be an organizer (an admin) in the chat"
    )
    chat_parser.add_argument(
        "--show-bidi", action="store_true", help="show bidi isolates and marks, e.g. ⁅FSI⁆"
    )
    chat_parser.add_argument(
        "--files", type=Path, help="save the files the bot sends here (default: a temp folder)"
    )
    chat_parser.set_defaults(handler=chat)


async def chat(settings: Settings, args: argparse.Namespace) -> int:
    """The playground with every setting of the environment (see `run_playground`)."""
    from bot.sandbox.playground import run_playground

    require_database(settings)
    result: int = await run_playground(
        settings,
        locale=args.lang,
        at=args.at,
        name=args.name,
        organizer=getattr(args, "organizer", False),
        bidi=getattr(args, "show_bidi", False),
        files=getattr(args, "files", None),
    )
    return result


def _playground_at(text: str) -> object:
    """`--at`: parsed by the playground (imported only when `chat` is used)."""
    from bot.sandbox.playground import parse_at

    return parse_at(text)

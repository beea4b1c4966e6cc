"""`symposium-bot export`: the organizers' CSV exports, and room signs to print."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import Subcommands, bot_username
from bot.config import ConfigError, Settings


def add_parser(commands: Subcommands) -> None:
    export = commands.add_parser(
        "export", help="organizer exports (CSV, UTF-8 with BOM); room-signs: PNGs to print"
    )
    export.add_argument(
        "what",
        choices=["registrations", "attendance", "feedback", "programme", "room-signs"],
        help="programme: the whole programme in the import template (re-imports unchanged)",
    )
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument(
        "--output", "-o", help="a file to write (default: standard output); room-signs: a folder"
    )
    export.add_argument(
        "--username", help="room-signs: the bot's @username, instead of asking Telegram (getMe)"
    )
    export.set_defaults(handler=export_csv)


async def export_csv(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import open_services
    from bot.services import exports

    if args.what == "room-signs":
        return await room_signs(settings, args)
    async with open_services(settings) as services:
        sessions = services.sessions
        if args.what == "registrations":
            text = await exports.registrations_csv(sessions, settings.event_timezone)
        elif args.what == "feedback":
            text = await exports.feedback_csv(sessions)
        elif args.what == "programme":
            text = await exports.programme_csv(sessions)
        else:
            text = await exports.attendance_csv(sessions, settings.event_timezone)
    if args.output:
        # newline="" keeps the CSV's CRLF line ends as written
        await asyncio.to_thread(Path(args.output).write_text, text, "utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0


async def room_signs(settings: Settings, args: argparse.Namespace) -> int:
    """One PNG per room of the current event, with a QR code of its now/next deep link."""
    from bot.app import open_services
    from bot.domain.deep_links import Target, link
    from bot.presentation.room_signs import (
        SignRenderingError,
        file_names,
        render_sign,
        room_sign,
    )
    from bot.services.programme_cache import NoEventError
    from bot.services.room_signs import bot_username as checked_username
    from bot.services.room_signs import rooms_for_signs

    if not args.output:
        raise ConfigError("export room-signs needs a folder to write to: -o DIR")
    try:
        username = checked_username(args.username) if args.username else None
    except ValueError as error:
        raise ConfigError(str(error)) from None
    username = username or await bot_username(settings)
    async with open_services(settings) as services:
        try:
            rooms = await rooms_for_signs(services.schedule)
        except NoEventError:
            print("no programme is loaded: import one first", file=sys.stderr)
            return 1
        localizers = await services.all_localizers()
    names = file_names(rooms)
    signs = [
        room_sign(room, link(username, Target.ROOM, room.id), localizers, names[room.id])
        for room in rooms
    ]
    folder = Path(args.output)

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for sign in signs:
            (folder / sign.file_name).write_bytes(render_sign(sign))

    try:
        await asyncio.to_thread(write)
    except SignRenderingError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"{len(signs)} room signs written to {folder}")
    return 0

"""`symposium-bot speakers invite|revoke`: organizers' speaker invites from the shell."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from pathlib import Path

from bot.cli.common import Subcommands, bot_username
from bot.config import Settings

BOM = "\ufeff"


def add_parser(commands: Subcommands) -> None:
    speakers = commands.add_parser("speakers", help="speaker invites")
    actions = speakers.add_subparsers(dest="speakers_command", required=True)
    invite_parser = actions.add_parser(
        "invite", help="one-time invite links (prints speaker, link)"
    )
    invite_parser.add_argument("keys", nargs="*", help="speaker keys (or --all)")
    invite_parser.add_argument("--all", action="store_true", help="every speaker of the programme")
    invite_parser.add_argument("--csv", metavar="FILE", help="write a CSV (UTF-8 with BOM) instead")
    invite_parser.set_defaults(handler=invite)
    revoke_parser = actions.add_parser("revoke", help="revoke a speaker's open invites")
    revoke_parser.add_argument("key", help="the speaker's key")
    revoke_parser.set_defaults(handler=revoke)


async def invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import open_services
    from bot.domain.speakers import deep_link

    if not args.all and not args.keys:
        print("name speaker keys or use --all", file=sys.stderr)
        return 2
    username = await bot_username(settings)
    async with open_services(settings) as services:
        try:
            invites = await services.speakers.invite_many(None if args.all else args.keys)
        except LookupError as error:
            print(str(error).strip("'\""), file=sys.stderr)
            return 1
    rows = [(i.speaker_key, i.speaker_name, deep_link(username, i.token)) for i in invites]
    if args.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["speaker_key", "speaker", "link"])
        writer.writerows(rows)
        text = BOM + buffer.getvalue()
        await asyncio.to_thread(Path(args.csv).write_text, text, "utf-8", newline="")
        print(f"{len(rows)} invites written to {args.csv}")
    else:
        for _key, name, link in rows:
            print(f"{name}\t{link}")
    return 0


async def revoke(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import open_services

    async with open_services(settings) as services:
        try:
            count = await services.speakers.revoke(None, args.key)
        except LookupError as error:
            print(str(error).strip("'\""), file=sys.stderr)
            return 1
    print(f"revoked {count} open invites of {args.key}")
    return 0

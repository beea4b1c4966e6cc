"""`symposium-bot speakers invite|revoke`: organizers' speaker invites from the shell."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings

BOM = "\ufeff"


def add_parser(commands: Any) -> None:
    speakers = commands.add_parser("speakers", help="speaker invites")
    actions = speakers.add_subparsers(dest="speakers_command", required=True)
    invite = actions.add_parser("invite", help="one-time invite links (prints speaker, link)")
    invite.add_argument("keys", nargs="*", help="speaker keys (or --all)")
    invite.add_argument("--all", action="store_true", help="every speaker of the programme")
    invite.add_argument("--csv", metavar="FILE", help="write a CSV (UTF-8 with BOM) instead")
    invite.set_defaults(handler=_invite)
    revoke = actions.add_parser("revoke", help="revoke a speaker's open invites")
    revoke.add_argument("key", help="the speaker's key")
    revoke.set_defaults(handler=_revoke)


async def _bot_username(settings: Settings) -> str:
    """The bot's @username, from the Bot API's getMe."""
    from telegram import Bot

    if not settings.bot_token:
        raise ConfigError("BOT_TOKEN is not set (the link needs the bot's username)")
    async with Bot(settings.bot_token, base_url=settings.api_base_url) as bot:
        return bot.username


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.db.engine import create_engine, create_session_factory
    from bot.domain.speakers import deep_link
    from bot.services.schedule import ScheduleService
    from bot.services.speakers import SpeakerService

    if not args.all and not args.keys:
        print("name speaker keys or use --all", file=sys.stderr)
        return 2
    username = await _bot_username(settings)
    engine = create_engine(settings.database_url)
    try:
        sessions = create_session_factory(engine)
        clock = SystemClock()
        service = SpeakerService(sessions, clock, ScheduleService(sessions, clock))
        try:
            invites = await service.invite_many(None if args.all else args.keys)
        except LookupError as error:
            print(str(error).strip("'\""), file=sys.stderr)
            return 1
    finally:
        await engine.dispose()
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


async def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.db.engine import create_engine, create_session_factory
    from bot.services.schedule import ScheduleService
    from bot.services.speakers import SpeakerService

    engine = create_engine(settings.database_url)
    try:
        sessions = create_session_factory(engine)
        clock = SystemClock()
        service = SpeakerService(sessions, clock, ScheduleService(sessions, clock))
        try:
            count = await service.revoke(None, args.key)
        except LookupError as error:
            print(str(error).strip("'\""), file=sys.stderr)
            return 1
    finally:
        await engine.dispose()
    print(f"revoked {count} open invites of {args.key}")
    return 0

"""`symposium-bot import`: load a programme (a file, a URL or the bundled sample)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta

from bot.cli.common import Subcommands
from bot.config import ConfigError, Settings


def add_parser(commands: Subcommands) -> None:
    load = commands.add_parser("import", help="load a programme into the database")
    load.add_argument("location", nargs="?", help="a file or an http(s) URL")
    load.add_argument("--sample", action="store_true", help="the bundled sample programme")
    load.add_argument(
        "--format", choices=["pretalx", "frab", "ics", "csv"], help="default: detected"
    )
    load.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )
    load.add_argument(
        "--start-date", type=date.fromisoformat, help="sample: day 1 (default: tomorrow)"
    )
    load.add_argument("--if-empty", action="store_true", help="only when no programme is loaded")
    load.set_defaults(handler=load_programme)


async def load_programme(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import open_services
    from bot.i18n import plain_text
    from bot.importers import Format
    from bot.importers.base import ProgrammeFormatError
    from bot.presentation.imports import import_report
    from bot.sample import load_sample
    from bot.services.imports import fetch

    if bool(args.sample) == bool(args.location):
        raise ConfigError("import needs a file or URL, or --sample (not both)")
    async with open_services(settings, migrate=True) as services:
        programme = services.programme
        if args.if_empty and await programme.has_programme():
            print("a programme is already loaded; nothing imported")
            return 0
        if args.sample:
            start = args.start_date or _tomorrow(services.clock.now(), settings.event_timezone)
            data = load_sample(start, settings.event_timezone)
            summary = await programme.apply(data, dry_run=args.dry_run)
            print(
                f"imported the sample programme from {start}: {summary.sessions} sessions, "
                f"{summary.speakers} speakers, {summary.rooms} rooms, {summary.tracks} tracks"
            )
            return 0
        importer = services.imports
        try:
            fetched = await fetch(args.location)
            summary = await importer.load(
                fetched.name,
                fetched.data,
                format=Format(args.format) if args.format else None,
                dry_run=args.dry_run,
            )
            zone = await importer.event_timezone()
        except ProgrammeFormatError as error:
            print(f"cannot import {error}", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"cannot read {args.location}: {error}", file=sys.stderr)
            return 1
        l10n = services.localizer_in("en", zone)
    report = "\n".join(import_report(l10n, summary))
    print(plain_text(report))
    return 0


def _tomorrow(now: datetime, timezone: str) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(timezone)).date() + timedelta(days=1)

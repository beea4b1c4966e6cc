"""`symposium-bot` / `python -m bot`: parse the command line and run one subcommand."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot import process_tuning, speaker_cli
from bot.config import ConfigError, Settings
from bot.logs import configure_logging


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
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


# Commands that look for the database themselves (after their own checks), or create it.
CHECK_THEMSELVES = frozenset({"db", "run", "deliver", "chat"})


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="symposium-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (webhook mode when WEBHOOK_URL is set)")
    run.add_argument(
        "--or-chat", action="store_true", help="start the playground when BOT_TOKEN is unset"
    )
    run.set_defaults(handler=_run)

    deliver = commands.add_parser("deliver", help="run only the delivery dispatcher")
    deliver.add_argument("--once", action="store_true", help="send what is due, then exit")
    deliver.set_defaults(handler=_deliver)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations").set_defaults(handler=_db_upgrade)

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
    load.set_defaults(handler=_import)

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
    export.set_defaults(handler=_export)

    audit = commands.add_parser("audit", help="the audit log of organizer actions")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--lang", choices=["ar", "en", "ms", "ur"], default="en")
    audit.add_argument(
        "--tsv", action="store_true", help="tab-separated ids and tokens, for scripts"
    )
    audit.set_defaults(handler=_audit)

    stats = commands.add_parser("stats", help="the organizers' figures")
    stats.add_argument("--lang", choices=["ar", "en", "ms", "ur"], default="en")
    stats.set_defaults(handler=_stats)

    speaker_cli.add_parser(commands)

    chat = commands.add_parser("chat", help="the terminal playground (no Telegram needed)")
    chat.add_argument("--lang", choices=["ar", "en", "ms", "ur"], default="en")
    chat.add_argument(
        "--at",
        type=_playground_at,
        help="start the clock at this event time, e.g. 'day1 10:45' or 2026-03-14T10:45",
    )
    chat.add_argument("--name", default="Guest", help="your first name in the chat")
    chat.add_argument(
        "--organizer", action="store_true", help="be an organizer (an admin) in the chat"
    )
    chat.add_argument(
        "--show-bidi", action="store_true", help="show bidi isolates and marks, e.g. ⁅FSI⁆"
    )
    chat.add_argument(
        "--files", type=Path, help="save the files the bot sends here (default: a temp folder)"
    )
    chat.set_defaults(handler=_chat)
    return parser


async def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.db.engine import create_engine, missing_sqlite_file
    from bot.db.migrate import upgrade

    created = missing_sqlite_file(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    if created is not None:
        print(f"created the database {created}")
    print("database is up to date")
    return 0


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.migrate import upgrade
    from bot.i18n import Catalogs, Localizer, plain_text
    from bot.importers import Format
    from bot.importers.base import ProgrammeFormatError
    from bot.presentation.imports import import_report
    from bot.sample import load_sample
    from bot.services.imports import ImportService, fetch
    from bot.services.programme import ProgrammeService

    if bool(args.sample) == bool(args.location):
        raise ConfigError("import needs a file or URL, or --sample (not both)")
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        sessions = create_session_factory(engine)
        programme = ProgrammeService(sessions, SystemClock(), settings.speaker_alert_minutes)
        if args.if_empty and await programme.has_programme():
            print("a programme is already loaded; nothing imported")
            return 0
        if args.sample:
            start = args.start_date or _tomorrow(settings.event_timezone)
            data = load_sample(start, settings.event_timezone)
            summary = await programme.apply(data, dry_run=args.dry_run)
            print(
                f"imported the sample programme from {start}: {summary.sessions} sessions, "
                f"{summary.speakers} speakers, {summary.rooms} rooms, {summary.tracks} tracks"
            )
            return 0
        importer = ImportService(sessions, programme, settings.event_timezone)
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
    finally:
        await engine.dispose()
    l10n = Localizer("en", Catalogs().get("en"), zone)
    report = "\n".join(import_report(l10n, summary))
    print(plain_text(report))
    return 0


def _tomorrow(timezone: str) -> date:
    from zoneinfo import ZoneInfo

    from bot.clock import SystemClock

    return SystemClock().now().astimezone(ZoneInfo(timezone)).date() + timedelta(days=1)


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.engine import create_engine, create_session_factory
    from bot.services import exports

    if args.what == "room-signs":
        return await _room_signs(settings, args)
    engine = create_engine(settings.database_url)
    try:
        sessions = create_session_factory(engine)
        if args.what == "registrations":
            text = await exports.registrations_csv(sessions, settings.event_timezone)
        elif args.what == "feedback":
            text = await exports.feedback_csv(sessions)
        elif args.what == "programme":
            text = await exports.programme_csv(sessions)
        else:
            text = await exports.attendance_csv(sessions, settings.event_timezone)
    finally:
        await engine.dispose()
    if args.output:
        # newline="" keeps the CSV's CRLF line ends as written
        await asyncio.to_thread(Path(args.output).write_text, text, "utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0


async def _room_signs(settings: Settings, args: argparse.Namespace) -> int:
    """One PNG per room of the current event, with a QR code of its now/next deep link."""
    from bot.clock import SystemClock
    from bot.db.engine import create_engine, create_session_factory
    from bot.domain.deep_links import Target, link
    from bot.presentation.room_signs import (
        SignRenderingError,
        file_names,
        render_sign,
        room_sign,
    )
    from bot.services.programme_cache import NoEventError
    from bot.services.registry import Services
    from bot.services.room_signs import bot_username, rooms_for_signs

    if not args.output:
        raise ConfigError("export room-signs needs a folder to write to: -o DIR")
    try:
        username = bot_username(args.username) if args.username else None
    except ValueError as error:
        raise ConfigError(str(error)) from None
    username = username or await speaker_cli._bot_username(settings)
    engine = create_engine(settings.database_url)
    try:
        services = Services.build(settings, SystemClock(), create_session_factory(engine))
        try:
            rooms = await rooms_for_signs(services.schedule)
        except NoEventError:
            print("no programme is loaded: import one first", file=sys.stderr)
            return 1
        localizers = await services.all_localizers()
    finally:
        await engine.dispose()
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


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    """The log as the bot's /audit shows it (names, the admin's language); --tsv: raw."""
    from bot.clock import SystemClock
    from bot.db.engine import create_engine, create_session_factory
    from bot.i18n import plain_text
    from bot.presentation.organizers import audit_log
    from bot.services.registry import Services

    engine = create_engine(settings.database_url)
    try:
        services = Services.build(settings, SystemClock(), create_session_factory(engine))
        lines = await services.audit.entries(None, args.lang, args.limit)
        l10n = await services.localizer(args.lang)
    finally:
        await engine.dispose()
    if not args.tsv:
        print(plain_text(audit_log(l10n, lines).text))
        return 0
    for line in lines:
        at = line.at.astimezone(l10n.timezone).isoformat(timespec="seconds")
        print(
            f"{at}\t{line.actor_id or '-'}\t{line.action}\t{line.subject}"
            f"\t{line.outcome}\t{line.detail}"
        )
    return 0


async def _stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.db.engine import create_engine, create_session_factory
    from bot.i18n import Catalogs, Localizer, plain_text
    from bot.presentation.organizers import stats_report
    from bot.services.stats import StatsService

    engine = create_engine(settings.database_url)
    try:
        figures = await StatsService(create_session_factory(engine), SystemClock()).figures(
            None, args.lang
        )
    finally:
        await engine.dispose()
    l10n = Localizer(args.lang, Catalogs().get(args.lang), settings.event_timezone)
    text = stats_report(l10n, figures).text
    print(plain_text(text))
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import Runtime

    if not settings.bot_token:
        if args.or_chat:
            print("BOT_TOKEN is not set: starting the local playground instead.\n")
            return await _chat(settings, argparse.Namespace(lang="en", at=None, name="Guest"))
        raise ConfigError("BOT_TOKEN is not set (without one, try `symposium-bot chat`)")
    require_database(settings)
    runtime = Runtime.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
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


async def _deliver(settings: Settings, args: argparse.Namespace) -> int:
    """The dispatcher alone: useful as a separate process beside webhook instances."""
    from bot.app import Runtime

    if not settings.bot_token:
        raise ConfigError("BOT_TOKEN is not set")
    require_database(settings)
    runtime = Runtime.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
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


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
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


if __name__ == "__main__":
    sys.exit(main())

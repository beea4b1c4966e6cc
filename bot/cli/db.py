"""`symposium-bot db upgrade`: create the database or bring its schema up to date."""

from __future__ import annotations

import argparse

from bot.cli.common import Subcommands
from bot.config import Settings


def add_parser(commands: Subcommands) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations").set_defaults(handler=upgrade)


async def upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.app import open_services
    from bot.db.engine import missing_sqlite_file

    created = missing_sqlite_file(settings.database_url)
    async with open_services(settings, migrate=True):
        pass
    if created is not None:
        print(f"created the database {created}")
    print("database is up to date")
    return 0

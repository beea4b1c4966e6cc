"""`symposium-bot stats`: the organizers' figures."""

from __future__ import annotations

import argparse

from bot.cli.common import Subcommands
from bot.config import Settings


def add_parser(commands: Subcommands) -> None:
    stats = commands.add_parser("stats", help="the organizers' figures")
    stats.add_argument("--lang", choices=["ar", "en", "ms", "ur"], default="en")
    stats.set_defaults(handler=show_stats)


async def show_stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import open_services
    from bot.i18n import plain_text
    from bot.presentation.organizers import stats_report

    async with open_services(settings) as services:
        figures = await services.stats.figures(None, args.lang)
        l10n = services.localizer_in(args.lang, settings.event_timezone)
    print(plain_text(stats_report(l10n, figures).text))
    return 0

"""`symposium-bot audit`: the audit log of organizer actions."""

from __future__ import annotations

import argparse

from bot.cli.common import Subcommands
from bot.config import Settings


def add_parser(commands: Subcommands) -> None:
    audit = commands.add_parser("audit", help="the audit log of organizer actions")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--lang", choices=["ar", "en", "ms", "ur"], default="en")
    audit.add_argument(
        "--tsv", action="store_true", help="tab-separated ids and tokens, for scripts"
    )
    audit.set_defaults(handler=show_audit)


async def show_audit(settings: Settings, args: argparse.Namespace) -> int:
    """The log as the bot's /audit shows it (names, the admin's language); --tsv: raw."""
    from bot.app import open_services
    from bot.i18n import plain_text
    from bot.presentation.organizers import audit_log

    async with open_services(settings) as services:
        lines = await services.audit.entries(None, args.lang, args.limit)
        l10n = await services.localizer(args.lang)
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

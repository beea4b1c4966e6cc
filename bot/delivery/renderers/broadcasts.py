"""Broadcasts: an organizer's message, one row per recipient."""

from __future__ import annotations

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply, broadcast_status
from bot.services.broadcast_runs import BroadcastRuns
from bot.services.outbox import Claimed


async def broadcast(runs: BroadcastRuns, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    """The recipient's language version, else the default; with its photo or document."""
    content = await runs.content(int(row.payload["broadcast_id"]))
    if content is None:
        return Dropped("broadcast gone")
    return broadcast_status.delivered(content, l10n.locale)

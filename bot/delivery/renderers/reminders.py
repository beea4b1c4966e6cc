"""Reminders: a bookmarked session starts soon, has changed, and the morning digest."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import reminders as reminder_screens
from bot.services.changes import ChangeNotices
from bot.services.digest import DigestService
from bot.services.outbox import Claimed
from bot.services.reminders import ReminderService


async def reminder(reminders: ReminderService, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    """Minutes left are counted now, so a late reminder still tells the truth."""
    planned = row.payload.get("starts_at")
    card = await reminders.card(
        int(row.payload["session_id"]),
        row.recipient_id,
        l10n.locale,
        datetime.fromisoformat(planned) if planned else None,
    )
    if isinstance(card, Dropped):
        return card
    return reminder_screens.reminder(l10n, card)


async def schedule_change(changes: ChangeNotices, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    notice = await changes.notice(row.payload, row.recipient_id, l10n.locale)
    if isinstance(notice, Dropped):
        return notice
    return reminder_screens.schedule_change(l10n, notice)


async def digest(digests: DigestService, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    day = date.fromisoformat(row.payload["day"])
    found = await digests.day(row.recipient_id, day, l10n.locale)
    if isinstance(found, Dropped):
        return found
    return reminder_screens.digest(l10n, found)

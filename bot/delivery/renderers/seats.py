"""Seats: a waitlisted attendee is told a seat came free for them."""

from __future__ import annotations

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import agenda as agenda_screens
from bot.services.outbox import Claimed
from bot.services.schedule import ScheduleService


async def seat_promoted(
    schedule: ScheduleService, row: Claimed, l10n: Localizer
) -> Reply | Dropped:
    """Not sent once the session is gone or cancelled."""
    found = await schedule.session(int(row.payload["session_id"]), l10n.locale)
    if found is None or found.cancelled:
        return Dropped("session gone or cancelled")
    when = f"{l10n.day(found.starts_at)} {l10n.time(found.starts_at)}"
    return agenda_screens.promoted(l10n, found.title, when, found.room or "")

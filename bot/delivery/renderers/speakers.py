"""The speaker role: alerts and check-in before a session, its changes, co-speaker changes,
and the organizers' report of speakers who have not checked in."""

from __future__ import annotations

from datetime import datetime

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import speakers as speaker_screens
from bot.services.changes import ChangeNotices
from bot.services.outbox import Claimed
from bot.services.speaker_desk import SpeakerDesk


async def speaker_alert(desk: SpeakerDesk, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    """Your session starts in `lead` minutes."""
    found = await desk.alert(
        int(row.payload["session_id"]),
        row.recipient_id,
        l10n.locale,
        datetime.fromisoformat(row.payload["starts_at"]),
        row.payload.get("lead"),
    )
    if isinstance(found, Dropped):
        return found
    return speaker_screens.alert(l10n, found)


async def speaker_checkin(desk: SpeakerDesk, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    """Are you here? Asked before the session, with the same checks as an alert."""
    found = await desk.alert(
        int(row.payload["session_id"]),
        row.recipient_id,
        l10n.locale,
        datetime.fromisoformat(row.payload["starts_at"]),
        None,
    )
    if isinstance(found, Dropped):
        return found
    return speaker_screens.checkin_question(l10n, found)


async def speaker_change(changes: ChangeNotices, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    """Your own session changed: told whether or not you bookmarked it."""
    notice = await changes.notice(row.payload, row.recipient_id, l10n.locale, bookmarked_only=False)
    if isinstance(notice, Dropped):
        return notice
    return speaker_screens.session_change(l10n, notice)


async def speaker_people(desk: SpeakerDesk, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    found = await desk.people_notice(row.payload, row.recipient_id, l10n.locale)
    if isinstance(found, Dropped):
        return found
    return speaker_screens.people_change(l10n, found)


async def speakers_missing(desk: SpeakerDesk, row: Claimed, l10n: Localizer) -> Reply | Dropped:
    report = await desk.missing(datetime.fromisoformat(row.payload["starts_at"]), l10n.locale)
    if isinstance(report, Dropped):
        return report
    return speaker_screens.missing_report(l10n, report)

"""What organizers see at the badge desk."""

from __future__ import annotations

from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation.attendee import profession_name
from bot.services.checkin import CheckIn


def checkin_usage(l10n: Localizer) -> Reply:
    return Reply(l10n._("Send the code from the attendee's badge: /checkin CODE"))


def checkin_result(l10n: Localizer, result: CheckIn) -> Reply:
    if not result.found:
        return Reply(l10n._("❓ No registration has this code. Check the letters and try again."))
    role = profession_name(l10n, result.profession)
    if result.first_at is not None:
        text = l10n._(
            "⚠️ <b>{name}</b> ({role}) was already checked in on {day} at {time}.",
            name=result.full_name,
            role=role,
            day=l10n.day(result.first_at),
            time=l10n.time(result.first_at),
        )
    else:
        text = l10n._("✅ <b>{name}</b> ({role}) is checked in.", name=result.full_name, role=role)
    return Reply(text)


def not_allowed(l10n: Localizer) -> Reply:
    return Reply(l10n._("Sorry, only organizers can do that."))

"""Feedback: the rating prompt after a session, and the speakers' summary once it closes."""

from __future__ import annotations

from datetime import datetime

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import feedback as feedback_screens
from bot.services.feedback import FeedbackService
from bot.services.outbox import Claimed


async def feedback_prompt(
    feedback: FeedbackService, row: Claimed, l10n: Localizer
) -> Reply | Dropped:
    """Sent while the window is open (after downtime too); dropped once it has closed."""
    found = await feedback.prompt(
        int(row.payload["session_id"]),
        row.recipient_id,
        l10n.locale,
        datetime.fromisoformat(row.payload["ends_at"]),
    )
    if isinstance(found, Dropped):
        return found
    return feedback_screens.card(l10n, found)


async def feedback_summary(
    feedback: FeedbackService, row: Claimed, l10n: Localizer
) -> Reply | Dropped:
    found = await feedback.summary(
        int(row.payload["session_id"]),
        row.recipient_id,
        l10n.locale,
        datetime.fromisoformat(row.payload["ends_at"]),
    )
    if isinstance(found, Dropped):
        return found
    return feedback_screens.summary(l10n, found)

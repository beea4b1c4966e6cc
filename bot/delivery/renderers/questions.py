"""Questions: the ranked board sent to speakers when their session starts."""

from __future__ import annotations

from datetime import datetime

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import questions as question_screens
from bot.services.outbox import Claimed
from bot.services.questions import QuestionService


async def questions_start(
    questions: QuestionService, row: Claimed, l10n: Localizer
) -> Reply | Dropped:
    """The ranked questions as they are at the start; nothing when nobody asked."""
    found = await questions.at_start(
        int(row.payload["session_id"]),
        row.recipient_id,
        l10n.locale,
        datetime.fromisoformat(row.payload["starts_at"]),
    )
    if isinstance(found, Dropped):
        return found
    return question_screens.speaker_board(l10n, found, 0, at_start=True)

"""The table of renderers: each outbox kind (`bot.domain.outbox_kinds`) bound to its
feature's renderer (`bot/delivery/renderers/`) and to the services that renderer reads."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.delivery.dispatcher import Render
from bot.delivery.renderers import (
    broadcasts,
    feedback,
    notices,
    questions,
    reminders,
    seats,
    speakers,
)
from bot.domain import outbox_kinds as kind

if TYPE_CHECKING:
    from bot.services.registry import Services


def build_renderers(services: Services) -> dict[str, Render]:
    """Every kind a service enqueues has exactly one renderer here."""
    return {
        kind.NOTICE: notices.notice,
        kind.SEAT_PROMOTED: partial(seats.seat_promoted, services.schedule),
        kind.REMINDER: partial(reminders.reminder, services.reminders),
        kind.SCHEDULE_CHANGE: partial(reminders.schedule_change, services.changes),
        kind.DIGEST: partial(reminders.digest, services.digest),
        kind.BROADCAST: partial(broadcasts.broadcast, services.broadcast_runs),
        kind.SPEAKER_ALERT: partial(speakers.speaker_alert, services.speaker_desk),
        kind.SPEAKER_CHECKIN: partial(speakers.speaker_checkin, services.speaker_desk),
        kind.SPEAKER_CHANGE: partial(speakers.speaker_change, services.changes),
        kind.SPEAKERS_MISSING: partial(speakers.speakers_missing, services.speaker_desk),
        kind.SPEAKER_PEOPLE: partial(speakers.speaker_people, services.speaker_desk),
        kind.QUESTIONS_START: partial(questions.questions_start, services.questions),
        kind.FEEDBACK_PROMPT: partial(feedback.feedback_prompt, services.feedback),
        kind.FEEDBACK_SUMMARY: partial(feedback.feedback_summary, services.feedback),
    }

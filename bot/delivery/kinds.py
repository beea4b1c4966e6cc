"""Renderers for each kind of outbox row: turn a claimed row into a reply, at send time,
in the recipient's current language."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.delivery.dispatcher import Render, Skip
from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply, broadcast_status
from bot.presentation import agenda as agenda_screens
from bot.presentation import feedback as feedback_screens
from bot.presentation import questions as question_screens
from bot.presentation import reminders as reminder_screens
from bot.presentation import speakers as speaker_screens
from bot.services.outbox import Claimed

if TYPE_CHECKING:
    from bot.services.registry import Services

NOTICE = "notice"
SEAT_PROMOTED = "seat_promoted"
REMINDER = "reminder"  # bot.services.reminders
SCHEDULE_CHANGE = "schedule_change"  # bot.services.changes
DIGEST = "digest"  # bot.services.digest
BROADCAST = "broadcast"  # bot.domain.broadcasts.KIND
SPEAKER_ALERT = "speaker_alert"  # bot.services.speaker_alerts
SPEAKER_CHECKIN = "speaker_checkin"
SPEAKER_CHANGE = "speaker_change"
SPEAKERS_MISSING = "speakers_missing"
SPEAKER_PEOPLE = "speaker_people"
QUESTIONS_START = "questions_start"  # bot.services.questions
FEEDBACK_PROMPT = "feedback_prompt"  # bot.services.feedback
FEEDBACK_SUMMARY = "feedback_summary"


def build_renderers(services: Services) -> dict[str, Render]:
    async def notice(row: Claimed, l10n: Localizer) -> Reply | Skip:
        """A text given per language (`texts`), falling back to `default`'s."""
        texts = row.payload.get("texts") or {}
        text = texts.get(l10n.locale) or texts.get(row.payload.get("default", "en"))
        if not text:
            return Skip("no text for any language")
        return Reply(str(text))

    async def seat_promoted(row: Claimed, l10n: Localizer) -> Reply | Skip:
        session_id = int(row.payload["session_id"])
        found = await services.schedule.session(session_id, l10n.locale)
        if found is None or found.cancelled:
            return Skip("session gone or cancelled")
        when = f"{l10n.day(found.starts_at)} {l10n.time(found.starts_at)}"
        return agenda_screens.promoted(l10n, found.title, when, found.room or "")

    async def reminder(row: Claimed, l10n: Localizer) -> Reply | Skip:
        """Minutes left are counted now, so a late reminder still tells the truth."""
        planned = row.payload.get("starts_at")
        card = await services.reminders.card(
            int(row.payload["session_id"]),
            row.recipient_id,
            l10n.locale,
            datetime.fromisoformat(planned) if planned else None,
        )
        if isinstance(card, Dropped):
            return Skip(card.reason)
        return reminder_screens.reminder(l10n, card)

    async def schedule_change(row: Claimed, l10n: Localizer) -> Reply | Skip:
        notice = await services.changes.notice(row.payload, row.recipient_id, l10n.locale)
        if isinstance(notice, Dropped):
            return Skip(notice.reason)
        return reminder_screens.schedule_change(l10n, notice)

    async def digest(row: Claimed, l10n: Localizer) -> Reply | Skip:
        day = date.fromisoformat(row.payload["day"])
        found = await services.digest.day(row.recipient_id, day, l10n.locale)
        if isinstance(found, Dropped):
            return Skip(found.reason)
        return reminder_screens.digest(l10n, found)

    async def broadcast(row: Claimed, l10n: Localizer) -> Reply | Skip:
        """The recipient's language version, else the default; with its photo or document."""
        content = await services.broadcast_runs.content(int(row.payload["broadcast_id"]))
        if content is None:
            return Skip("broadcast gone")
        return broadcast_status.delivered(content, l10n.locale)

    async def speaker_alert(row: Claimed, l10n: Localizer) -> Reply | Skip:
        found = await services.speaker_desk.alert(
            int(row.payload["session_id"]),
            row.recipient_id,
            l10n.locale,
            datetime.fromisoformat(row.payload["starts_at"]),
            row.payload.get("lead") if row.kind == SPEAKER_ALERT else None,
        )
        if isinstance(found, Dropped):
            return Skip(found.reason)
        if row.kind == SPEAKER_CHECKIN:
            return speaker_screens.checkin_question(l10n, found)
        return speaker_screens.alert(l10n, found)

    async def speaker_change(row: Claimed, l10n: Localizer) -> Reply | Skip:
        notice = await services.changes.notice(
            row.payload, row.recipient_id, l10n.locale, bookmarked_only=False
        )
        if isinstance(notice, Dropped):
            return Skip(notice.reason)
        return speaker_screens.session_change(l10n, notice)

    async def speaker_people(row: Claimed, l10n: Localizer) -> Reply | Skip:
        found = await services.speaker_desk.people_notice(
            row.payload, row.recipient_id, l10n.locale
        )
        if isinstance(found, Dropped):
            return Skip(found.reason)
        return speaker_screens.people_change(l10n, found)

    async def speakers_missing(row: Claimed, l10n: Localizer) -> Reply | Skip:
        starts_at = datetime.fromisoformat(row.payload["starts_at"])
        report = await services.speaker_desk.missing(starts_at, l10n.locale)
        if isinstance(report, Dropped):
            return Skip(report.reason)
        return speaker_screens.missing_report(l10n, report)

    async def feedback_prompt(row: Claimed, l10n: Localizer) -> Reply | Skip:
        """Sent while the window is open (after downtime too); dropped once it has closed."""
        found = await services.feedback.prompt(
            int(row.payload["session_id"]),
            row.recipient_id,
            l10n.locale,
            datetime.fromisoformat(row.payload["ends_at"]),
        )
        if isinstance(found, Dropped):
            return Skip(found.reason)
        return feedback_screens.card(l10n, found)

    async def feedback_summary(row: Claimed, l10n: Localizer) -> Reply | Skip:
        found = await services.feedback.summary(
            int(row.payload["session_id"]),
            row.recipient_id,
            l10n.locale,
            datetime.fromisoformat(row.payload["ends_at"]),
        )
        if isinstance(found, Dropped):
            return Skip(found.reason)
        return feedback_screens.summary(l10n, found)

    async def questions_start(row: Claimed, l10n: Localizer) -> Reply | Skip:
        """The ranked questions as they are at the start; nothing when nobody asked."""
        found = await services.questions.at_start(
            int(row.payload["session_id"]),
            row.recipient_id,
            l10n.locale,
            datetime.fromisoformat(row.payload["starts_at"]),
        )
        if isinstance(found, Dropped):
            return Skip(found.reason)
        return question_screens.speaker_board(l10n, found, 0, at_start=True)

    return {
        NOTICE: notice,
        SEAT_PROMOTED: seat_promoted,
        REMINDER: reminder,
        SCHEDULE_CHANGE: schedule_change,
        DIGEST: digest,
        BROADCAST: broadcast,
        SPEAKER_ALERT: speaker_alert,
        SPEAKER_CHECKIN: speaker_alert,
        SPEAKER_CHANGE: speaker_change,
        SPEAKERS_MISSING: speakers_missing,
        SPEAKER_PEOPLE: speaker_people,
        QUESTIONS_START: questions_start,
        FEEDBACK_PROMPT: feedback_prompt,
        FEEDBACK_SUMMARY: feedback_summary,
    }

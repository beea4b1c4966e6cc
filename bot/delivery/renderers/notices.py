"""Notices: a text written per language by whoever enqueued it (operators, tests)."""

from __future__ import annotations

from bot.domain.reminder_views import Dropped
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.services.outbox import Claimed


async def notice(row: Claimed, l10n: Localizer) -> Reply | Dropped:
    """A text given per language (`texts`), falling back to `default`'s."""
    texts = row.payload.get("texts") or {}
    text = texts.get(l10n.locale) or texts.get(row.payload.get("default", "en"))
    if not text:
        return Dropped("no text for any language")
    return Reply(str(text))

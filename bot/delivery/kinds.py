"""Renderers for each kind of outbox row: turn a claimed row into a reply, at send time,
in the recipient's current language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.delivery.dispatcher import Render, Skip
from bot.delivery.outbox import Claimed
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import agenda as agenda_screens

if TYPE_CHECKING:
    from bot.services.registry import Services

NOTICE = "notice"
SEAT_PROMOTED = "seat_promoted"


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

    return {NOTICE: notice, SEAT_PROMOTED: seat_promoted}

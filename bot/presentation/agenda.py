"""The personal agenda: sessions by day with clashes marked, and the agenda's notices."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from bot.domain.text import shorten
from bot.domain.views import AgendaItem
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import ORIGIN_AGENDA, cb
from bot.presentation.programme import (
    LINE_TITLE_LIMIT,
    NAME_LIMIT,
    fit,
    names_listed,
    session_button,
    session_line,
)

LISTED_CLASHES = 5


def agenda(l10n: Localizer, items: Sequence[AgendaItem]) -> Reply:
    if not items:
        text = l10n._("🗓 Your agenda is empty. Open a session and press “⭐ Add to my agenda”.")
        return Reply(
            text,
            buttons=(
                (Button(l10n._("📅 Browse the programme"), cb(verbs.DAYS)),),
                (settings_button(l10n),),
            ),
        )
    lines = [
        l10n.ngettext(
            "🗓 <b>My agenda</b>: {n} session", "🗓 <b>My agenda</b>: {n} sessions", len(items)
        )
    ]
    for day, group in groupby(items, key=lambda i: l10n.day(i.session.starts_at)):
        lines += ["", f"<b>{l10n.join([day])}</b>"]
        for item in group:
            lines.append(session_line(l10n, item.session))
            if item.clashes_with:
                titles = names_listed(l10n, [c.title for c in item.clashes_with], LISTED_CLASHES)
                lines.append(l10n._("      ⚠️ Clashes with {titles}", titles=titles))
    rows = [(session_button(l10n, i.session, ORIGIN_AGENDA),) for i in items[:40]]
    rows.append((Button(l10n._("📅 Add all to my calendar"), cb(verbs.ICS_AGENDA)),))
    rows.append((settings_button(l10n),))
    return Reply(fit(lines), buttons=tuple(rows))


def settings_button(l10n: Localizer) -> Button:
    """Reminders and the morning summary are set from the agenda they are about."""
    return Button(l10n._("⚙️ Settings"), cb(verbs.SETTINGS))


def added(l10n: Localizer) -> str:
    return l10n._("⭐ Added to your agenda.")


def removed(l10n: Localizer) -> str:
    return l10n._("Removed from your agenda.")


def seat_reserved(l10n: Localizer) -> str:
    return l10n._("✅ Your seat is reserved.")


def waitlisted(l10n: Localizer, position: int) -> str:
    return l10n._(
        "⏳ The workshop is full: you are number {position} on the waitlist.",
        position=l10n.number(position),
    )


def seat_released(l10n: Localizer) -> str:
    return l10n._("Your place has been given back. Thank you for letting others in!")


def promoted(l10n: Localizer, title: str, when: str, room: str) -> Reply:
    text = l10n._(
        "🎉 Good news! A seat opened up in <b>{title}</b> ({when}, {room}). It is yours.",
        title=shorten(title, LINE_TITLE_LIMIT),
        when=when,
        room=shorten(room, NAME_LIMIT),
    )
    return Reply(text)


def calendar_caption(l10n: Localizer) -> str:
    return l10n._("📅 Open this file to add the sessions to your calendar.")


def nothing_to_export(l10n: Localizer) -> str:
    return l10n._("Your agenda is empty, so there is nothing to add to a calendar yet.")

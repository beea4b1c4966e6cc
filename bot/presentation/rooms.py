"""Room screens: the list of rooms and what is on in one room on one day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.text import shorten
from bot.domain.views import RoomDay, RoomNowNext, RoomSummary
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb, origin_room
from bot.presentation.programme import (
    BUTTON_TITLE_LIMIT,
    NAME_LIMIT,
    fit,
    session_button,
    session_line,
)

# Telegram takes at most 100 buttons under a message; a list keeps room for the others.
LISTED_ROOMS = 90
LISTED_SESSIONS = 40


def room_list(l10n: Localizer, rooms: Sequence[RoomSummary], today: int) -> Reply:
    text = l10n._("🚪 <b>Rooms</b>\nChoose a room to see what is on there.")
    rows = tuple(
        (Button("🚪 " + shorten(room.name, BUTTON_TITLE_LIMIT), cb(verbs.ROOM, room.id, today)),)
        for room in rooms[:LISTED_ROOMS]
    )
    return Reply(text, buttons=rows)


def room_day(l10n: Localizer, view: RoomDay, days: Sequence[date]) -> Reply:
    lines = [
        l10n._(
            "🚪 <b>{room}</b> · {day}",
            room=shorten(view.room.name, NAME_LIMIT),
            day=l10n.day(view.day),
        ),
    ]
    if view.room.capacity:
        lines.append(l10n.ngettext("{n} seat", "{n} seats", view.room.capacity))
    lines.append("")
    if view.sessions:
        lines += [session_line(l10n, s, show_room=False) for s in view.sessions]
    else:
        lines.append(l10n._("Nothing is scheduled in this room on this day."))
    origin = origin_room(view.room.id, view.day_index)
    rows: list[tuple[Button, ...]] = [
        (session_button(l10n, s, origin),) for s in view.sessions[:LISTED_SESSIONS]
    ]
    day_row = tuple(
        Button(
            ("• " if i == view.day_index else "") + l10n.day(d),
            cb(verbs.ROOM, view.room.id, i),
        )
        for i, d in enumerate(days)
    )
    if len(day_row) > 1:
        rows.append(day_row)
    rows.append((Button(l10n._("« All rooms"), cb(verbs.ROOMS)),))
    return Reply(fit(lines), buttons=tuple(rows))


def room_now_next(l10n: Localizer, view: RoomNowNext) -> Reply:
    """A room's link or door sign: what is on there now and what comes next (today or a
    later day), with buttons to those sessions and to the room's whole day."""
    lines = [l10n._("🚪 <b>{room}</b>", room=shorten(view.room.name, NAME_LIMIT)), ""]
    shown = list(view.now[:LISTED_SESSIONS])
    if view.after_event and not view.now:
        lines.append(l10n._("The symposium is over. Thank you for joining us!"))
    else:
        lines.append(l10n._("⏱ <b>Now</b>"))
        if view.now:
            lines += [session_line(l10n, s, show_room=False) for s in view.now]
        else:
            lines.append(l10n._("Nothing is on in this room right now."))
        lines += ["", l10n._("⏭ <b>Next</b>")]
        if view.next is not None:
            lines.append(session_line(l10n, view.next, show_day=True, show_room=False))
            shown.append(view.next)
        else:
            lines.append(l10n._("Nothing more is scheduled in this room."))
    origin = origin_room(view.room.id, view.day_index)
    rows: list[tuple[Button, ...]] = [(session_button(l10n, s, origin),) for s in shown]
    whole_day = cb(verbs.ROOM, view.room.id, view.day_index)
    rows.append((Button(l10n._("📅 The whole day in this room"), whole_day),))
    rows.append((Button(l10n._("« All rooms"), cb(verbs.ROOMS)),))
    return Reply(fit(lines), buttons=tuple(rows))

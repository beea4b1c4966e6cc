"""Programme screens: days, a day's sessions page by page, session cards, now and next."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, datetime

from markupsafe import Markup

from bot.domain.message_split import visible_length
from bot.domain.paging import Page, paginate
from bot.domain.programme import SessionKind
from bot.domain.text import shorten
from bot.domain.views import MySession, NowAndNext, SeatState, SessionDetail, SessionSummary
from bot.i18n import Localizer, isolate
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import ORIGIN_NOW, back_target, cb, origin_day

MESSAGE_LIMIT = 4096
ABSTRACT_LIMIT = 1500
BUTTON_TITLE_LIMIT = 48
SHARE_QUERY_LIMIT = 250  # an inline query holds at most 256 characters
# Lists show every entry on one line or two, whatever the organizer typed: a title, a room or
# a person's name is shortened there (in full on its own card), and a session lists at most
# `LISTED_PEOPLE` names and buttons, then "… and N more".
LINE_TITLE_LIMIT = 200
NAME_LIMIT = 80
LISTED_PEOPLE = 20

KIND_ICONS = {
    SessionKind.KEYNOTE: "🌟",
    SessionKind.PANEL: "👥",
    SessionKind.TALK: "🎙",
    SessionKind.WORKSHOP: "🛠",
}


def kind_name(l10n: Localizer, kind: SessionKind) -> str:
    names = {
        SessionKind.KEYNOTE: l10n._("Keynote"),
        SessionKind.PANEL: l10n._("Panel"),
        SessionKind.TALK: l10n._("Talk"),
        SessionKind.WORKSHOP: l10n._("Workshop"),
    }
    return names[kind]


def day_label(l10n: Localizer, index: int, day: date) -> str:
    return l10n._("Day {number} · {date}", number=l10n.number(index + 1), date=l10n.day(day))


def day_picker(l10n: Localizer, days: Sequence[date], event_name: str) -> Reply:
    buttons = tuple(
        (Button(day_label(l10n, i, d), cb(verbs.DAY, i, 0)),) for i, d in enumerate(days)
    )
    text = l10n._("📅 <b>{event}</b>: choose a day.", event=shorten(event_name, LINE_TITLE_LIMIT))
    return Reply(text, buttons=buttons)


def session_line(
    l10n: Localizer, session: SessionSummary, *, show_day: bool = False, show_room: bool = True
) -> str:
    """One entry per session in lists: time, kind icon, title, then the room below."""
    line = l10n._(
        "{start}–{end} {icon} <b>{title}</b>",
        start=l10n.time(session.starts_at),
        end=l10n.time(session.ends_at),
        icon=Markup(KIND_ICONS[session.kind]),
        title=shorten(session.title, LINE_TITLE_LIMIT),
    )
    if session.cancelled:
        line = l10n._("❌ Cancelled: {session}", session=Markup(f"<s>{line}</s>"))
    if show_day:
        line = l10n._("{day}, {session}", day=l10n.day(session.starts_at), session=Markup(line))
    if session.room and show_room:
        line += "\n" + l10n._("      📍 {room}", room=shorten(session.room, NAME_LIMIT))
    return line


def session_button(l10n: Localizer, session: SessionSummary, origin: str) -> Button:
    label = l10n._(
        "{start} {title}",
        start=l10n.time(session.starts_at),
        title=shorten(session.title, BUTTON_TITLE_LIMIT),
    )
    return Button(plain(label), cb(verbs.SESSION, session.id, origin))


def day_page(
    l10n: Localizer, index: int, day: date, sessions: Sequence[SessionSummary], page_number: int
) -> Reply:
    page = paginate(sessions, page_number)
    heading = l10n._("📅 <b>{day}</b>", day=day_label(l10n, index, day))
    if not sessions:
        body = [l10n._("No sessions on this day.")]
    else:
        body = [session_line(l10n, s) for s in page.items]
    footer = ["", page_counter(l10n, page)] if page.count > 1 else []
    text = fit([heading, "", *body, *footer])
    rows: list[tuple[Button, ...]] = [
        (session_button(l10n, s, origin_day(index, page.number)),) for s in page.items
    ]
    rows.append(nav_row(l10n, page, lambda p: cb(verbs.DAY, index, p)))
    rows.append((Button(l10n._("« All days"), cb(verbs.DAYS)),))
    return Reply(text, buttons=tuple(r for r in rows if r))


def session_card(
    l10n: Localizer, session: SessionDetail, origin: str, mine: MySession | None = None
) -> Reply:
    lines = [f"{KIND_ICONS[session.kind]} <b>{isolate(_esc(session.title))}</b>"]
    lines.append(l10n._("<i>{kind}</i>", kind=kind_name(l10n, session.kind)))
    if session.cancelled:
        lines.append(l10n._("❌ <b>This session has been cancelled.</b>"))
    lines.append("")
    lines.append(when_line(l10n, session.starts_at, session.ends_at))
    if session.room:
        lines.append(room_line(l10n, session.room))
    if session.track:
        lines.append(l10n._("🏷 {track}", track=session.track))
    lines.append(l10n._("🗣 In {language}", language=l10n.language_name(session.language)))
    lines += people_lines(l10n, session)
    seats = mine.seats if mine else None
    if seats is not None:
        lines += seat_lines(l10n, seats)
    elif session.capacity:
        lines.append(l10n.ngettext("🪑 {n} seat", "🪑 {n} seats", session.capacity))
    if session.abstract:
        lines += ["", _esc(shorten(session.abstract, ABSTRACT_LIMIT))]
    rows = personal_rows(l10n, session, origin, mine)
    rows += [
        (Button("🎤 " + isolate(shorten(p.name, BUTTON_TITLE_LIMIT)), cb(verbs.SPEAKER, p.id)),)
        for p in session.people[:LISTED_PEOPLE]
    ]
    if session.room_id is not None:
        more = cb(verbs.ROOM, session.room_id, session.day_index)
        rows.append((Button(l10n._("🚪 More in this room"), more),))
    rows.append((share_button(l10n, session.title),))
    rows.append((Button(l10n._("« Back"), back_target(origin, session.day_index)),))
    return Reply(fit(lines), buttons=tuple(rows))


def share_button(l10n: Localizer, title: str) -> Button:
    """Share the card into any chat: Telegram asks for a chat and types `@bot <title>` there,
    and the inline answer offers this session's card to post."""
    return Button(l10n._("📤 Share"), switch_inline_query=share_query(title))


def share_query(title: str) -> str:
    """The title as an inline query: one line, within the 256 characters a query may have."""
    return shorten(title, SHARE_QUERY_LIMIT).removesuffix("…")


def when_line(l10n: Localizer, starts_at: datetime, ends_at: datetime) -> str:
    return l10n._(
        "🗓 {day}, {start}–{end}",
        day=l10n.day(starts_at),
        start=l10n.time(starts_at),
        end=l10n.time(ends_at),
    )


def room_line(l10n: Localizer, room: str) -> str:
    return l10n._("📍 {room}", room=shorten(room, NAME_LIMIT))


def people_lines(l10n: Localizer, session: SessionDetail) -> list[str]:
    """Speakers, then moderators, each a translated sentence with a localized list."""
    lines = []
    speakers = [p.name for p in session.people if p.role == "speaker"]
    moderators = [p.name for p in session.people if p.role == "moderator"]
    if speakers:
        lines.append(
            l10n.ngettext(
                "🎤 Speaker: {names}",
                "🎤 Speakers: {names}",
                len(speakers),
                names=names_listed(l10n, speakers),
            )
        )
    if moderators:
        lines.append(
            l10n.ngettext(
                "🧭 Moderator: {names}",
                "🧭 Moderators: {names}",
                len(moderators),
                names=names_listed(l10n, moderators),
            )
        )
    return lines


def names_listed(l10n: Localizer, names: Sequence[str], limit: int = LISTED_PEOPLE) -> Markup:
    """Names as a localized list, each shortened; beyond `limit`, "… and N more"."""
    listed = l10n.join([shorten(name, NAME_LIMIT) for name in names[:limit]])
    if len(names) > limit:
        more = len(names) - limit
        listed += " " + l10n.ngettext("… and {n} more", "… and {n} more", more)
    return Markup(listed)


def seat_lines(l10n: Localizer, seats: SeatState) -> list[str]:
    lines = [
        l10n.ngettext(
            "🪑 {n} seat left of {capacity}",
            "🪑 {n} seats left of {capacity}",
            seats.left,
            capacity=l10n.number(seats.capacity),
        )
    ]
    if seats.status == "confirmed":
        lines.append(l10n._("✅ <b>Your seat is reserved.</b>"))
    elif seats.status == "waitlisted" and seats.position is not None:
        lines.append(
            l10n._(
                "⏳ <b>You are number {position} on the waitlist.</b>",
                position=l10n.number(seats.position),
            )
        )
    elif seats.waiting:
        lines.append(
            l10n.ngettext(
                "{n} person is on the waitlist.", "{n} people are on the waitlist.", seats.waiting
            )
        )
    return lines


def personal_rows(
    l10n: Localizer, session: SessionDetail, origin: str, mine: MySession | None
) -> list[tuple[Button, ...]]:
    """Agenda, seat and calendar buttons: what this user can do with the session."""
    if mine is None or session.cancelled:
        return []
    rows: list[tuple[Button, ...]] = []
    if mine.rateable:
        rows.append((Button(l10n._("⭐ Rate this session"), cb(verbs.FEEDBACK_OPEN, session.id)),))
    seats = mine.seats
    if seats is not None:
        if seats.status == "confirmed":
            rows.append(
                (Button(l10n._("↩️ Cancel my seat"), cb(verbs.UNRESERVE, session.id, origin)),)
            )
        elif seats.status == "waitlisted":
            rows.append(
                (Button(l10n._("↩️ Leave the waitlist"), cb(verbs.UNRESERVE, session.id, origin)),)
            )
        elif seats.left:
            rows.append(
                (Button(l10n._("🎟 Reserve a seat"), cb(verbs.RESERVE, session.id, origin)),)
            )
        else:
            rows.append(
                (Button(l10n._("⏳ Join the waitlist"), cb(verbs.RESERVE, session.id, origin)),)
            )
    if mine.bookmarked:
        agenda = Button(l10n._("✖️ Remove from my agenda"), cb(verbs.UNBOOKMARK, session.id, origin))
    else:
        agenda = Button(l10n._("⭐ Add to my agenda"), cb(verbs.BOOKMARK, session.id, origin))
    rows.append((agenda, Button(l10n._("📅 Add to calendar"), cb(verbs.ICS, session.id))))
    rows.append(question_row(l10n, session.id, origin, asking=mine.questions_open))
    return rows


def question_row(
    l10n: Localizer, session_id: int, origin: str, *, asking: bool
) -> tuple[Button, ...]:
    """The session's audience questions; "Ask" only while it is upcoming or running."""
    listed = Button(l10n._("❓ Questions"), cb(verbs.QUESTIONS, session_id, 0, origin))
    if not asking:
        return (listed,)
    return (Button(l10n._("✍️ Ask a question"), cb(verbs.QUESTION_ASK, session_id, origin)), listed)


def now_and_next(l10n: Localizer, view: NowAndNext, *, only_next: bool = False) -> Reply:
    lines: list[str] = []
    if view.after_event:
        return Reply(l10n._("The symposium is over. Thank you for joining us!"))
    if not only_next:
        lines.append(l10n._("⏱ <b>Now</b>"))
        if view.now:
            lines += [session_line(l10n, s) for s in view.now]
        elif view.before_event:
            lines.append(l10n._("The symposium has not started yet."))
        else:
            lines.append(l10n._("Nothing is running right now."))
        lines.append("")
    lines.append(l10n._("⏭ <b>Next</b>"))
    if view.next:
        lines += [session_line(l10n, s) for s in view.next]
    else:
        lines.append(l10n._("No more sessions today."))
    shown = (() if only_next else view.now) + view.next
    rows = tuple((session_button(l10n, s, ORIGIN_NOW),) for s in shown[:20])
    return Reply(fit(lines), buttons=(*rows, (Button(l10n._("🔄 Refresh"), cb(verbs.NOW)),)))


def page_counter(l10n: Localizer, page: Page[object]) -> str:
    return l10n._(
        "Page {page} of {pages}", page=l10n.number(page.number + 1), pages=l10n.number(page.count)
    )


def nav_row(l10n: Localizer, page: Page[object], make: Callable[[int], str]) -> tuple[Button, ...]:
    """Previous / counter / next, or nothing for a single page."""
    if page.count <= 1:
        return ()
    row = []
    if page.has_previous:
        row.append(Button(l10n._("◀ Previous"), make(page.number - 1)))
    row.append(Button(f"{page.number + 1}/{page.count}", cb(verbs.NOOP)))
    if page.has_next:
        row.append(Button(l10n._("Next ▶"), make(page.number + 1)))
    return reading_order(l10n, row)


def reading_order(l10n: Localizer, row: Sequence[Button]) -> tuple[Button, ...]:
    """A row of buttons in reading order: Telegram lays rows out left to right in every
    language (tdlib/telegram-bot-api#882), so right-to-left readers get it reversed, and
    "back" ends up on their right (the translations point its arrow there: ▶)."""
    return tuple(reversed(row)) if l10n.rtl else tuple(row)


def fit(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> str:
    """Join lines, dropping whole lines from the end (never cutting a tag) to fit `limit`,
    counted as Telegram counts (after the tags, in UTF-16), with room for the mark a
    right-to-left reader's lines get (`Localizer.finish`). A single line still too long is
    split when sent (`bot/telegram/replies.py`)."""
    # + a line break or a mark per line (an entry may hold several: a session and its room)
    sizes = [visible_length(line) + line.count("\n") + 1 for line in lines]
    if sum(sizes) <= limit:
        return "\n".join(lines)
    kept, size = 1, sizes[0]  # the first line stays, whatever its length
    while kept < len(lines) and size + sizes[kept] + 2 <= limit:  # 2: the "…" line
        size += sizes[kept]
        kept += 1
    if kept == len(lines):  # one line, too long on its own: it is split when sent
        return "\n".join(lines)
    return "\n".join([*lines[:kept], "…"])


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def plain(label: str) -> str:
    """Button labels are not HTML: undo the escaping the localizer applied."""
    return html.unescape(label)

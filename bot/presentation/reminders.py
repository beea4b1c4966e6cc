"""What the bot says on its own about someone's agenda: reminders, schedule changes, the
morning digest; and the settings screen that shapes them."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup

from bot.domain.reminder_views import ChangeNotice, DayDigest, ReminderCard, ReminderSettings
from bot.domain.reminders import LEAD_CHOICES, StartsIn
from bot.domain.text import shorten
from bot.domain.views import SessionDetail
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.agenda import settings_button
from bot.presentation.callbacks import ORIGIN_AGENDA, cb
from bot.presentation.menu import menu_label
from bot.presentation.programme import (
    LINE_TITLE_LIMIT,
    NAME_LIMIT,
    fit,
    people_lines,
    plain,
    room_line,
    session_button,
    session_line,
    when_line,
)

DIGEST_BUTTONS = 10
ANY_DAY = date(2026, 1, 1)  # to format a wall-clock time; the day itself is not shown


def reminder(l10n: Localizer, card: ReminderCard) -> Reply:
    session = card.session
    if isinstance(card.timing, StartsIn):
        # TRANSLATORS: {n} is the number of minutes left, counted when the message is sent.
        headline = l10n.ngettext(
            "⏰ <b>{title}</b> starts in {n} minute.",
            "⏰ <b>{title}</b> starts in {n} minutes.",
            card.timing.minutes,
            title=shorten(session.title, LINE_TITLE_LIMIT),
        )
    else:
        headline = l10n._(
            "▶️ <b>{title}</b> has just started.", title=shorten(session.title, LINE_TITLE_LIMIT)
        )
    lines = [headline, "", *_facts(l10n, session)]
    return Reply(fit(lines), buttons=_session_buttons(l10n, session.id))


def schedule_change(l10n: Localizer, notice: ChangeNotice) -> Reply:
    session, before, after = notice.session, notice.before, notice.after
    title = shorten(session.title, LINE_TITLE_LIMIT)
    if notice.cancelled:
        text = l10n._(
            "❌ <b>{title}</b> ({when}) has been cancelled.",
            title=title,
            when=Markup(_span(l10n, before.starts_at, before.ends_at, with_day=True)),
        )
        return Reply(text, buttons=((Button(menu_label(l10n, "agenda"), cb(verbs.AGENDA)),),))
    moved_day = l10n.day(before.starts_at) != l10n.day(after.starts_at)
    when = Markup(_span(l10n, after.starts_at, after.ends_at, with_day=moved_day))
    if notice.restored:
        headline = l10n._("✅ <b>{title}</b> is back on the programme.", title=title)
    elif notice.moved_room and before.room and after.room and notice.retimed:
        headline = l10n._(
            "🔀 <b>{title}</b> moved from {old_room} to {new_room}, now at {when}.",
            title=title,
            old_room=shorten(before.room, NAME_LIMIT),
            new_room=shorten(after.room, NAME_LIMIT),
            when=when,
        )
    elif notice.moved_room and before.room and after.room:
        headline = l10n._(
            "🚪 <b>{title}</b> moved from {old_room} to {new_room}.",
            title=title,
            old_room=shorten(before.room, NAME_LIMIT),
            new_room=shorten(after.room, NAME_LIMIT),
        )
    elif notice.retimed:
        was = Markup(_span(l10n, before.starts_at, before.ends_at, with_day=moved_day))
        headline = l10n._(
            "🕒 <b>{title}</b> is now at {when} (was {was}).", title=title, when=when, was=was
        )
    else:
        headline = l10n._("🔔 <b>{title}</b> has changed.", title=title)
    lines = [headline, "", when_line(l10n, after.starts_at, after.ends_at)]
    if after.room:
        lines.append(room_line(l10n, after.room))
    return Reply(fit(lines), buttons=_session_buttons(l10n, session.id))


def digest(l10n: Localizer, day: DayDigest) -> Reply:
    lines = [
        l10n.ngettext(
            "☀️ Good morning! <b>{day}</b>: {n} session in your agenda.",
            "☀️ Good morning! <b>{day}</b>: {n} sessions in your agenda.",
            len(day.sessions),
            day=l10n.day(day.day),
        ),
        "",
    ]
    lines += [session_line(l10n, s) for s in day.sessions]
    rows = [(session_button(l10n, s, ORIGIN_AGENDA),) for s in day.sessions[:DIGEST_BUTTONS]]
    rows.append((settings_button(l10n),))
    return Reply(fit(lines), buttons=tuple(rows))


def settings(l10n: Localizer, current: ReminderSettings) -> Reply:
    at = l10n.time(datetime.combine(ANY_DAY, current.digest_time, l10n.timezone))
    lines = [l10n._("⚙️ <b>Settings</b>"), ""]
    if current.lead:
        lines.append(
            l10n.ngettext(
                "⏰ I remind you {n} minute before each session in your agenda.",
                "⏰ I remind you {n} minutes before each session in your agenda.",
                current.lead,
            )
        )
    else:
        lines.append(l10n._("🔕 Reminders are off."))
    if current.digest:
        lines.append(l10n._("☀️ Every morning at {time}, a summary of your day.", time=at))
    else:
        lines.append(l10n._("☀️ No morning summary."))
    lines += ["", l10n._("How long before a session should I remind you?")]
    choices = [_lead_button(l10n, minutes, current.lead) for minutes in LEAD_CHOICES]
    half = len(choices) // 2
    digest_label = l10n._("Morning summary at {time}", time=at)
    digest_button = Button(
        plain(("✅ " if current.digest else "⬜ ") + digest_label),
        cb(verbs.DIGEST, 0 if current.digest else 1),
    )
    rows = (
        tuple(choices[:half]),
        tuple(choices[half:]),
        (digest_button,),
        (Button(menu_label(l10n, "language"), cb(verbs.LANGUAGE, "")),),
        (Button(menu_label(l10n, "agenda"), cb(verbs.AGENDA)),),
    )
    return Reply("\n".join(lines), buttons=rows)


def lead_changed(l10n: Localizer, minutes: int) -> str:
    if not minutes:
        return l10n._("🔕 Reminders are off.")
    return l10n.ngettext(
        "⏰ I will remind you {n} minute before.",
        "⏰ I will remind you {n} minutes before.",
        minutes,
    )


def digest_changed(l10n: Localizer, on: bool) -> str:
    return l10n._("☀️ Morning summary on.") if on else l10n._("☀️ Morning summary off.")


def _lead_button(l10n: Localizer, minutes: int, current: int) -> Button:
    label = l10n.ngettext("{n} minute", "{n} minutes", minutes) if minutes else l10n._("Off")
    mark = "✅ " if minutes == current else ""
    return Button(plain(mark + label), cb(verbs.LEAD, minutes))


def _facts(l10n: Localizer, session: SessionDetail) -> list[str]:
    lines = [when_line(l10n, session.starts_at, session.ends_at)]
    if session.room:
        lines.append(room_line(l10n, session.room))
    return lines + people_lines(l10n, session)


def _session_buttons(l10n: Localizer, session_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(l10n._("🔎 Open the session"), cb(verbs.SESSION, session_id, ORIGIN_AGENDA)),),
        (
            Button(
                l10n._("✖️ Remove from my agenda"), cb(verbs.UNBOOKMARK, session_id, ORIGIN_AGENDA)
            ),
        ),
    )


def _span(l10n: Localizer, starts_at: datetime, ends_at: datetime, *, with_day: bool) -> str:
    """'14:30–15:15', or with the day when the session changed days."""
    if with_day:
        return l10n._(
            "{day}, {start}–{end}",
            day=l10n.day(starts_at),
            start=l10n.time(starts_at),
            end=l10n.time(ends_at),
        )
    return l10n._("{start}–{end}", start=l10n.time(starts_at), end=l10n.time(ends_at))
